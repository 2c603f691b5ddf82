/**
 * Spool records as raw rows, the way the drainer writes them: verified events merged by
 * dedupe key with their conflicts kept apart, and rejections with every text made storable.
 */
import type { SqlDialect, TableSpec } from '../sql/dialect.js';
import type { Queryable } from '../sql/warehouse.js';
import type { RawEventRecord, RejectionRecord } from './records.js';
import { modelBodyCopy } from './parse-event.js';
import { storableText } from './storable-text.js';
import { bodySha256, RAW_EVENT_RULES, type Row } from './raw-columns.js';

/**
 * Upserts one table's events. Retries (same key, same bytes) merge into one row; a
 * different body under a landed key becomes a row of its own (see the file comment of ingest/drainer.ts).
 */
export async function landEvents(tx: Queryable, dialect: SqlDialect, table: TableSpec, records: readonly RawEventRecord[], landedAt: Date): Promise<Conflict[]> {
  interface Version { record: RawEventRecord; sha: string; count: number; last: number }
  const byKey = new Map<string, Map<string, Version>>();
  for (const record of records) {
    const sha = bodySha256(record.body);
    let versions = byKey.get(record.dedupeKey);
    if (versions === undefined) byKey.set(record.dedupeKey, (versions = new Map()));
    const seen = versions.get(sha);
    // Collapse retries inside the batch: engines refuse one key twice in one upsert.
    if (seen === undefined) versions.set(sha, { record, sha, count: 1, last: record.receivedAt });
    else {
      seen.count += 1;
      seen.last = Math.max(seen.last, record.receivedAt);
    }
  }
  const landed = await landedDigests(tx, dialect, table, [...byKey.keys()]);
  const rows: Row[] = [];
  const conflicts: Conflict[] = [];
  for (const [key, versions] of byKey) {
    const first = landed.get(key) ?? (versions.keys().next().value as string);
    for (const { record: r, sha, count, last } of versions.values()) {
      const conflicting = sha !== first;
      const rowKey = conflicting ? `${key}#conflict:${sha.slice(0, 16)}` : key;
      if (conflicting) {
        conflicts.push({ family: r.family, table: table.name, dedupeKey: storableText(key), conflictKey: storableText(rowKey), firstSha256: first, sha256: sha, deliveryId: r.deliveryId, arrivals: count });
      }
      rows.push({
        dedupe_key: storableText(rowKey),
        family: r.family,
        event_type: storableText(r.eventType),
        body: r.body, // exactly as received: verified UTF-8 JSON (or a messaging XML receipt), which every warehouse stores as text
        headers: storableHeaderValues(r.headers),
        source_ip: storableText(r.ip),
        verified_by: r.verifiedBy,
        first_delivery_id: r.deliveryId,
        first_received_at: new Date(r.receivedAt),
        last_received_at: new Date(last),
        delivery_count: count,
        landed_at: landedAt,
        body_sha256: sha,
        body_json: modelBodyCopy(r.body),
        conflict_of: conflicting ? storableText(key) : null,
      });
    }
  }
  await tx.writeRows(table, rows, { onMatch: RAW_EVENT_RULES });
  return conflicts;
}

/** The body digest of each of `keys` already landed in `table` (computed for rows landed before digests were kept). */
async function landedDigests(tx: Queryable, d: SqlDialect, table: TableSpec, keys: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const perStatement = Math.max(1, Math.min(1000, d.capabilities.maxParams));
  for (let i = 0; i < keys.length; i += perStatement) {
    const chunk = keys.slice(i, i + perStatement).map(storableText);
    const rows = await tx.all<{ dedupe_key: string; body_sha256: string | null; old_body: string | null }>(
      `SELECT dedupe_key, body_sha256, CASE WHEN body_sha256 IS NULL THEN body END AS old_body FROM ${d.tableName(table.schema, table.name)} ` +
        `WHERE dedupe_key IN (${chunk.map((_, j) => d.param(j + 1)).join(', ')})`,
      chunk,
    );
    for (const row of rows) digests.set(row.dedupe_key, row.body_sha256 ?? bodySha256(row.old_body ?? ''));
  }
  return digests;
}

/** A conflict between a landed body and a new one under the same dedupe key (logged, never the bodies). */
export interface Conflict {
  family: string;
  table: string;
  dedupeKey: string;
  conflictKey: string;
  firstSha256: string;
  sha256: string;
  deliveryId: string;
  /** How many deliveries of this body the batch held. */
  arrivals: number;
}

/** A rejection as a row, every text made storable (it is what an unverified sender wrote). */
export function rejectionRow(r: RejectionRecord, landedAt: Date): Row {
  return {
    rejection_id: storableText(r.rejectionId),
    family: storableText(r.family),
    // Only the path: a query string is the sender's, and may carry anything.
    route: storableText(r.route.split('?')[0] ?? ''),
    received_at: new Date(r.receivedAt),
    source_ip: storableText(r.ip),
    status_code: r.statusCode,
    error_code: storableText(r.errorCode),
    reason: storableText(r.reason).slice(0, 2000),
    verified: r.verified,
    headers: storableHeaderValues(r.headers),
    body: storableBody(r.body),
    body_bytes: r.bodyBytes,
    body_truncated: r.bodyTruncated,
    landed_at: landedAt,
    replayed_at: null,
    replayed_as: null,
    body_sha256: r.bodySha256 ?? null,
    occurrences: r.occurrences ?? 1,
  };
}

/** A rejected body as stored: its text, or `base64:` of its bytes when the text holds what a warehouse refuses (NUL). */
function storableBody(body: string | null): string | null {
  if (body === null || body === storableText(body)) return body;
  return `base64:${Buffer.from(body, 'utf8').toString('base64')}`;
}

function storableHeaderValues(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[storableText(name)] = storableText(String(value));
  return out;
}
