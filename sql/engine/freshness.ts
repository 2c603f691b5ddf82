/**
 * Source freshness, as `dbt source freshness` checks it: per declared source table with a
 * `freshness:` block, `SELECT MAX(<loaded_at_field>)`, its age at the time of the check, and a
 * status against the thresholds:
 *
 * - `error` when the age is past `error_after`, else `warn` past `warn_after`, else `pass`
 *   (past = strictly longer, as in dbt: a table exactly `warn_after` old passes);
 * - `warn` when the table has no rows at all (dbt calls that an error; Switchboard's bundled
 *   declarations cover every family, and a family you do not use never lands anything);
 * - `runtime error` when the query fails (the table is missing, the field is not a
 *   timestamp): reported, never thrown.
 *
 * The results are saved by freshness-results.ts.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDialect } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { describeTime, thresholdSeconds, type FreshnessCriteria, type SourceTable } from './sources.js';

/** dbt's statuses of a source freshness result. */
export type FreshnessStatus = 'pass' | 'warn' | 'error' | 'runtime error';

export interface FreshnessResult {
  /** `source.switchboard.raw.voice_events` */
  uniqueId: string;
  source: string;
  table: string;
  status: FreshnessStatus;
  /** The newest loaded_at_field, e.g. `2025-03-04T09:15:27.412Z`; null for an empty table or a runtime error. */
  maxLoadedAt: string | null;
  /** When the table was checked (the clock of the process that checked). */
  snapshottedAt: string;
  /** snapshottedAt − maxLoadedAt in seconds; null without maxLoadedAt. */
  ageSeconds: number | null;
  criteria: FreshnessCriteria;
  loadedAtField: string;
  /** How long the query took. */
  seconds: number;
  /** '' on pass; else what is wrong, without the table's name, e.g. `3.2 hours since the last row was loaded (warn after 2 hours)`. */
  message: string;
}

export interface FreshnessResults {
  /** One id per check (dbt's invocation id). */
  checkId: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** The --select given, null when every declared table was checked. */
  selection: readonly string[] | null;
  results: FreshnessResult[];
}

export interface FreshnessOptions {
  /** The time a check counts ages from; default the real clock. */
  now?: () => Date;
  /** Stops between tables (a job's deadline, shutdown). */
  signal?: AbortSignal;
  /** Each table's result as it is known, e.g. to print a dbt-style line. */
  onResult?: (result: FreshnessResult, index: number, total: number) => void;
  /** Recorded with the results: the selectors that chose `tables`, or null for all. */
  selection?: readonly string[] | null;
}

/**
 * The status of a table `ageSeconds` old, as dbt's FreshnessThreshold.status decides it.
 * @example freshnessStatus(7200, { warnAfter: { count: 2, period: 'hour' }, errorAfter: null, filter: null }) // 'pass'
 */
export function freshnessStatus(ageSeconds: number, criteria: FreshnessCriteria): 'pass' | 'warn' | 'error' {
  if (criteria.errorAfter !== null && ageSeconds > thresholdSeconds(criteria.errorAfter)) return 'error';
  if (criteria.warnAfter !== null && ageSeconds > thresholdSeconds(criteria.warnAfter)) return 'warn';
  return 'pass';
}

/**
 * The query of one table's check: `SELECT MAX(<field>) AS max_loaded_at FROM <table> [WHERE <filter>]`.
 * A plain column name is quoted; anything else is taken as a SQL expression, as dbt does.
 */
export function freshnessQuery(d: SqlDialect, table: SourceTable): string {
  const field = table.loadedAtField ?? '';
  const expr = /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? d.quoteIdent(field) : field;
  const filter = table.freshness?.filter ?? null;
  return `SELECT MAX(${expr}) AS max_loaded_at FROM ${d.tableName(table.schema, table.identifier)}${filter === null ? '' : ` WHERE ${filter}`}`;
}

/**
 * Checks every table of `tables` that has a freshness block, in order. A table that cannot be
 * checked is a `runtime error` result; only a stop (`signal`) throws.
 */
export async function checkFreshness(warehouse: Warehouse, tables: readonly SourceTable[], options: FreshnessOptions = {}): Promise<FreshnessResults> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const checked = tables.filter((t) => t.freshness !== null);
  const results: FreshnessResult[] = [];
  for (const [i, table] of checked.entries()) {
    options.signal?.throwIfAborted();
    const result = await checkTable(warehouse, table, now, options.signal);
    results.push(result);
    options.onResult?.(result, i + 1, checked.length);
  }
  const finished = now();
  return {
    checkId: randomUUID(),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    selection: options.selection === undefined || options.selection === null || options.selection.length === 0 ? null : [...options.selection],
    results,
  };
}

async function checkTable(warehouse: Warehouse, table: SourceTable, now: () => Date, signal: AbortSignal | undefined): Promise<FreshnessResult> {
  const criteria = table.freshness as FreshnessCriteria;
  const clock = performance.now();
  const base = { uniqueId: table.uniqueId, source: table.source, table: table.table, criteria, loadedAtField: table.loadedAtField ?? '' };
  let value: unknown;
  try {
    const [row] = await warehouse.all(freshnessQuery(warehouse.dialect, table), [], signal === undefined ? {} : { signal });
    value = row?.max_loaded_at ?? null;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    const why = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
    return { ...base, status: 'runtime error', maxLoadedAt: null, snapshottedAt: now().toISOString(), ageSeconds: null, seconds: elapsed(clock), message: `could not be checked: ${why}` };
  }
  const snapshot = now();
  if (value === null) {
    const off = `freshness: null for it in your YAML, or models.freshness: { "${table.source}.${table.table}": off }`;
    const message = `no rows yet: nothing has been loaded; if nothing ever will be (a source you do not use), switch its check off (${off})`;
    return { ...base, status: 'warn', maxLoadedAt: null, snapshottedAt: snapshot.toISOString(), ageSeconds: null, seconds: elapsed(clock), message };
  }
  const loaded = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(loaded)) {
    const message = `could not be checked: loaded_at_field ${table.loadedAtField ?? ''} gave ${JSON.stringify(String(value))}, not a timestamp`;
    return { ...base, status: 'runtime error', maxLoadedAt: null, snapshottedAt: snapshot.toISOString(), ageSeconds: null, seconds: elapsed(clock), message };
  }
  const ageSeconds = (snapshot.getTime() - loaded) / 1000;
  const status = freshnessStatus(ageSeconds, criteria);
  const limit = status === 'error' ? criteria.errorAfter : status === 'warn' ? criteria.warnAfter : null;
  return {
    ...base,
    status,
    maxLoadedAt: new Date(loaded).toISOString(),
    snapshottedAt: snapshot.toISOString(),
    ageSeconds,
    seconds: elapsed(clock),
    message: limit === null ? '' : `${describeAge(ageSeconds)} since the last row was loaded (${status} after ${describeTime(limit)})`,
  };
}

/** `45 s`, `12 min`, `1 hour`, `3.2 hours`, `4.5 days`. */
export function describeAge(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const [value, unit] = seconds < 172_800 ? [Math.round(seconds / 360) / 10, 'hour'] : [Math.round(seconds / 8640) / 10, 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}
