/**
 * Snapshots, as dbt has them (https://docs.getdbt.com/docs/build/snapshots): a type-2 history
 * of what a SELECT returns. Each build compares the select's rows with the current version of
 * each `unique_key` and writes a new version of the rows that changed, so a table that is
 * overwritten in place (the Salesforce people a sync pulls) keeps its past.
 *
 * A snapshot is a `.sql` file under a layer's `snapshots/` folder, in either of dbt's forms:
 * - the legacy block, `{% snapshot people_history %} {{ config(…) }} select … {% endsnapshot %}`
 *   (several blocks per file allowed; the block names the snapshot);
 * - a plain file named after the snapshot, `snapshots/people_history.sql`, holding
 *   `{{ config(…) }} select …`.
 * Either way it becomes a {@link Model} with `materialized: 'snapshot'`, so `ref()`, the DAG,
 * selectors and data tests treat it as any model; `build` runs it in DAG order, as `dbt build`
 * does. A `.sql` file outside `snapshots/` cannot be a snapshot.
 *
 * Config (dbt's names): `unique_key` (required: a column or a list of columns),
 * `strategy='timestamp'` with `updated_at='col'`, or `strategy='check'` with
 * `check_cols=['a', 'b']` or `'all'` (and optionally `updated_at`); `hard_deletes='invalidate'`
 * (dbt ≥ 1.9) or its older spelling `invalidate_hard_deletes=true`; `target_schema` (dbt's
 * legacy key) or `schema`, default `models.schema`; `tags`, `enabled`.
 *
 * The table has the select's columns, then `dbt_scd_id`, `dbt_updated_at`, `dbt_valid_from`
 * and `dbt_valid_to` (NULL for the current version). How it is built: sql/engine/snapshot-build.ts.
 */
import { basename } from 'node:path';
import { ModelError } from './errors.js';
import type { ModelConfig, SnapshotConfig } from './model.js';

/** One snapshot a file defines: its name and the template to render (config() and the select). */
export interface SnapshotSource {
  name: string;
  /** The block's body, after as many newlines as the file had before it, so template errors keep the file's line numbers. */
  template: string;
}

/** The columns a snapshot adds to the select's, in their table order. */
export const SNAPSHOT_META_COLUMNS = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'] as const;

