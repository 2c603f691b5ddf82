/**
 * The signals the overview charts, read from the signal tables in models.schema (design of
 * issue 15, part A; server/signals writes them once a minute):
 * - `sb_signal_throughput` (minute, stage, pipeline, event_type, events, retries, dead_letters, failures)
 * - `sb_signal_latency` (minute, stage, pipeline, samples, p50_ms, p95_ms, p99_ms, max_ms)
 * - `sb_signal_backlog` (minute, spool_bytes, spool_events, sync_pending, pull_lag_seconds, dead_letters)
 *
 * Read directly rather than through GET /signals: that route answers minute rows, and 30 days
 * of them for every pipeline is millions of rows; here each chart is one GROUP BY over the
 * window into at most ~170 buckets. When the tables are not there (a build without signals,
 * or before the first flush) the view says so, and the page shows an empty state.
 */
import type { Warehouse } from '../../../sql/warehouse.js';
import { bucketExpr, existing, spread, timeParam, windowParams, type TimeWindow } from './window.js';

export const SIGNAL_TABLES = { throughput: 'sb_signal_throughput', latency: 'sb_signal_latency', backlog: 'sb_signal_backlog' } as const;

/** Stages in the order the charts list them. */
export const THROUGHPUT_STAGES = ['landing', 'build', 'sync', 'pull'] as const;
export const LATENCY_STAGES = ['event_to_received', 'received_to_landed', 'landed_to_curated', 'curated_to_destination'] as const;

export interface Series {
  label: string;
  values: Array<number | null>;
}

export interface StageRatio {
  stage: string;
  events: number;
  retries: number;
  deadLetters: number;
  failures: number;
  /** Shares of events in the window; null when there were none. */
  success: number | null;
  retry: number | null;
  deadLetter: number | null;
}

export interface SignalsView {
  /** Which signal tables exist; the charts of a missing one show an empty state. */
  available: { throughput: boolean; latency: boolean; backlog: boolean };
  /** Events per bucket, one series per stage (or per event type, for one pipeline). */
  throughput: Series[];
  /** The worst pipeline's p95 per bucket, one series per latency stage, in milliseconds. */
  latency: Series[];
  /** Highest backlog per bucket: spool events, sync changes pending, dead letters. */
  backlog: Series[];
  ratios: StageRatio[];
  /** The newest backlog row, e.g. `{ minute, spoolBytes: 0, spoolEvents: 0, syncPending: 3, pullLagSeconds: 120, deadLetters: 2 }`. */
  latestBacklog: { minute: string; spoolBytes: number; spoolEvents: number; syncPending: number; pullLagSeconds: number | null; deadLetters: number } | null;
}

/**
 * @param pipeline only this pipeline (a family on the landing page), its throughput by event type
 */
