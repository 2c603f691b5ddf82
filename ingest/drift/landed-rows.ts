/**
 * The raw event rows landed after a watermark, in landing order, for schema drift to learn:
 * read in two steps so that a run scans only narrow columns of the whole table.
 *
 * 1. The next keys, by (`landed_at`, `dedupe_key`) after the watermark and at most `cutoff`
 *    (rows younger than `drift.settleSeconds` may belong to a transaction still committing),
 *    sampled in SQL: `sampleRate` keeps the rows whose body SHA-256 starts below that share
 *    of `ffff` (rows landed before digests were kept count as `0000`: always in).
 * 2. Their bodies, by key (the models' copy: `body_json` when set, e.g. an XML receipt's
 *    JSON rendering, else `body`).
 */
import type { SqlDialect } from '../../sql/dialect.js';
import type { Queryable } from '../../sql/warehouse.js';
import type { Watermark } from './store.js';

export interface LandedRow {
  dedupeKey: string;
  family: string;
  eventType: string;
  landedAt: Date;
  body: string;
}

export interface LandedBatch {
  rows: LandedRow[];
  /** Where the next read starts: the last key read (unchanged when nothing was read). */
  next: Watermark;
  /** True when the batch was full: more rows may be waiting. */
  full: boolean;
}

/**
 * @example await readLanded(wh, wh.dialect, { schema: 'raw', table: 'meetings_events' }, START, new Date(), { limit: 5000, sampleRate: 1 })
 */
export async function readLanded(
  q: Queryable,
  d: SqlDialect,
  from: { schema: string; table: string },
  after: Watermark,
  cutoff: Date,
  options: { limit: number; sampleRate: number },
): Promise<LandedBatch> {
  const table = d.tableName(from.schema, from.table);
  const ts = (i: number): string => d.typedParam(i, 'timestamp');
  const params: Array<string | Date> = [after.at, after.at, after.key, cutoff];
  let sampled = '';
  if (options.sampleRate < 1) {
    // Fixed-width lower-case hex compares as its number does.
    const below = Math.max(1, Math.floor(options.sampleRate * 0x10000)).toString(16).padStart(4, '0');
    sampled = ` AND COALESCE(SUBSTR(body_sha256, 1, 4), '0000') < ${d.param(params.push(below))}`;
  }
  const keys = await q.all<{ dedupe_key: string; landed_at: string }>(
    `SELECT dedupe_key, landed_at FROM ${table} WHERE (landed_at > ${ts(1)} OR (landed_at = ${ts(2)} AND dedupe_key > ${d.param(3)})) AND landed_at <= ${ts(4)}${sampled} ` +
      `ORDER BY landed_at, dedupe_key LIMIT ${options.limit}`,
    params,
  );
  const last = keys.at(-1);
  if (last === undefined) return { rows: [], next: after, full: false };
  const bodies = new Map<string, { family: string; event_type: string; body: string }>();
  const perStatement = Math.max(1, Math.min(1000, d.capabilities.maxParams));
  for (let i = 0; i < keys.length; i += perStatement) {
    const chunk = keys.slice(i, i + perStatement).map((k) => k.dedupe_key);
    const rows = await q.all<{ dedupe_key: string; family: string; event_type: string; body: string }>(
      `SELECT dedupe_key, family, event_type, COALESCE(body_json, body) AS body FROM ${table} WHERE dedupe_key IN (${chunk.map((_, j) => d.param(j + 1)).join(', ')})`,
      chunk,
    );
    for (const row of rows) bodies.set(row.dedupe_key, row);
  }
  const rows: LandedRow[] = [];
  for (const k of keys) {
    const row = bodies.get(k.dedupe_key);
    if (row !== undefined) rows.push({ dedupeKey: k.dedupe_key, family: row.family, eventType: row.event_type, landedAt: new Date(k.landed_at), body: row.body });
  }
  return { rows, next: { at: new Date(last.landed_at), key: last.dedupe_key }, full: keys.length >= options.limit };
}
