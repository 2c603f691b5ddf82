/**
 * Reads the signals back for the operator API's GET /signals (and the console): the rows of
 * the three tables between two times, and the success, retry and dead-letter ratios of each
 * stage and pipeline over that window.
 *
 * With `bucket: 'hour' | 'day'` the minutes are summed up in the warehouse first (30 days of
 * minutes are too many rows to send): counts add up; a latency keeps the total samples and
 * the largest minute's percentiles and maximum (percentiles of minutes cannot be combined
 * exactly); the backlog keeps each column's largest value.
 */
import type { SqlDialect } from '../../sql/dialect.js';
import type { SqlParam, SqlRow, SqlValue, Warehouse } from '../../sql/warehouse.js';
import { backlogTable, latencyTable, throughputTable } from './tables.js';

export type SignalBucket = 'minute' | 'hour' | 'day';

export interface SignalQuery {
  since: Date;
  until: Date;
  bucket?: SignalBucket | undefined;
  /** Only this pipeline's throughput and latency (a family, model, sync or pull source). */
  pipeline?: string | undefined;
}

export interface ThroughputRow {
  minute: string;
  stage: string;
  pipeline: string;
  event_type: string;
  events: number;
  retries: number;
  dead_letters: number;
  failures: number;
}

export interface LatencyRow {
  minute: string;
  stage: string;
  pipeline: string;
  samples: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface BacklogRow {
  minute: string;
  spool_bytes: number | null;
  spool_events: number | null;
  sync_pending: number | null;
  pull_lag_seconds: number | null;
  dead_letters: number | null;
}

/** Over the window, per stage and pipeline: each share of the units counted (events + retries + dead letters + failures). */
export interface RatioRow {
  stage: string;
  pipeline: string;
  success: number;
  retry: number;
  deadLetter: number;
}

export interface Signals {
  throughput: ThroughputRow[];
  latency: LatencyRow[];
  backlog: BacklogRow[];
  ratios: RatioRow[];
}

const BUCKET_SECONDS: Readonly<Record<SignalBucket, number>> = { minute: 60, hour: 3600, day: 86_400 };

const THROUGHPUT = { keys: ['stage', 'pipeline', 'event_type'], sums: ['events', 'retries', 'dead_letters', 'failures'], maxima: [] as string[] };
const LATENCY = { keys: ['stage', 'pipeline'], sums: ['samples'], maxima: ['p50_ms', 'p95_ms', 'p99_ms', 'max_ms'] };
const BACKLOG = { keys: [] as string[], sums: [] as string[], maxima: ['spool_bytes', 'spool_events', 'sync_pending', 'pull_lag_seconds', 'dead_letters'] };

export async function readSignals(warehouse: Warehouse, schema: string, query: SignalQuery): Promise<Signals> {
  const seconds = BUCKET_SECONDS[query.bucket ?? 'minute'];
  const read = (spec: { schema: string; name: string }, shape: typeof THROUGHPUT, byPipeline: boolean): Promise<SqlRow[]> => {
    const { sql, params } = selectSql(warehouse.dialect, spec, shape, seconds, query, byPipeline);
    return warehouse.all(sql, params);
  };
  const at = (value: SqlValue | undefined): string => (seconds === 60 ? String(value) : new Date(Number(value) * seconds * 1000).toISOString());
  const throughput = (await read(throughputTable(schema), THROUGHPUT, true))
    .map((r) => ({ minute: at(r.bucket), stage: str(r.stage), pipeline: str(r.pipeline), event_type: str(r.event_type), events: num(r.events), retries: num(r.retries), dead_letters: num(r.dead_letters), failures: num(r.failures) }))
    .sort((a, b) => compare(a, b, ['minute', 'stage', 'pipeline', 'event_type']));
  const latency = (await read(latencyTable(schema), LATENCY, true))
    .map((r) => ({ minute: at(r.bucket), stage: str(r.stage), pipeline: str(r.pipeline), samples: num(r.samples), p50_ms: num(r.p50_ms), p95_ms: num(r.p95_ms), p99_ms: num(r.p99_ms), max_ms: num(r.max_ms) }))
    .sort((a, b) => compare(a, b, ['minute', 'stage', 'pipeline']));
  const backlog = (await read(backlogTable(schema), BACKLOG, false))
    .map((r) => ({ minute: at(r.bucket), spool_bytes: nullable(r.spool_bytes), spool_events: nullable(r.spool_events), sync_pending: nullable(r.sync_pending), pull_lag_seconds: nullable(r.pull_lag_seconds), dead_letters: nullable(r.dead_letters) }))
    .sort((a, b) => a.minute.localeCompare(b.minute));
  return { throughput, latency, backlog, ratios: ratiosOf(throughput) };
}

/**
 * One table's rows in the window, as `bucket` plus its columns: the minute itself, or (hour,
 * day) the bucket's number since the epoch, summed in a subquery so that no expression is
 * repeated in GROUP BY.
 */
function selectSql(
  d: SqlDialect,
  spec: { schema: string; name: string },
  shape: typeof THROUGHPUT,
  seconds: number,
  query: SignalQuery,
  byPipeline: boolean,
): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [];
  const bind = (value: SqlParam): string => {
    params.push(value);
    return d.param(params.length);
  };
  const columns = [...shape.keys, ...shape.sums, ...shape.maxima];
  const bucket = seconds === 60 ? 'minute' : `floor(${d.secondsBetween(`CAST(${bind(new Date(0))} AS ${d.typeName('timestamp')})`, 'minute')} / ${seconds})`;
  let where = `minute >= ${bind(query.since)} AND minute < ${bind(query.until)}`;
  if (byPipeline && query.pipeline !== undefined) where += ` AND pipeline = ${bind(query.pipeline)}`;
  const inner = `SELECT ${bucket} AS bucket, ${columns.join(', ')} FROM ${d.tableName(spec.schema, spec.name)} WHERE ${where}`;
  if (seconds === 60) return { sql: inner, params };
  const aggregates = [...shape.sums.map((c) => `sum(${c}) AS ${c}`), ...shape.maxima.map((c) => `max(${c}) AS ${c}`)];
  const groups = ['bucket', ...shape.keys];
  return { sql: `SELECT ${[...groups, ...aggregates].join(', ')} FROM (${inner}) minutes GROUP BY ${groups.join(', ')}`, params };
}

