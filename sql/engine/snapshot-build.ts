/**
 * How a snapshot (sql/engine/snapshots.ts) is built, as plans: dbt's snapshot
 * materialization (https://docs.getdbt.com/docs/build/snapshots; its SQL is in dbt-adapters'
 * macros/materializations/snapshots/: helpers.sql, strategies.sql, snapshot_merge.sql).
 *
 * Each run:
 * 1. {@link planSnapshotStage}: the select's rows into `<name>__sb_source` (DDL). The select
 *    then runs once however often the comparison reads it, and its columns are known before
 *    comparing (`check_cols='all'`, columns new to the table).
 * 2. The runner reads the stage's and the table's columns, and refuses a `unique_key` that is
 *    duplicated or NULL in the stage ({@link snapshotKeyCheck}): nothing is written then.
 * 3. {@link planSnapshot}. First run: the table is the staged rows, every one current, with
 *    `dbt_valid_from` = `updated_at` (timestamp) or the snapshot time (check). Later runs, as
 *    dbt's staging table and merge: stage the changes (`<name>__sb_changes`, one row per
 *    insert, update or delete in `dbt_change_type`), add the columns the select gained, then
 *    close the current versions updated or deleted (`dbt_valid_to`) and insert the new
 *    versions as one atomic group; drop both stages. Keys that did not change are untouched.
 *
 * As dbt does it:
 * - timestamp: a key changed when its `updated_at` is later than its current version's
 *   `dbt_valid_from`; the old version closes at the new `updated_at`, where the new one starts.
 * - check: a key changed when a check column IS DISTINCT FROM the current version's
 *   (NULL-safe: NULL → 'x' and 'x' → NULL are changes, NULL → NULL is not), or for every key
 *   once a check column is new to the table (dbt's `column_added`). Versions change at the
 *   snapshot time, or at `updated_at` when one is configured.
 * - `dbt_scd_id`: a hash of the key and the version's `dbt_updated_at` (SHA-256 here, MD5 in
 *   dbt); `dbt_updated_at` = `dbt_valid_from`.
 * - hard deletes (`invalidate`): a current key the select no longer returns is closed at the
 *   snapshot time, and a key that comes back gets a new version.
 * Two differences, both deliberate: the snapshot time is one instant per run from the build's
 * clock (dbt reads the warehouse's `current_timestamp`), written as a literal so that plans
 * are values; and a select that returns no rows at all closes nothing, since an empty source
 * is far likelier a table being reloaded (the Salesforce people after `--full-refresh`) than
 * every row deleted.
 */
import type { SqlDialect } from '../dialect.js';
import { listColumns } from '../introspect.js';
import type { Warehouse } from '../warehouse.js';
import { ModelError } from './errors.js';
import { executePlan } from './execute.js';
import type { Statement } from './materialize.js';
import type { Model, SnapshotConfig } from './model.js';
import { SNAPSHOT_META_COLUMNS } from './snapshots.js';

/** A column of the staged select, as the warehouse's catalog names its type. */
export interface StagedColumn {
  name: string;
  /** e.g. `VARCHAR`, `timestamp with time zone`: used for columns the table gains. */
  dataType: string;
}

export interface SnapshotPlanOptions {
  dialect: SqlDialect;
  schema: string;
  /** The snapshot time: when check versions start and end, and when deleted keys close. */
  now: Date;
  /** The staged select's columns, in order. */
  source: readonly StagedColumn[];
  /** The snapshot table's columns, or null when it does not exist yet (first run). */
  target: readonly string[] | null;
}

/** The names of a snapshot's stages beside its table. */
function stages(name: string): { source: string; changes: string } {
  return { source: `${name}__sb_source`, changes: `${name}__sb_changes` };
}

/**
 * Step 1: the select's rows into the source stage.
 * @example planSnapshotStage(model, { dialect, schema: 'analytics', select: 'select id, phone from …' })
 */
