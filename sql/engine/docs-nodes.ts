/**
 * The entries of dbt's manifest (docs-artifacts.ts) for what a Switchboard project has:
 * models, seeds and snapshots (by their materialization), data tests, and sources. Each is
 * dbt's node with dbt's field names, types and meanings (manifest v12,
 * https://schemas.getdbt.com/dbt/manifest/v12.json).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { SqlDialect } from '../dialect.js';
import { compileModel, modelSchema, type CompileOptions } from './compile.js';
import { compileDataTest, type DataTest } from './data-tests.js';
import type { ColumnProperties, DocsProperties } from './docs-properties.js';
import type { Model, Project } from './model.js';

/** A manifest entry: dbt's fields, as JSON. */
export type ManifestEntry = Record<string, unknown> & { unique_id: string; resource_type: string; name: string; package_name: string };

/** What every entry is built with. */
export interface NodeContext {
  project: Project;
  /** The configured warehouse's dialect: relation names and compiled code are its SQL. */
  dialect: SqlDialect;
  /** The project's compile settings (`modelsRuntime(…).settings`). */
  settings: Omit<CompileOptions, 'dialect' | 'incremental'>;
  /** Include compiled SQL (dbt's `compiled_code`). */
  compile: boolean;
  properties: DocsProperties;
  /** dbt's `created_at`, epoch seconds. */
  createdAt: number;
  /** The manifest's sources, by `<source>.<table>` ({@link sourceEntries}). */
  sources: Record<string, ManifestEntry>;
}

/** `model`, or `seed` / `snapshot` for models materialized so. */
export function resourceTypeOf(model: Model): 'model' | 'seed' | 'snapshot' {
  const materialized = model.config.materialized as string;
  return materialized === 'seed' || materialized === 'snapshot' ? materialized : 'model';
}

/** `model.switchboard.calls`, `seed.project.queue_sla_targets`, … */
export function nodeId(model: Model): string {
  return `${resourceTypeOf(model)}.${model.package}.${model.name}`;
}

/**
 * A model, seed or snapshot as dbt's node (the schema's `Model`, `Seed` or `Snapshot`). Only
 * models get `compiled_code`: a seed has no SQL, and a snapshot's is its materialization's.
 */
