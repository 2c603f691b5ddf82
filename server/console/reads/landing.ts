/**
 * What one family landed in a window, from its raw table (`<rawSchema>.<family>_events`):
 * events per bucket by event type, and the newest events' types and times. Independent of
 * the signals, so the landing page works in every build; bounded by the window.
 */
import type { Warehouse } from '../../../sql/warehouse.js';
import { bucketExpr, existing, spread, timeParam, windowParams, type TimeWindow } from './window.js';
import type { Series } from './signals.js';

/** At most this many event types get their own series; the rest are summed as `other`. */
const MAX_SERIES = 6;

export interface FamilyActivity {
  /** False when the raw table does not exist yet (nothing landed since the warehouse was made). */
  exists: boolean;
  /** Events first received per bucket, one series per event type (the most frequent first). */
  series: Series[];
  /** Per event type in the window: events and the last time one arrived. */
  types: Array<{ eventType: string; events: number; lastReceivedAt: string | null }>;
  /** The newest events (dedupe key, type, when), newest first. */
  recent: Array<{ dedupeKey: string; eventType: string; receivedAt: string; deliveries: number; verifiedBy: string }>;
}

export async function readFamilyActivity(warehouse: Warehouse, rawSchema: string, table: string, window: TimeWindow): Promise<FamilyActivity> {
  const d = warehouse.dialect;
  if (!(await existing(warehouse, d, rawSchema, [table])).has(table)) return { exists: false, series: [], types: [], recent: [] };
  const t = d.tableName(rawSchema, table);
  const where = `first_received_at >= ${timeParam(d, 1)} AND first_received_at < ${timeParam(d, 2)} AND conflict_of IS NULL`;
  const typeRows = await warehouse.all(
    `SELECT event_type, count(*) AS n, max(last_received_at) AS last FROM ${t} WHERE ${where} GROUP BY event_type ORDER BY count(*) DESC, event_type`,
    windowParams(window),
  );
  const types = typeRows.map((r) => ({ eventType: String(r.event_type), events: Number(r.n), lastReceivedAt: r.last === null ? null : String(r.last) }));
  const drawn = types.slice(0, MAX_SERIES).map((t) => t.eventType);
  const rows = await warehouse.all(
    `SELECT event_type, ${bucketExpr(d, 'first_received_at', 1, window.bucket)} AS bucket, count(*) AS n FROM ${t} WHERE ${where} GROUP BY 1, 2`,
    windowParams(window),
  );
  const points = new Map<string, Array<{ bucket: number; value: number }>>();
  const other: Array<{ bucket: number; value: number }> = [];
  for (const row of rows) {
    const type = String(row.event_type);
    const point = { bucket: Number(row.bucket), value: Number(row.n) };
    if (drawn.includes(type)) points.set(type, [...(points.get(type) ?? []), point]);
    else other.push(point);
  }
  const series: Series[] = drawn.map((type) => ({ label: type, values: spread(window, points.get(type) ?? [], 0) }));
  if (other.length > 0) {
    const summed = new Map<number, number>();
    for (const p of other) summed.set(p.bucket, (summed.get(p.bucket) ?? 0) + p.value);
    series.push({ label: 'other', values: spread(window, [...summed].map(([bucket, value]) => ({ bucket, value })), 0) });
  }
  const recentRows = await warehouse.all(
    `SELECT dedupe_key, event_type, last_received_at, delivery_count, verified_by FROM ${t} WHERE conflict_of IS NULL ORDER BY last_received_at DESC LIMIT 10`,
  );
  const recent = recentRows.map((r) => ({
    dedupeKey: String(r.dedupe_key),
    eventType: String(r.event_type),
    receivedAt: String(r.last_received_at),
    deliveries: Number(r.delivery_count),
    verifiedBy: String(r.verified_by),
  }));
  return { exists: true, series, types, recent };
}