const OPENING = /\{%-?\s*snapshot\b\s*([^%]*?)\s*-?%\}/g;
const OPENING_ONE = /\{%-?\s*snapshot\b/;
const CLOSING = /\{%-?\s*endsnapshot\s*-?%\}/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The snapshots a file under `snapshots/` defines: each `{% snapshot name %} … {% endsnapshot %}`
 * block, or, without blocks, one snapshot named after the file.
 * @param path relative to its layer, e.g. `snapshots/people.sql`
 * @example snapshotsIn("{% snapshot people_history %}\nselect 1 as id\n{% endsnapshot %}", 'snapshots/p.sql') → [{ name: 'people_history', template: '\nselect 1 as id\n' }]
 */
export function snapshotsIn(text: string, path: string): SnapshotSource[] {
  const openings = [...text.matchAll(OPENING)];
  if (openings.length === 0) return [{ name: basename(path, '.sql'), template: text }];
  return openings.map((opening) => {
    const name = opening[1] ?? '';
    const start = (opening.index ?? 0) + opening[0].length;
    const rest = text.slice(start);
    const closing = CLOSING.exec(rest);
    const next = rest.search(OPENING_ONE);
    if (!IDENTIFIER.test(name)) {
      throw new ModelError('SB_MODEL_TEMPLATE', `${path}: "${opening[0]}" needs a name: {% snapshot people_history %} (letters, digits and _).`);
    }
    if (closing === null || (next !== -1 && next < closing.index)) {
      throw new ModelError('SB_MODEL_TEMPLATE', `${path}: {% snapshot ${name} %} has no {% endsnapshot %} after it; end the block before the next one.`);
    }
    const lines = text.slice(0, start).split('\n').length - 1;
    return { name, template: '\n'.repeat(lines) + rest.slice(0, closing.index) };
  });
}

const KNOWN = ['materialized', 'unique_key', 'strategy', 'updated_at', 'check_cols', 'hard_deletes', 'invalidate_hard_deletes', 'target_schema', 'schema', 'tags', 'enabled'];

/**
 * A snapshot's config() values as a {@link ModelConfig} with its {@link SnapshotConfig}.
 * @throws SB_MODEL_CONFIG naming the setting and what it takes
 * @example parseSnapshotConfig({ unique_key: 'id', strategy: 'timestamp', updated_at: 'updated_at' }, 'snapshots/orders.sql')
 */
export function parseSnapshotConfig(values: Record<string, unknown>, path: string): ModelConfig {
  const fail = (message: string): never => {
    throw new ModelError('SB_MODEL_CONFIG', `${path}: config(${message})`);
  };
  for (const key of Object.keys(values)) if (!KNOWN.includes(key)) fail(`${key}=…): not a snapshot setting; use ${KNOWN.join(', ')}`);
  if (values.materialized !== undefined && values.materialized !== 'snapshot') {
    fail(`materialized='${String(values.materialized)}'): a file in snapshots/ is a snapshot; move it out of snapshots/ to make it a model`);
  }
  const uniqueKey = columns(values.unique_key, 'unique_key', fail);
  if (uniqueKey.length === 0) fail(`unique_key=…): a snapshot needs the column (or columns) that identify a row, e.g. unique_key='id' or unique_key=['id', 'phone_field']`);
  const strategy = values.strategy;
  if (strategy !== 'timestamp' && strategy !== 'check') fail(`strategy=…): 'timestamp' (with updated_at='col') or 'check' (with check_cols=['a', 'b'] or 'all')`);
  const updatedAt = values.updated_at === undefined ? undefined : column(values.updated_at, 'updated_at', fail);
  if (strategy === 'timestamp' && updatedAt === undefined) fail(`strategy='timestamp'): also give updated_at='…', the column that rises whenever a row changes`);
  let checkCols: readonly string[] | 'all' = [];
  if (strategy === 'check') {
    checkCols = values.check_cols === 'all' ? 'all' : columns(values.check_cols, 'check_cols', fail);
    if (checkCols.length === 0) fail(`strategy='check'): also give check_cols=['a', 'b'] (the columns compared) or check_cols='all'`);
  } else if (values.check_cols !== undefined) {
    fail(`check_cols=…): only strategy='check' compares columns`);
  }
  return {
    materialized: 'snapshot',
    incrementalStrategy: 'delete+insert', // unused: a snapshot plans its own writes
    onSchemaChange: 'rebuild', // unused too
    enabled: flag(values.enabled, 'enabled', fail) !== false,
    uniqueKey,
    tags: stringList(values.tags, 'tags', fail),
    schema: targetSchema(values, fail),
    mergeWindowColumn: undefined,
    updatedAt: undefined,
    snapshot: { strategy: strategy as SnapshotConfig['strategy'], updatedAt, checkCols, hardDeletes: hardDeletes(values, fail) },
  };
}

/** `hard_deletes` (dbt ≥ 1.9) or `invalidate_hard_deletes` (before): they must agree when both are given. */
function hardDeletes(values: Record<string, unknown>, fail: (m: string) => never): SnapshotConfig['hardDeletes'] {
  const legacy = flag(values.invalidate_hard_deletes, 'invalidate_hard_deletes', fail);
  const given = values.hard_deletes;
  if (given === 'new_record') fail(`hard_deletes='new_record'): not supported; use 'invalidate' (closes the deleted row's current version) or 'ignore'`);
  if (given !== undefined && given !== 'ignore' && given !== 'invalidate') fail(`hard_deletes='${String(given)}'): 'ignore' or 'invalidate'`);
  const chosen = (given as SnapshotConfig['hardDeletes'] | undefined) ?? (legacy === true ? 'invalidate' : 'ignore');
  if (legacy !== undefined && given !== undefined && (legacy ? 'invalidate' : 'ignore') !== given) {
    fail(`invalidate_hard_deletes=${String(legacy)}): it contradicts hard_deletes='${String(given)}'; keep hard_deletes only`);
  }
  return chosen;
}

/** `target_schema` (dbt's legacy key) or `schema`: a lower-case identifier; undefined means models.schema. */
function targetSchema(values: Record<string, unknown>, fail: (m: string) => never): string | undefined {
  const { target_schema: legacy, schema } = values;
  if (legacy !== undefined && schema !== undefined && legacy !== schema) fail(`target_schema=…): it contradicts schema='${String(schema)}'; keep one`);
  const chosen = legacy ?? schema;
  if (chosen !== undefined && (typeof chosen !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(chosen))) fail(`${legacy === undefined ? 'schema' : 'target_schema'}=…): a lower-case identifier`);
  return chosen as string | undefined;
}

function flag(value: unknown, key: string, fail: (m: string) => never): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(`${key}=…): true or false`);
  return value as boolean | undefined;
}

function column(value: unknown, key: string, fail: (m: string) => never): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    return fail(`${key}=…): a column name of the select (an expression must become a column of the select first)`);
  }
  return value;
}

function columns(value: unknown, key: string, fail: (m: string) => never): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => column(v, key, fail));
  return [column(value, key, fail)];
}

function stringList(value: unknown, key: string, fail: (m: string) => never): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return fail(`${key}=…): a string or a list of strings`);
}