export function planSnapshotStage(model: Model, options: { dialect: SqlDialect; schema: string; select: string }): Statement[] {
  const { dialect: d, schema } = options;
  const source = d.tableName(schema, stages(model.name).source);
  const description = `stage the select of ${schema}.${model.name}`;
  return [
    { description: `schema ${schema}`, sql: d.createSchema(schema), ddl: true },
    { description, sql: d.dropTable(source), ddl: true },
    { description, sql: `CREATE TABLE ${source} AS\n${options.select}`, ddl: true },
  ];
}

/** A query returning up to three `unique_key` values that are duplicated or NULL in the source stage (none when the key is sound), with their count `n`. */
export function snapshotKeyCheck(model: Model, d: SqlDialect, schema: string): string {
  const keys = model.config.uniqueKey.map((k) => d.quoteIdent(k));
  const nulls = keys.map((k) => `${k} IS NULL`).join(' OR ');
  return `SELECT ${keys.join(', ')}, COUNT(*) AS n FROM ${d.tableName(schema, stages(model.name).source)} GROUP BY ${keys.join(', ')} HAVING COUNT(*) > 1 OR ${nulls} ORDER BY n DESC LIMIT 3`;
}

/**
 * Why the staged select cannot be snapshotted into the table, or null: a column the snapshot
 * adds itself, a configured column the select lacks, or a table of that name that is no snapshot.
 */
export function snapshotProblem(model: Model, schema: string, source: readonly string[], target: readonly string[] | null): ModelError | null {
  const config = snapshotConfig(model);
  const reserved = source.filter((c) => [...SNAPSHOT_META_COLUMNS, 'dbt_change_type'].includes(c));
  if (reserved.length > 0) {
    return new ModelError('SB_MODEL_SNAPSHOT_COLUMNS', `the select returns ${reserved.join(', ')}, which the snapshot adds itself; rename ${reserved.length === 1 ? 'it' : 'them'} in the select.`);
  }
  const named: Array<[string, readonly string[]]> = [
    ['unique_key', model.config.uniqueKey],
    ['updated_at', config.updatedAt === undefined ? [] : [config.updatedAt]],
    ['check_cols', config.checkCols === 'all' ? [] : config.checkCols],
  ];
  for (const [key, columns] of named) {
    const missing = columns.filter((c) => !source.includes(c));
    if (missing.length > 0) {
      return new ModelError('SB_MODEL_SNAPSHOT_COLUMNS', `config(${key}=…) names ${missing.join(', ')}, which the select does not return (it returns ${source.join(', ')}). Fix the name or the select.`);
    }
  }
  const absent = target === null ? [] : SNAPSHOT_META_COLUMNS.filter((c) => !target.includes(c));
  if (absent.length > 0) {
    return new ModelError(
      'SB_MODEL_SNAPSHOT_COLUMNS',
      `${schema}.${model.name} exists but is no snapshot (it has no ${absent.join(', ')}), and a snapshot never replaces a table: drop or rename that table, or give the snapshot another name.`,
    );
  }
  return null;
}

/**
 * Step 3: build the table (first run) or merge the changes into it (later runs).
 * @example planSnapshot(model, { dialect, schema: 'analytics', now: new Date(), source: [{ name: 'id', dataType: 'VARCHAR' }], target: null })
 */
