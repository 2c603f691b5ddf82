/**
 * Loads a models project: every `.sql` file under the directory is a model named after its
 * file. Loading renders each template once with recording stand-ins to learn its config,
 * refs and sources, and checks that every ref() names a model.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { nearest } from '../../core/nearest.js';
import type { SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import type { IncrementalStrategy, Materialization, Model, ModelConfig, Project } from './model.js';
import { renderTemplate } from './render.js';

const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'incremental', 'phone_lookup'];
const STRATEGIES: readonly IncrementalStrategy[] = ['delete+insert', 'merge', 'append'];

/**
 * @param dialect any dialect: loading only records, it does not keep the SQL.
 * @example const project = await loadProject('./models', dialectFor('duckdb'))
 */
export async function loadProject(dir: string, dialect: SqlDialect): Promise<Project> {
  const models = new Map<string, Model>();
  for (const file of (await sqlFiles(dir)).sort()) {
    const path = relative(dir, file).split(sep).join('/');
    const name = basename(file, '.sql');
    const existing = models.get(name);
    if (existing !== undefined) {
      throw new ModelError('SB_MODEL_DUPLICATE', `Two models are named "${name}": ${existing.path} and ${path}. Rename one file.`);
    }
    models.set(name, analyse(name, path, await readFile(file, 'utf8'), dialect));
  }
  for (const model of models.values()) {
    for (const ref of model.refs) {
      if (!models.has(ref)) {
        const hint = closest(ref, [...models.keys()]);
        throw new ModelError(
          'SB_MODEL_UNKNOWN_REF',
          `${model.path}: ref('${ref}') names no model${hint === undefined ? '' : ` (did you mean '${hint}'?)`}.`,
        );
      }
    }
  }
  return { dir, models };
}

/** Renders twice (incremental or not) so refs inside `{% if is_incremental() %}` count too. */
function analyse(name: string, path: string, template: string, dialect: SqlDialect): Model {
  const refs: string[] = [];
  const sources: Array<readonly [string, string]> = [];
  let configValues: Record<string, unknown> = {};
  for (const incremental of [false, true]) {
    renderTemplate(template, path, {
      dialect,
      targetSchema: 'analysis',
      self: name,
      incremental,
      // Loading only records: every var() has some value, so a missing one fails at compile
      // time with its name rather than here.
      vars: new Proxy({}, { get: () => '' }),
      relation: (kind, first, table) => {
        if (kind === 'ref' && !refs.includes(first)) refs.push(first);
        if (kind === 'source' && !sources.some(([s, t]) => s === first && t === table)) sources.push([first, table ?? '']);
        return kind === 'ref' ? first : `${first}.${table}`;
      },
      onConfig: (values) => (configValues = { ...configValues, ...values }),
    });
  }
  return { name, path, template, config: parseConfig(configValues, path), refs, sources };
}

function parseConfig(values: Record<string, unknown>, path: string): ModelConfig {
  const fail = (message: string): never => {
    throw new ModelError('SB_MODEL_CONFIG', `${path}: config(${message})`);
  };
  const known = new Set(['materialized', 'unique_key', 'tags', 'schema', 'merge_window_column', 'updated_at', 'incremental_strategy']);
  for (const key of Object.keys(values)) if (!known.has(key)) fail(`${key}=…): unknown setting; use ${[...known].join(', ')}`);
  const materialized = (values.materialized ?? 'view') as Materialization;
  if (!MATERIALIZATIONS.includes(materialized)) fail(`materialized='${String(materialized)}'): use ${MATERIALIZATIONS.join(', ')}`);
  const strategy = (values.incremental_strategy ?? 'delete+insert') as IncrementalStrategy;
  if (!STRATEGIES.includes(strategy)) fail(`incremental_strategy='${String(strategy)}'): use ${STRATEGIES.map((n) => `'${n}'`).join(', ')}${didYouMean(String(strategy), STRATEGIES)}`);
  if (values.incremental_strategy !== undefined && materialized !== 'incremental') fail(`incremental_strategy=…): only incremental models have one; add materialized='incremental'`);
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
  return {
    materialized,
    uniqueKey,
    tags: stringList(values.tags, 'tags', fail),
    schema: schema as string | undefined,
    mergeWindowColumn: window as string | undefined,
    updatedAt: updatedAt as string | undefined,
    incrementalStrategy: strategy,
  };
}

function stringList(value: unknown, key: string, fail: (m: string) => never): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return fail(`${key}=…): a string or a list of strings`);
}

async function sqlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sqlFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.sql') ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
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