export function modelNode(context: NodeContext, model: Model): ManifestEntry {
  const { project } = context;
  const type = resourceTypeOf(model);
  const schema = modelSchema(model, context.settings.targetSchema);
  const root = basename(project.layers[model.layer]?.dir ?? '');
  // dbt's `path` is relative to the resource's folder (seed-paths, snapshot-paths).
  const path = type === 'model' ? model.path : model.path.replace(new RegExp(`^${type}s/`), '');
  const props = context.properties.models.get(model.name);
  const common = {
    database: null,
    schema,
    name: model.name,
    resource_type: type,
    package_name: model.package,
    path,
    original_file_path: `${root}/${model.path}`,
    unique_id: nodeId(model),
    fqn: [model.package, ...path.split('/').slice(0, -1), model.name],
    alias: model.name,
    checksum: { name: 'sha256', checksum: createHash('sha256').update(model.template).digest('hex') },
    config: configOf(model),
    tags: [...model.config.tags],
    description: props?.description ?? '',
    columns: columnsOf(props?.columns),
    meta: props?.meta ?? {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: props?.patchPath ?? null,
    build_path: null,
    unrendered_config: {},
    created_at: context.createdAt,
    relation_name: context.dialect.tableName(schema, model.name),
  };
  if (type === 'seed') return { ...common, raw_code: '', root_path: null, depends_on: { macros: [] } };
  const compiled = context.compile && type === 'model' ? compileModel(project, model, { ...context.settings, dialect: context.dialect }) : null;
  return {
    ...common,
    raw_code: model.template,
    language: 'sql',
    refs: model.refs.map((name) => ({ name, package: null, version: null })),
    sources: model.sources.map(([s, t]) => [s, t]),
    metrics: [],
    depends_on: {
      macros: [],
      nodes: [...model.refs.map((name) => nodeId(project.models.get(name) as Model)), ...model.sources.map(([s, t]) => (context.sources[`${s}.${t}`] as ManifestEntry).unique_id)],
    },
    ...compiledFields(compiled),
    ...(type === 'model'
      ? { access: 'protected', constraints: [], version: null, latest_version: null, deprecation_date: null, primary_key: [...model.config.uniqueKey], time_spine: null }
      : {}),
  };
}

/**
 * A model's config as dbt spells it: `uniqueKey` → `unique_key` and so on for every setting
 * the model has (`merge_window_column`, `updated_at`, and what later materializations add).
 */
function configOf(model: Model): Record<string, unknown> {
  const out: Record<string, unknown> = { enabled: true, alias: null, schema: null, database: null, tags: [], meta: {}, materialized: model.config.materialized };
  for (const [key, value] of Object.entries(model.config)) {
    if (value === undefined) continue;
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  // dbt: a string for one column, a list for several, null for none.
  const key = model.config.uniqueKey;
  out.unique_key = key.length === 0 ? null : key.length === 1 ? key[0] : [...key];
  return out;
}

function columnsOf(columns: ReadonlyMap<string, ColumnProperties> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns?.values() ?? []) {
    out[column.name] = { name: column.name, description: column.description, meta: column.meta, data_type: column.dataType, constraints: [], quote: null, tags: [], granularity: null };
  }
  return out;
}

/** dbt's built-in generic tests have no namespace; unique_combination_of_columns is dbt_utils'. */
const NAMESPACE: Partial<Record<DataTest['kind'], string>> = { unique_combination_of_columns: 'dbt_utils' };

/** A data test as dbt's generic test node: `test_metadata` (name, kwargs), `attached_node`, `column_name`. */
export function testNode(context: NodeContext, test: DataTest): ManifestEntry {
  const { project } = context;
  const model = project.models.get(test.model) as Model;
  const layer = project.layers[test.layer ?? model.layer];
  const pkg = layer?.package ?? model.package;
  const schema = modelSchema(model, context.settings.targetSchema);
  const reads = test.kind === 'relationships' ? [test.model, test.args[0] as string] : [test.model];
  const kwargs: Record<string, unknown> = { ...(test.column === undefined ? {} : { column_name: test.column }), model: `{{ get_where_subquery(ref('${test.model}')) }}` };
  if (test.kind === 'accepted_values') kwargs.values = [...test.args];
  if (test.kind === 'relationships') Object.assign(kwargs, { to: `ref('${test.args[0]}')`, field: test.args[1] });
  if (test.kind === 'unique_combination_of_columns') kwargs.combination_of_columns = [...test.args];
  const namespace = NAMESPACE[test.kind] ?? null;
  const relation = (name: string) => context.dialect.tableName(modelSchema(project.models.get(name) as Model, context.settings.targetSchema), name);
  const compiled = context.compile ? compileDataTest(test, context.dialect, relation(test.model), relation) : null;
  return {
    database: null,
    schema,
    name: test.name,
    resource_type: 'test',
    package_name: pkg,
    path: `${test.name}.sql`,
    original_file_path: `${basename(layer?.dir ?? '')}/${test.path}`,
    unique_id: `test.${pkg}.${test.name}`,
    fqn: [pkg, ...test.path.split('/').slice(0, -1), test.name],
    alias: test.name,
    checksum: { name: 'none', checksum: '' },
    config: {
      enabled: true,
      alias: null,
      schema: null,
      database: null,
      tags: [],
      meta: {},
      materialized: 'test',
      severity: test.severity.toUpperCase(),
      store_failures: null,
      where: null,
      limit: null,
      fail_calc: 'count(*)',
      warn_if: '!= 0',
      error_if: '!= 0',
    },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: {},
    created_at: context.createdAt,
    relation_name: null,
    // What dbt writes for a generic test: the macro it calls with the YAML's arguments.
    raw_code: `{{ ${namespace === null ? '' : `${namespace}.`}test_${test.kind}(**_dbt_generic_test_kwargs) }}`,
    language: 'sql',
    refs: reads.map((name) => ({ name, package: null, version: null })),
    sources: [],
    metrics: [],
    depends_on: { macros: [], nodes: [...new Set(reads)].map((name) => nodeId(project.models.get(name) as Model)) },
    ...compiledFields(compiled),
    column_name: test.column ?? null,
    file_key_name: `models.${test.model}`,
    attached_node: nodeId(model),
    test_metadata: { name: test.kind, kwargs, namespace },
  };
}

/**
 * Every source a model reads or a YAML declares, by `<source>.<table>`. A source belongs to the
 * package of the earliest layer that declares or reads it.
 */
export function sourceEntries(context: NodeContext): Record<string, ManifestEntry> {
  const { project, properties } = context;
  const readers = new Map<string, Model[]>();
  for (const model of project.models.values()) {
    for (const [s, t] of model.sources) readers.set(`${s}.${t}`, [...(readers.get(`${s}.${t}`) ?? []), model]);
  }
  const keys = [...new Set([...readers.keys(), ...properties.sources.keys()])].sort(compare);
  const out: Record<string, ManifestEntry> = {};
  for (const key of keys) {
    const declared = properties.sources.get(key);
    const first = (readers.get(key) ?? []).sort((a, b) => a.layer - b.layer || compare(a.name, b.name))[0];
    const [source, table] = declared === undefined ? (first?.sources.find(([s, t]) => `${s}.${t}` === key) as readonly [string, string]) : [declared.source, declared.table];
    // The earliest layer that declares or reads it: a user's YAML that re-describes a bundled raw table keeps its id.
    const pkg = project.layers[Math.min(declared?.layer ?? Infinity, first?.layer ?? Infinity)]?.package ?? 'switchboard';
    const path = declared?.path ?? `${basename(project.layers[first?.layer ?? 0]?.dir ?? '')}/${first?.path ?? ''}`;
    const schema = context.settings.sources[source] ?? source;
    out[key] = {
      database: null,
      schema,
      name: table,
      resource_type: 'source',
      package_name: pkg,
      path,
      original_file_path: path,
      unique_id: `source.${pkg}.${source}.${table}`,
      fqn: [pkg, source, table],
      source_name: source,
      source_description: declared?.sourceDescription ?? '',
      // The configured sources (warehouse.rawSchema) are what Switchboard itself lands.
      loader: declared?.loader ?? (source in context.settings.sources ? 'switchboard' : ''),
      identifier: table,
      quoting: { database: null, schema: null, identifier: null, column: null },
      loaded_at_field: declared?.loadedAtField ?? null,
      freshness: declared?.freshness ?? null,
      external: null,
      description: declared?.description ?? '',
      columns: columnsOf(declared?.columns),
      meta: declared?.meta ?? {},
      source_meta: {},
      tags: [],
      config: { enabled: true },
      patch_path: null,
      unrendered_config: {},
      relation_name: context.dialect.tableName(schema, table),
      created_at: context.createdAt,
    };
  }
  return out;
}

/** Code-point order, the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** dbt's fields of a compiled node: Switchboard compiles in memory, with no CTEs injected and no contract. */
function compiledFields(compiled: string | null): Record<string, unknown> {
  return {
    compiled_path: null,
    compiled: compiled !== null,
    compiled_code: compiled,
    extra_ctes_injected: false,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
}