export async function readSignals(warehouse: Warehouse, schema: string, window: TimeWindow, pipeline?: string): Promise<SignalsView> {
  const d = warehouse.dialect;
  const present = await existing(warehouse, d, schema, Object.values(SIGNAL_TABLES));
  const available = { throughput: present.has(SIGNAL_TABLES.throughput), latency: present.has(SIGNAL_TABLES.latency), backlog: present.has(SIGNAL_TABLES.backlog) };
  const view: SignalsView = { available, throughput: [], latency: [], backlog: [], ratios: [], latestBacklog: null };
  const params = windowParams(window);
  const bucket = bucketExpr(d, 'minute', 1, window.bucket);
  const inWindow = `minute >= ${timeParam(d, 1)} AND minute < ${timeParam(d, 2)}`;
  const onePipeline = pipeline === undefined ? '' : ` AND pipeline = ${d.param(3)}`;
  const withPipeline = pipeline === undefined ? params : [...params, pipeline];
  const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

  if (available.throughput) {
    const t = d.tableName(schema, SIGNAL_TABLES.throughput);
    const key = pipeline === undefined ? 'stage' : 'event_type';
    const rows = await warehouse.all(
      `SELECT ${key} AS series, ${bucket} AS bucket, SUM(events) AS events FROM ${t} WHERE ${inWindow}${onePipeline} GROUP BY 1, 2`,
      withPipeline,
    );
    view.throughput = pivot(window, rows, pipeline === undefined ? THROUGHPUT_STAGES : [], 'events', 0);
    const totals = await warehouse.all(
      `SELECT stage, SUM(events) AS events, SUM(retries) AS retries, SUM(dead_letters) AS dead_letters, SUM(failures) AS failures FROM ${t} WHERE ${inWindow}${onePipeline} GROUP BY stage`,
      withPipeline,
    );
    view.ratios = totals
      .map((r) => ratio(String(r.stage), num(r.events), num(r.retries), num(r.dead_letters), num(r.failures)))
      .sort((a, b) => order(THROUGHPUT_STAGES, a.stage) - order(THROUGHPUT_STAGES, b.stage));
  }
  if (available.latency) {
    const rows = await warehouse.all(
      `SELECT stage AS series, ${bucket} AS bucket, MAX(p95_ms) AS p95 FROM ${d.tableName(schema, SIGNAL_TABLES.latency)} WHERE ${inWindow}${onePipeline} AND samples > 0 GROUP BY 1, 2`,
      withPipeline,
    );
    // For one pipeline, only the stages it has (a family has no curated_to_destination of its own).
    view.latency = pivot(window, rows, LATENCY_STAGES, 'p95', null).filter((s) => pipeline === undefined || s.values.some((v) => v !== null));
  }
  if (available.backlog && pipeline === undefined) {
    const t = d.tableName(schema, SIGNAL_TABLES.backlog);
    const rows = await warehouse.all(
      `SELECT ${bucket} AS bucket, MAX(spool_events) AS spool_events, MAX(sync_pending) AS sync_pending, MAX(dead_letters) AS dead_letters FROM ${t} WHERE ${inWindow} GROUP BY 1`,
      params,
    );
    view.backlog = [
      { label: 'spool events', values: spread(window, rows.map((r) => ({ bucket: num(r.bucket), value: num(r.spool_events) })), null) },
      { label: 'sync changes pending', values: spread(window, rows.map((r) => ({ bucket: num(r.bucket), value: num(r.sync_pending) })), null) },
      { label: 'dead letters', values: spread(window, rows.map((r) => ({ bucket: num(r.bucket), value: num(r.dead_letters) })), null) },
    ];
    view.latestBacklog = await readLatestBacklog(warehouse, schema, window.until);
  }
  return view;
}

/** The newest backlog row before `until`; null when there is none (or no backlog table). */
export async function readLatestBacklog(warehouse: Warehouse, schema: string, until: Date, checkTable = false): Promise<SignalsView['latestBacklog']> {
  const d = warehouse.dialect;
  if (checkTable && !(await existing(warehouse, d, schema, [SIGNAL_TABLES.backlog])).has(SIGNAL_TABLES.backlog)) return null;
  const [latest] = await warehouse.all(
    `SELECT minute, spool_bytes, spool_events, sync_pending, pull_lag_seconds, dead_letters FROM ${d.tableName(schema, SIGNAL_TABLES.backlog)} WHERE minute < ${timeParam(d, 1)} ORDER BY minute DESC LIMIT 1`,
    [until],
  );
  if (latest === undefined) return null;
  const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  return {
    minute: String(latest.minute),
    spoolBytes: num(latest.spool_bytes),
    spoolEvents: num(latest.spool_events),
    syncPending: num(latest.sync_pending),
    pullLagSeconds: latest.pull_lag_seconds === null ? null : num(latest.pull_lag_seconds),
    deadLetters: num(latest.dead_letters),
  };
}

/** Rows of (series, bucket, value) as one series per name: `known` first (always drawn), then the others found. */
function pivot(window: TimeWindow, rows: ReadonlyArray<Record<string, unknown>>, known: readonly string[], column: string, empty: number | null): Series[] {
  const byName = new Map<string, Array<{ bucket: number; value: number | null }>>(known.map((name) => [name, []]));
  for (const row of rows) {
    const name = row.series === null || row.series === '' ? '(none)' : String(row.series);
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name)?.push({ bucket: Number(row.bucket), value: row[column] === null ? null : Number(row[column]) });
  }
  return [...byName].map(([label, points]) => ({ label, values: spread(window, points, empty) }));
}

function ratio(stage: string, events: number, retries: number, deadLetters: number, failures: number): StageRatio {
  const share = (n: number): number | null => (events > 0 ? n / events : null);
  return { stage, events, retries, deadLetters, failures, success: share(Math.max(0, events - deadLetters - failures)), retry: share(retries), deadLetter: share(deadLetters) };
}

function order(known: readonly string[], name: string): number {
  const i = known.indexOf(name);
  return i === -1 ? known.length : i;
}
