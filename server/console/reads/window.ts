/**
 * The time window a console page shows, and the SQL that sorts rows into its buckets. Every
 * chart query is bounded: rows in [since, until) only, aggregated server-side into at most
 * ~170 buckets, so a page costs the same whether the warehouse holds a day or a year.
 */
import type { SqlDialect } from '../../../sql/dialect.js';
import type { Queryable } from '../../../sql/warehouse.js';
import { listRelations } from '../../../sql/introspect.js';

/** The windows a page offers, e.g. `24h`: its length and bucket, both in seconds. */
export const WINDOWS = {
  '1h': { seconds: 3600, bucket: 60, label: 'last hour (per minute)' },
  '24h': { seconds: 86_400, bucket: 900, label: 'last 24 hours (per 15 minutes)' },
  '7d': { seconds: 604_800, bucket: 3600, label: 'last 7 days (per hour)' },
  '30d': { seconds: 2_592_000, bucket: 21_600, label: 'last 30 days (per 6 hours)' },
} as const;

export type WindowName = keyof typeof WINDOWS;

export interface TimeWindow {
  name: WindowName;
  since: Date;
  until: Date;
  /** Bucket width in seconds. */
  bucket: number;
  /** Each bucket's start, in epoch seconds (what uPlot's x axis takes). */
  starts: number[];
}

export function isWindowName(value: unknown): value is WindowName {
  return typeof value === 'string' && Object.hasOwn(WINDOWS, value);
}

/** The window `name` ending now, its start aligned to its bucket width (so buckets are stable between loads). */
export function timeWindow(name: WindowName, now: Date): TimeWindow {
  const { seconds, bucket } = WINDOWS[name];
  const end = Math.ceil(now.getTime() / 1000 / bucket) * bucket;
  const start = end - seconds;
  const starts: number[] = [];
  for (let t = start; t < end; t += bucket) starts.push(t);
  return { name, since: new Date(start * 1000), until: new Date(end * 1000), bucket, starts };
}

/**
 * The bucket index of timestamp column `column`, counted from the window's start (bound as
 * parameter `sinceParam`): `FLOOR(seconds since start / bucket)`. Portable through the
 * dialect's secondsBetween; no date_trunc, which each warehouse spells its own way.
 */
export function bucketExpr(d: SqlDialect, column: string, sinceParam: number, bucket: number): string {
  return `FLOOR(${d.secondsBetween(timeParam(d, sinceParam), column)} / ${bucket})`;
}

/**
 * Time parameter `n` cast to the warehouse's timestamp type, the type the columns it is
 * compared with have: then the comparison stays on the column's own type, whatever type the
 * driver binds a Date as, and the warehouse can skip row groups by their min/max.
 */
export function timeParam(d: SqlDialect, n: number): string {
  return `CAST(${d.param(n)} AS ${d.typeName('timestamp')})`;
}

/** The window's bounds as the two parameters a bucketed query starts with. */
export function windowParams(window: TimeWindow): [Date, Date] {
  return [window.since, window.until];
}

/** Which of `names` exist as tables or views in `schema`. */
export async function existing(q: Queryable, d: SqlDialect, schema: string, names: readonly string[]): Promise<Set<string>> {
  const relations = await listRelations(q, d, [schema]);
  const wanted = new Set(names);
  return new Set(relations.filter((r) => wanted.has(r.name)).map((r) => r.name));
}

/** Rows of (bucket index, value) spread over the window's buckets; missing buckets get `empty`. */
export function spread(window: TimeWindow, rows: ReadonlyArray<{ bucket: number; value: number | null }>, empty: number | null): Array<number | null> {
  const values: Array<number | null> = window.starts.map(() => empty);
  for (const row of rows) {
    const i = Number(row.bucket);
    if (i >= 0 && i < values.length) values[i] = row.value;
  }
  return values;
}
