/**
 * How a pull lands what it fetched: the page's events go into the same raw tables as the
 * webhooks (same columns, same dedupe keys, same merge rules), and the source's cursor
 * moves in the SAME transaction. So a pull killed at any point resumes exactly after the
 * last page that landed: nothing lost, nothing doubled.
 */
import { createHash } from 'node:crypto';
import type { TableSpec } from '../../sql/dialect.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { ensureRawEventTable, rawEventTable } from '../raw-tables.js';
import { RAW_EVENT_RULES, rawBodyColumns, type Row } from '../raw-columns.js';

/** One record fetched from an 8x8 API, ready to land. */
export interface PulledEvent {
  /**
   * The record's identity, e.g. `work:call:<callId>` or `pull:sms:<umid>`. It lands as
   * `<dedupeKey>#<first 16 hex of the body's SHA-256>` (see {@link versionedKey}).
   */
  dedupeKey: string;
  /** e.g. `WORK_CALL_RECORD`. */
  eventType: string;
  /** The record as the API returned it, as JSON text. */
  body: string;
}

/**
 * The raw row's key: the record's identity plus a digest of its content. A pull reads
 * state, not events: the same SMS is `sent` in one export and `delivered` in the next, a
 * CC interaction ongoing, then finished. Each distinct version lands once (reading it
 * again merges, as a retried webhook does) and the models take the newest per record.
 */
export function versionedKey(event: PulledEvent): string {
  return `${event.dedupeKey}#${createHash('sha256').update(event.body).digest('hex').slice(0, 16)}`;
}

/** Where and as whom a pull lands. */
export interface PullTarget {
  rawSchema: string;
  /** The raw table, e.g. `work_events` or `messaging_events`. */
  table: string;
  /** The raw rows' `family`, e.g. `work`. */
  family: string;
  /** The source's name: the cursor's key, and `verified_by` = `pull:<source>`. */
  source: string;
  /** This run's id, kept as `first_delivery_id` of the rows it lands first. */
  runId: string;
}

/** `<rawSchema>._pull_cursors`: per source, how far it has landed (the source decides the shape). */
export function pullCursorsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_pull_cursors',
    columns: [
      { name: 'source', type: 'text', nullable: false },
      { name: 'cursor', type: 'text', nullable: false },
      { name: 'updated_at', type: 'timestamp', nullable: false },
    ],
    primaryKey: ['source'],
  };
}

/**
 * Creates the target raw table if needed (by name, raw-tables.ts). The cursor and run tables
 * come from the numbered migrations (ingest/migrations.ts), applied at start-up.
 */
export async function preparePull(warehouse: Warehouse, target: PullTarget): Promise<void> {
  await ensureRawEventTable(warehouse, warehouse.dialect, target.rawSchema, target.table);
}

/** The source's cursor as last landed (parsed JSON), or null before its first page. */
export async function readCursor<T>(warehouse: Warehouse, rawSchema: string, source: string): Promise<T | null> {
  const d = warehouse.dialect;
  const table = pullCursorsTable(rawSchema);
  const rows = await warehouse.all<{ cursor: string }>(`SELECT cursor FROM ${d.tableName(table.schema, table.name)} WHERE source = ${d.param(1)}`, [source]);
  return rows[0] === undefined ? null : (JSON.parse(rows[0].cursor) as T);
}

/**
 * Lands one page and moves the cursor to `cursor`, in one transaction. An event already
 * landed (by webhook or an earlier pull) merges: its count rises, nothing is duplicated.
 */
export async function landPage(warehouse: Warehouse, target: PullTarget, events: readonly PulledEvent[], cursor: unknown): Promise<void> {
  const d = warehouse.dialect;
  const now = new Date();
  // One key twice in a page (an API repeating a record) would be refused by the upsert.
  const unique = new Map<string, PulledEvent>();
  for (const event of events) unique.set(versionedKey(event), event);
  const rows: Row[] = [...unique.entries()].map(([key, event]) => ({
    dedupe_key: key,
    family: target.family,
    event_type: event.eventType,
    ...rawBodyColumns(event.body),
    headers: {},
    source_ip: '',
    verified_by: `pull:${target.source}`,
    first_delivery_id: target.runId,
    first_received_at: now,
    last_received_at: now,
    delivery_count: 1,
    landed_at: now,
  }));
  const cursors = pullCursorsTable(target.rawSchema);
  await warehouse.transaction(async (tx) => {
    await tx.writeRows(rawEventTable(target.rawSchema, target.table), rows, { onMatch: RAW_EVENT_RULES });
    await tx.writeRows(cursors, [{ source: target.source, cursor: JSON.stringify(cursor), updated_at: now }], { onMatch: { cursor: 'replace', updated_at: 'replace' } });
  });
}