export function planSnapshot(model: Model, options: SnapshotPlanOptions): Statement[] {
  const { dialect: d, schema } = options;
  const config = snapshotConfig(model);
  const q = (column: string) => d.quoteIdent(column);
  const label = `${schema}.${model.name}`;
  const target = d.tableName(schema, model.name);
  const names = stages(model.name);
  const source = d.tableName(schema, names.source);
  const changes = d.tableName(schema, names.changes);
  const columns = options.source.map((c) => c.name);
  const now = `CAST(${d.stringLiteral(options.now.toISOString())} AS ${d.typeName('timestamp')})`;
  const updatedAt = config.updatedAt === undefined ? now : `s.${q(config.updatedAt)}`;
  const text = d.typeName('text');
  const scdId = d.sha256Hex([...model.config.uniqueKey.map((k) => `s.${q(k)}`), updatedAt].map((e) => `COALESCE(CAST(${e} AS ${text}), '')`).join(` || '|' || `));
  const sourceColumns = columns.map((c) => `s.${q(c)}`).join(', ');
  const dropStages = [
    { description: `drop the stages of ${label}`, sql: d.dropTable(changes), ddl: true },
    { description: `drop the stages of ${label}`, sql: d.dropTable(source), ddl: true },
  ];

  if (options.target === null) {
    const select = `SELECT ${sourceColumns}, ${scdId} AS ${q('dbt_scd_id')}, ${updatedAt} AS ${q('dbt_updated_at')}, ${updatedAt} AS ${q('dbt_valid_from')}, NULLIF(${updatedAt}, ${updatedAt}) AS ${q('dbt_valid_to')}\nFROM ${source} AS s`;
    return [{ description: `create ${label}`, sql: `CREATE TABLE ${target} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${target}`, ddl: true }, ...dropStages];
  }

  const existing = options.target;
  const on = model.config.uniqueKey.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const firstKey = q(model.config.uniqueKey[0] as string);
  const changed = rowChanged(config, columns, existing, d);
  const meta = (scd: string, validTo: string) => `${scd} AS ${q('dbt_scd_id')}, ${updatedAt} AS ${q('dbt_updated_at')}, ${updatedAt} AS ${q('dbt_valid_from')}, ${validTo} AS ${q('dbt_valid_to')}`;
  const parts = [
    `snapshotted_data AS (\n  SELECT * FROM ${target} WHERE ${q('dbt_valid_to')} IS NULL\n)`,
    `insertions AS (\n  SELECT 'insert' AS ${q('dbt_change_type')}, ${sourceColumns}, ${meta(scdId, `NULLIF(${updatedAt}, ${updatedAt})`)}\n` +
      `  FROM ${source} AS s\n  LEFT JOIN snapshotted_data AS t ON ${on}\n  WHERE t.${firstKey} IS NULL OR ${changed}\n)`,
    `updates AS (\n  SELECT 'update' AS ${q('dbt_change_type')}, ${sourceColumns}, ${meta(`t.${q('dbt_scd_id')}`, updatedAt)}\n` +
      `  FROM ${source} AS s\n  JOIN snapshotted_data AS t ON ${on}\n  WHERE ${changed}\n)`,
  ];
  if (config.hardDeletes === 'invalidate') {
    parts.push(
      `deletes AS (\n  SELECT 'delete' AS ${q('dbt_change_type')}, ${sourceColumns}, t.${q('dbt_scd_id')} AS ${q('dbt_scd_id')}, ${now} AS ${q('dbt_updated_at')}, ${now} AS ${q('dbt_valid_from')}, ${now} AS ${q('dbt_valid_to')}\n` +
        `  FROM snapshotted_data AS t\n  LEFT JOIN ${source} AS s ON ${on}\n  WHERE s.${firstKey} IS NULL AND EXISTS (SELECT 1 FROM ${source})\n)`,
    );
  }
  const unions = ['insertions', 'updates', ...(config.hardDeletes === 'invalidate' ? ['deletes'] : [])].map((cte) => `SELECT * FROM ${cte}`).join('\nUNION ALL\n');
  const inserted = [...columns, ...SNAPSHOT_META_COLUMNS].map(q).join(', ');
  return [
    { description: `stage the changes of ${label}`, sql: d.dropTable(changes), ddl: true },
    { description: `stage the changes of ${label}`, sql: `CREATE TABLE ${changes} AS\nWITH ${parts.join(',\n')}\n${unions}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${changes}`, ddl: true },
    // dbt's create_columns: a column new to the select is added (earlier versions hold NULL there).
    ...options.source
      .filter((c) => !existing.includes(c.name))
      .map((c) => ({ description: `add column ${c.name} to ${label}`, sql: `ALTER TABLE ${target} ADD COLUMN ${q(c.name)} ${c.dataType}`, ddl: true })),
    {
      description: `close the changed versions in ${label}`,
      sql: d.updateFrom(target, `${changes} AS c`, (t) => ({
        set: { dbt_valid_to: `c.${q('dbt_valid_to')}` },
        where: `${t('dbt_scd_id')} = c.${q('dbt_scd_id')} AND c.${q('dbt_change_type')} IN ('update', 'delete') AND ${t('dbt_valid_to')} IS NULL`,
      })),
      atomicGroup: 'apply',
    },
    {
      description: `insert the new versions into ${label}`,
      sql:
        `INSERT INTO ${target} (${inserted})\nSELECT ${[...columns, ...SNAPSHOT_META_COLUMNS].map((c) => `c.${q(c)}`).join(', ')} FROM ${changes} AS c\n` +
        `WHERE c.${q('dbt_change_type')} = 'insert' AND NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t.${q('dbt_scd_id')} = c.${q('dbt_scd_id')})`,
      atomicGroup: 'apply',
    },
    ...dropStages,
  ];
}

