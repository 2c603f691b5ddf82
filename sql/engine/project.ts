/**
 * Loads a models project: every `.sql` file under a layer's directory (outside `macros/`,
 * `seeds/`, `snapshots/` and `tests/`) is a model named after its file, every snapshot in
 * `snapshots/` (sql/engine/snapshots.ts) one more, and so is every `seeds/**\/*.csv` (a seed,
 * sql/engine/seeds.ts). Loading renders each
 * template with recording stand-ins to learn its config, refs and sources, and checks that
 * every ref() names a model.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { nearest } from '../../core/nearest.js';
import type { SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import { RESERVED_FOLDERS, type IncrementalStrategy, type Materialization, type OnSchemaChange, type Model, type ModelConfig, type Project, type ProjectLayer, type YamlDoc } from './model.js';
import { renderTemplate } from './render.js';
import { parseSnapshotConfig, snapshotsIn } from './snapshots.js';
import { checkSeedProperties, seedModel, seedProperties } from './seeds.js';

/** The models that ship with Switchboard (`models/` at the package root): the `switchboard` package. */
export const BUNDLED_MODELS_DIR = fileURLToPath(new URL('../../../models', import.meta.url));

const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'incremental', 'phone_lookup'];
const STRATEGIES: readonly IncrementalStrategy[] = ['delete+insert', 'merge', 'append'];
const ON_SCHEMA_CHANGE: readonly OnSchemaChange[] = ['rebuild', 'fail'];

/** What a project is loaded from: one folder, or layers (bundled package first, then user folders). */
export type ProjectInput = string | ReadonlyArray<string | ProjectLayer>;

export interface LoadOptions {
  /** Models to leave out by name (config `models.disabled`). */
  disabled?: readonly string[];
}

/**
 * Loads a project from one folder or from layers. A model in a later layer overrides the
 * model of the same name in an earlier one; within one layer two models of one name are an
 * error. Every layer's `macros/` is loaded for every template.
 * @param dialect any dialect: loading only records, it does not keep the SQL.
 * @example const project = await loadProject('./models', dialectFor('duckdb'))
 * @example await loadProject([BUNDLED_MODELS_DIR, './analytics'], dialect, { disabled: ['slack_escalations'] })
 */
export async function loadProject(input: ProjectInput, dialect: SqlDialect, options: LoadOptions = {}): Promise<Project> {
  const layers = toLayers(input);
  const models = new Map<string, Model>();
  let macros = '';
  for (const layer of layers) macros += await macroText(layer);
  const yaml = await Promise.all(layers.map((layer) => yamlDocs(layer.dir)));
  const seedYaml = seedProperties(yaml);
  for (const [index, layer] of layers.entries()) {
    const seen = new Map<string, string>();
    const nodes: Array<{ name: string; path: string; template: string; kind: 'model' | 'snapshot' | 'seed' }> = [];
    for (const file of (await modelFiles(layer.dir)).sort()) nodes.push({ name: basename(file, '.sql'), path: layerPath(layer, file), template: await readFile(file, 'utf8'), kind: 'model' });
    for (const file of await filesUnder(join(layer.dir, 'snapshots'), (n) => n.endsWith('.sql'))) {
      for (const found of snapshotsIn(await readFile(file, 'utf8'), layerPath(layer, file))) nodes.push({ ...found, path: layerPath(layer, file), kind: 'snapshot' });
    }
    for (const file of await filesUnder(join(layer.dir, 'seeds'), (n) => n.endsWith('.csv'))) nodes.push({ name: basename(file, '.csv'), path: layerPath(layer, file), template: await readFile(file, 'utf8'), kind: 'seed' });
    for (const { name, path, template, kind } of nodes) {
      const twin = seen.get(name);
      if (twin !== undefined) throw new ModelError('SB_MODEL_DUPLICATE', `Two models are named "${name}": ${twin} and ${path} (${layer.dir}). Rename one file.`);
      seen.set(name, path);
      const earlier = models.get(name);
      const model =
        kind === 'seed'
          ? seedModel(name, path, template, seedYaml, layer.package, index)
          : analyse(name, path, template, dialect, macros, layer.package, index, kind === 'snapshot' ? parseSnapshotConfig : parseConfig);
      models.set(name, earlier === undefined ? model : { ...model, overrides: `${earlier.package}:${earlier.path}` });
    }
  }
  checkSeedProperties(seedYaml, models);
  const disabled = disabledModels(yaml, models, options.disabled ?? []);
  for (const name of disabled) models.delete(name);
  for (const model of models.values()) {
    for (const ref of model.refs) {
      if (disabled.includes(ref)) {
        throw new ModelError(
          'SB_MODEL_DISABLED_REF',
          `${model.path}: ref('${ref}') names a disabled model. Disable ${model.name} too (models.disabled), override ${model.name} in your project without that ref, or enable ${ref} again.`,
        );
      }
      if (!models.has(ref)) {
        const hint = closest(ref, [...models.keys()]);
        throw new ModelError(
          'SB_MODEL_UNKNOWN_REF',
          `${model.path}: ref('${ref}') names no model${hint === undefined ? '' : ` (did you mean '${hint}'?)`}.`,
        );
      }
    }
  }
  return { layers, models, macros, disabled, yaml };
}

