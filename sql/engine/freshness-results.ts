/**
 * Where source freshness results go: `<models.targetDir>/sources.json`, in the shape of dbt's
 * sources artifact (v3), and `<models.schema>.sb_source_freshness`, one row per table per
 * check, which `switchboard status` and the `staleSources` alert read back
 * ({@link latestFreshness}).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { switchboardVersion } from '../../core/version.js';
import type { TableSpec } from '../dialect.js';
import type { SqlRow, Warehouse } from '../warehouse.js';
import type { FreshnessResults, FreshnessStatus } from './freshness.js';
import { thresholdSeconds, type FreshnessCriteria, type FreshnessTime } from './sources.js';

/** `<schema>.sb_source_freshness`: every table of every check. */
export function sourceFreshnessTable(schema: string): TableSpec {
  return {
    schema,
    name: 'sb_source_freshness',
    columns: [
      { name: 'check_id', type: 'text', nullable: false },
      /** The --select of a manual check (space-separated); null when every declared table was checked. */
      { name: 'selection', type: 'text' },
      { name: 'unique_id', type: 'text', nullable: false },
      { name: 'source_name', type: 'text', nullable: false },
      { name: 'table_name', type: 'text', nullable: false },
      /** pass | warn | error | runtime error */
      { name: 'status', type: 'text', nullable: false },
      { name: 'max_loaded_at', type: 'timestamp' },
      { name: 'snapshotted_at', type: 'timestamp', nullable: false },
      { name: 'age_seconds', type: 'double' },
      { name: 'warn_after_seconds', type: 'bigint' },
      { name: 'error_after_seconds', type: 'bigint' },
      { name: 'loaded_at_field', type: 'text', nullable: false },
      { name: 'message', type: 'text', nullable: false },
      { name: 'check_started_at', type: 'timestamp', nullable: false },
    ],
    primaryKey: ['check_id', 'unique_id'],
  };
}

/** dbt's sources.json (https://schemas.getdbt.com/dbt/sources/v3.json). */
export function sourcesArtifact(results: FreshnessResults): Record<string, unknown> {
  const time = (t: FreshnessTime | null) => (t === null ? { count: null, period: null } : { count: t.count, period: t.period });
  const criteria = (c: FreshnessCriteria) => ({ warn_after: time(c.warnAfter), error_after: time(c.errorAfter), filter: c.filter });
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/sources/v3.json',
      dbt_version: null,
      generator: `switchboard ${switchboardVersion()}`,
      generated_at: results.finishedAt,
      invocation_id: results.checkId,
      env: {},
    },
    results: results.results.map((r) => {
      const timing = [{ name: 'execute', started_at: r.snapshottedAt, completed_at: r.snapshottedAt }];
      if (r.status === 'runtime error') return { unique_id: r.uniqueId, error: r.message, status: r.status, timing, thread_id: 'main', execution_time: r.seconds, adapter_response: {} };
      return {
        unique_id: r.uniqueId,
        max_loaded_at: r.maxLoadedAt,
        snapshotted_at: r.snapshottedAt,
        max_loaded_at_time_ago_in_s: r.ageSeconds,
        status: r.status,
        criteria: criteria(r.criteria),
        adapter_response: {},
        timing,
        thread_id: 'main',
        execution_time: r.seconds,
      };
    }),
    elapsed_time: results.seconds,
  };
}

/**
 * Saves `results` as `<targetDir>/sources.json` (replaced atomically) and appends them to
 * `<schema>.sb_source_freshness` (created by the migration engine/0002_source_freshness).
 */
export async function saveFreshnessResults(warehouse: Warehouse, results: FreshnessResults, where: { targetDir: string; schema: string }): Promise<void> {
  await mkdir(where.targetDir, { recursive: true });
  const file = join(where.targetDir, 'sources.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(sourcesArtifact(results), null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  const seconds = (t: FreshnessTime | null) => (t === null ? null : thresholdSeconds(t));
  const rows = results.results.map((r) => ({
    check_id: results.checkId,
    selection: results.selection === null ? null : results.selection.join(' '),
    unique_id: r.uniqueId,
    source_name: r.source,
    table_name: r.table,
    status: r.status,
    max_loaded_at: r.maxLoadedAt === null ? null : new Date(r.maxLoadedAt),
    snapshotted_at: new Date(r.snapshottedAt),
    age_seconds: r.ageSeconds,
    warn_after_seconds: seconds(r.criteria.warnAfter),
    error_after_seconds: seconds(r.criteria.errorAfter),
    loaded_at_field: r.loadedAtField,
    message: r.message,
    check_started_at: new Date(results.startedAt),
  }));
  if (rows.length > 0) await warehouse.writeRows(sourceFreshnessTable(where.schema), rows);
}

/** The latest freshness of one source table, as `switchboard status` shows it. */
export interface LatestFreshness {
  /** `raw.voice_events` */
  name: string;
  status: FreshnessStatus;
  maxLoadedAt: string | null;
  snapshottedAt: string;
  ageSeconds: number | null;
  warnAfterSeconds: number | null;
  errorAfterSeconds: number | null;
  message: string;
}

/** Worst first. */
const RANK: Readonly<Record<string, number>> = { 'runtime error': 0, error: 1, warn: 2, pass: 3 };

/**
 * Each table's latest result, worst first (then by name): the tables of the latest check of
 * every declared table, each with its newest row (a later `--select` check of it counts). A
 * table no longer declared, or switched off, drops out at the next full check.
 * @example await latestFreshness(warehouse, 'analytics') // [{ name: 'raw.meetings_events', status: 'error', … }, …]
 */
export async function latestFreshness(warehouse: Warehouse, schema: string, signal?: AbortSignal): Promise<LatestFreshness[]> {
  const d = warehouse.dialect;
  const t = d.tableName(schema, 'sb_source_freshness');
  const epoch = `CAST(${d.stringLiteral('1970-01-01T00:00:00Z')} AS ${d.typeName('timestamp')})`;
  const rows = await warehouse.all(
    `SELECT source_name, table_name, status, max_loaded_at, snapshotted_at, age_seconds, warn_after_seconds, error_after_seconds, message FROM (` +
      `SELECT f.*, ROW_NUMBER() OVER (PARTITION BY unique_id ORDER BY check_started_at DESC, snapshotted_at DESC) AS sb_rank FROM ${t} f ` +
      `WHERE check_started_at >= (SELECT COALESCE(MAX(check_started_at), ${epoch}) FROM ${t} WHERE selection IS NULL)) ranked WHERE sb_rank = 1`,
    [],
    signal === undefined ? {} : { signal },
  );
  return rows.map(toLatest).sort((a, b) => (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || a.name.localeCompare(b.name));
}

function toLatest(row: SqlRow): LatestFreshness {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    name: `${String(row.source_name)}.${String(row.table_name)}`,
    status: String(row.status) as FreshnessStatus,
    maxLoadedAt: row.max_loaded_at === null || row.max_loaded_at === undefined ? null : String(row.max_loaded_at),
    snapshottedAt: String(row.snapshotted_at),
    ageSeconds: num(row.age_seconds),
    warnAfterSeconds: num(row.warn_after_seconds),
    errorAfterSeconds: num(row.error_after_seconds),
    message: String(row.message ?? ''),
  };
}