/** dbt's `row_changed` for the strategy, over the current version `t` and the select's row `s`. */
function rowChanged(config: SnapshotConfig, columns: readonly string[], existing: readonly string[], d: SqlDialect): string {
  if (config.strategy === 'timestamp') return `(t.${d.quoteIdent('dbt_valid_from')} < s.${d.quoteIdent(config.updatedAt as string)})`;
  const checked = config.checkCols === 'all' ? columns : config.checkCols;
  if (checked.some((c) => !existing.includes(c))) return 'TRUE';
  return `(${checked.map((c) => d.isDistinctFrom(`t.${d.quoteIdent(c)}`, `s.${d.quoteIdent(c)}`)).join(' OR ')})`;
}

function snapshotConfig(model: Model): SnapshotConfig {
  if (model.config.snapshot === undefined) throw new Error(`${model.path}: ${model.name} is not a snapshot`);
  return model.config.snapshot;
}

/** What {@link buildSnapshot} did: rows written (first run) or changes merged, and how, for the run results. */
export interface SnapshotRun {
  rows: number | null;
  how: 'snapshot (first)' | 'snapshot (merge)';
}

/**
 * Runs one snapshot: stage, check, then build or merge. On failure the stages are dropped
 * and the table is as it was.
 * @param options.existing what `schema.<name>` is now (a view of that name is dropped first)
 * @param options.now the snapshot time; default the clock
 * @throws SB_MODEL_SNAPSHOT_KEY, SB_MODEL_SNAPSHOT_COLUMNS, or the warehouse's error
 */
export async function buildSnapshot(
  warehouse: Warehouse,
  model: Model,
  options: { schema: string; select: string; existing: 'table' | 'view' | null; now?: Date },
): Promise<SnapshotRun> {
  const d = warehouse.dialect;
  const { schema } = options;
  const now = options.now ?? new Date();
  const stage = planSnapshotStage(model, { dialect: d, schema, select: options.select });
  if (options.existing === 'view') stage.unshift({ description: 'drop old view', sql: d.dropView(d.tableName(schema, model.name)), ddl: true });
  try {
    await executePlan(warehouse, stage);
    const source = (await listColumns(warehouse, d, schema, stages(model.name).source)).map(({ name, dataType }) => ({ name, dataType }));
    const target = options.existing === 'table' ? (await listColumns(warehouse, d, schema, model.name)).map((c) => c.name) : null;
    const problem = snapshotProblem(model, schema, source.map((c) => c.name), target);
    if (problem !== null) throw problem;
    const bad = await warehouse.all(snapshotKeyCheck(model, d, schema));
    if (bad.length > 0) {
      const keys = bad.map((row) => `(${model.config.uniqueKey.map((k) => String(row[k])).join(', ')}) ×${String(row.n)}`).join(', ');
      throw new ModelError(
        'SB_MODEL_SNAPSHOT_KEY',
        `config(unique_key=…) must name one row of the select and never be NULL, but these keys are repeated or NULL: ${keys}. Fix the select (keep one row per key) or add columns to unique_key; nothing was written.`,
      );
    }
    const rows = await executePlan(warehouse, planSnapshot(model, { dialect: d, schema, now, source, target }));
    return { rows, how: target === null ? 'snapshot (first)' : 'snapshot (merge)' };
  } catch (error) {
    const names = stages(model.name);
    for (const name of [names.changes, names.source]) await warehouse.run(d.dropTable(d.tableName(schema, name))).catch(() => undefined);
    throw error;
  }
}