/** `file`'s path relative to its layer, with `/` separators: `snapshots/people.sql`. */
function layerPath(layer: ProjectLayer, file: string): string {
  return relative(layer.dir, file).split(sep).join('/');
}

function toLayers(input: ProjectInput): ProjectLayer[] {
  const list = typeof input === 'string' ? [input] : input;
  return list.map((entry) => (typeof entry === 'string' ? { dir: resolve(entry), package: resolve(entry) === BUNDLED_MODELS_DIR ? 'switchboard' : 'project' } : entry));
}

/** `models.disabled`, plus `config(enabled=false)` in a model and `config: { enabled: false }` in YAML. */
function disabledModels(yaml: ReadonlyArray<readonly YamlDoc[]>, models: ReadonlyMap<string, Model>, fromConfig: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of fromConfig) {
    if (!models.has(name)) {
      const hint = closest(name, [...models.keys()]);
      throw new ModelError('SB_MODEL_CONFIG', `models.disabled names "${name}", which is no model${hint === undefined ? '' : ` (did you mean "${hint}"?)`}. Fix the name in models.disabled.`);
    }
    out.add(name);
  }
  for (const model of models.values()) if (model.config.enabled === false) out.add(model.name);
  for (const docs of yaml) {
    for (const { path, doc } of docs) {
      const entries = (doc as { models?: unknown } | null)?.models;
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as Array<Record<string, unknown> | null>) {
        const enabled = (entry?.config as { enabled?: unknown } | undefined)?.enabled;
        if (enabled === undefined) continue;
        if (typeof enabled !== 'boolean') throw new ModelError('SB_MODEL_CONFIG', `${path}: ${String(entry?.name)}: config.enabled is true or false.`);
        const name = String(entry?.name ?? '');
        if (!models.has(name)) throw new ModelError('SB_MODEL_CONFIG', `${path}: config for "${name}", which is no model${hintFor(name, models)}.`);
        if (enabled) out.delete(name);
        else out.add(name);
      }
    }
  }
  return [...out].sort();
}

function hintFor(name: string, models: ReadonlyMap<string, Model>): string {
  const hint = closest(name, [...models.keys()]);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}

function analyse(
  name: string,
  path: string,
  template: string,
  dialect: SqlDialect,
  macros: string,
  pkg: string,
  layer: number,
  configOf: (values: Record<string, unknown>, path: string) => ModelConfig = parseConfig,
): Model {
  const { refs, sources, config } = recordTemplate(template, path, name, dialect, macros);
  return { name, path, package: pkg, layer, template, config: configOf(config, path), refs, sources };
}

/** What a template names, found by rendering it with recording stand-ins. */
export interface RecordedTemplate {
  /** Models it ref()s, in first-use order. */
  refs: string[];
  /** Sources it reads, as `[source, table]`. */
  sources: Array<readonly [string, string]>;
  /** Every config() keyword argument, later calls winning. */
  config: Record<string, unknown>;
}

/**
 * Renders `template` (a model's, a singular test's) with stand-ins that record its ref(),
 * source() and config() calls. Renders twice (incremental or not) so refs inside
 * `{% if is_incremental() %}` count too.
 * @example recordTemplate("select * from {{ ref('calls') }}", 'tests/t.sql', 't', dialect, project.macros).refs → ['calls']
 */
export function recordTemplate(template: string, path: string, self: string, dialect: SqlDialect, macros: string): RecordedTemplate {
  const refs: string[] = [];
  const sources: Array<readonly [string, string]> = [];
  let config: Record<string, unknown> = {};
  for (const incremental of [false, true]) {
    renderTemplate(template, path, {
      dialect,
      targetSchema: 'analysis',
      self,
      macros,
      incremental,
      // Loading only records: every var() has some value, so a missing one fails at compile
      // time with its name rather than here.
      vars: new Proxy({}, { get: () => '' }),
      relation: (kind, first, table) => {
        if (kind === 'ref' && !refs.includes(first)) refs.push(first);
        if (kind === 'source' && !sources.some(([s, t]) => s === first && t === table)) sources.push([first, table ?? '']);
        return kind === 'ref' ? first : `${first}.${table}`;
      },
      onConfig: (values) => (config = { ...config, ...values }),
    });
  }
  return { refs, sources, config };
}