/** The ratios of each stage and pipeline over `rows`; a pair that counted nothing is left out. */
export function ratiosOf(rows: readonly ThroughputRow[]): RatioRow[] {
  const sums = new Map<string, { stage: string; pipeline: string; events: number; retries: number; deadLetters: number; failures: number }>();
  for (const r of rows) {
    const key = `${r.stage}\u0000${r.pipeline}`;
    let sum = sums.get(key);
    if (sum === undefined) sums.set(key, (sum = { stage: r.stage, pipeline: r.pipeline, events: 0, retries: 0, deadLetters: 0, failures: 0 }));
    sum.events += r.events;
    sum.retries += r.retries;
    sum.deadLetters += r.dead_letters;
    sum.failures += r.failures;
  }
  const ratios: RatioRow[] = [];
  for (const s of sums.values()) {
    const units = s.events + s.retries + s.deadLetters + s.failures;
    if (units === 0) continue;
    ratios.push({ stage: s.stage, pipeline: s.pipeline, success: s.events / units, retry: s.retries / units, deadLetter: s.deadLetters / units });
  }
  return ratios.sort((a, b) => a.stage.localeCompare(b.stage) || a.pipeline.localeCompare(b.pipeline));
}

function str(value: SqlValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
function num(value: SqlValue | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
function nullable(value: SqlValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}
function compare<T extends Record<string, unknown>>(a: T, b: T, keys: readonly (keyof T)[]): number {
  for (const key of keys) {
    const order = String(a[key]).localeCompare(String(b[key]));
    if (order !== 0) return order;
  }
  return 0;
}