function parseConfig(values: Record<string, unknown>, path: string): ModelConfig {
  const fail = (message: string): never => {
    throw new ModelError('SB_MODEL_CONFIG', `${path}: config(${message})`);
  };
  const known = new Set(['materialized', 'unique_key', 'tags', 'schema', 'merge_window_column', 'updated_at', 'incremental_strategy', 'on_schema_change', 'enabled']);
  for (const key of Object.keys(values)) if (!known.has(key)) fail(`${key}=…): unknown setting; use ${[...known].join(', ')}`);
  const materialized = (values.materialized ?? 'view') as Materialization;
  if (materialized === 'snapshot') fail(`materialized='snapshot'): a snapshot is a file in a snapshots/ folder (README › Your own models › Snapshots)`);
  if (!MATERIALIZATIONS.includes(materialized)) fail(`materialized='${String(materialized)}'): use ${MATERIALIZATIONS.join(', ')}`);
  const strategy = (values.incremental_strategy ?? 'delete+insert') as IncrementalStrategy;
  if (!STRATEGIES.includes(strategy)) fail(`incremental_strategy='${String(strategy)}'): use ${STRATEGIES.map((n) => `'${n}'`).join(', ')}${didYouMean(String(strategy), STRATEGIES)}`);
  if (values.incremental_strategy !== undefined && materialized !== 'incremental') fail(`incremental_strategy=…): only incremental models have one; add materialized='incremental'`);
  const onSchemaChange = (values.on_schema_change ?? 'rebuild') as OnSchemaChange;
  if (!ON_SCHEMA_CHANGE.includes(onSchemaChange)) {
    fail(`on_schema_change='${String(onSchemaChange)}'): use 'rebuild' (the default) or 'fail'; dbt's 'ignore' and 'append_new_columns' would leave NULLs in old rows`);
  }
  if (values.on_schema_change !== undefined && materialized !== 'incremental') fail(`on_schema_change=…): only incremental models keep rows between builds; add materialized='incremental'`);
  const uniqueKey = stringList(values.unique_key, 'unique_key', fail);
  // dbt's append only inserts, so it alone needs no key.
  if (materialized === 'incremental' && strategy !== 'append' && uniqueKey.length === 0) fail(`materialized='incremental'): also give unique_key='…', or incremental_strategy='append'`);
  const schema = values.schema;
  if (schema !== undefined && (typeof schema !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(schema))) fail(`schema=…): a lower-case identifier`);
  const window = values.merge_window_column;
  if (window !== undefined && (typeof window !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(window))) fail(`merge_window_column=…): a column name`);
  if (window !== undefined && materialized !== 'incremental') fail(`merge_window_column=…): only incremental models merge`);
  const updatedAt = values.updated_at;
  if (updatedAt !== undefined && (typeof updatedAt !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(updatedAt))) fail(`updated_at=…): a column name`);
  if (updatedAt !== undefined && materialized !== 'incremental') fail(`updated_at=…): only incremental models have incremental builds`);
  const enabled = values.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') fail(`enabled=…): true or false`);
  return {
    materialized,
    enabled: enabled !== false,
    uniqueKey,
    tags: stringList(values.tags, 'tags', fail),
    schema: schema as string | undefined,
    mergeWindowColumn: window as string | undefined,
    updatedAt: updatedAt as string | undefined,
    incrementalStrategy: strategy,
    onSchemaChange,
  };
}

function stringList(value: unknown, key: string, fail: (m: string) => never): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return fail(`${key}=…): a string or a list of strings`);
}

/** Every `.sql` file under a layer except in its top-level reserved folders (macros/, seeds/, …). */
async function modelFiles(dir: string): Promise<string[]> {
  const top = await readdir(dir, { withFileTypes: true });
  const kept = top.filter((e) => !(e.isDirectory() && RESERVED_FOLDERS.includes(e.name)));
  const nested = await Promise.all(kept.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), (n) => n.endsWith('.sql')) : Promise.resolve(e.name.endsWith('.sql') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

/**
 * Files under `dir` (recursively) whose name passes `keep`, sorted; none when `dir` does not exist.
 * @example await filesUnder(join(layer.dir, 'seeds'), (n) => n.endsWith('.csv'))
 */
export async function filesUnder(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), keep) : Promise.resolve(keep(e.name) ? [join(dir, e.name)] : []))));
  return nested.flat().sort();
}

/** A layer's macros: every `macros/**\/*.sql`, joined. */
async function macroText(layer: ProjectLayer): Promise<string> {
  let text = '';
  for (const file of await filesUnder(join(layer.dir, 'macros'), (n) => n.endsWith('.sql'))) text += `${(await readFile(file, 'utf8')).trimEnd()}\n`;
  return text;
}

/**
 * Every YAML document of a layer (`*.yml`, `*.yaml`, reserved folders included), parsed, with
 * its path relative to the layer: models', seeds' and snapshots' properties and tests.
 */
export async function yamlDocs(dir: string): Promise<YamlDoc[]> {
  const out: YamlDoc[] = [];
  for (const file of await filesUnder(dir, (n) => /\.ya?ml$/.test(n))) {
    const path = relative(dir, file).split(sep).join('/');
    try {
      out.push({ path, doc: parse(await readFile(file, 'utf8')) });
    } catch (error) {
      throw new ModelError('SB_MODEL_TESTS', `${path}: not valid YAML: ${(error as Error).message}`, { cause: error });
    }
  }
  return out;
}

/** `; did you mean '…'?` when a candidate is close to `word`, else ''. */
function didYouMean(word: string, candidates: readonly string[]): string {
  const hint = closest(word, candidates);
  return hint === undefined ? '' : `; did you mean '${hint}'?`;
}

/** The candidate within edit distance 3, if any: for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return nearest(word, candidates, 3);
}
