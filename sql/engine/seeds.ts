/**
 * Seeds, as dbt has them: every `seeds/**\/*.csv` of a layer is a model named after its file,
 * built as a table of the file's rows. The first row names the columns; their types come from
 * YAML, as dbt writes them, and a column without one is text:
 *
 * ```yaml
 * seeds:
 *   - name: account_tiers
 *     config:
 *       column_types: { seats: integer, renews_at: timestamp }
 *     columns:
 *       - name: account_id
 *         description: Salesforce Account Id (18 characters).
 *         tests: [unique, not_null]
 * ```
 *
 * Loading checks every value against its column's type, so a build never meets a bad one.
 * A seed compiles to a SELECT of its rows as text literals, each cast to its column's type
 * ({@link seedSelect}), and is built by the table materialization: replaced whole on every
 * build. That suits reference tables of up to a few thousand rows; the SELECT grows with the
 * file, and BigQuery and Snowflake refuse statements over 1 MB.
 */
import { nearest } from '../../core/nearest.js';
import type { SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import type { Model, ModelConfig, SeedColumnType, SeedData } from './model.js';
import { CsvSyntaxError, parseCsv } from './seed-csv.js';
import { seedValue } from './seed-values.js';

/** What a seed's column may be declared as in `column_types`. */
export const SEED_COLUMN_TYPES: readonly SeedColumnType[] = ['text', 'bigint', 'integer', 'double', 'boolean', 'timestamp'];

/** Settings a seed takes under `config:` (dbt's, where Switchboard has them). */
const CONFIG_KEYS = ['column_types', 'enabled', 'tags', 'schema'];

/** One `seeds:` entry of a YAML file. */
interface SeedEntry {
  /** The YAML file, relative to its layer. */
  path: string;
  /** Index of the layer the YAML file is in. */
  layer: number;
  entry: Record<string, unknown>;
}

/** Every `seeds:` entry of a project's YAML, by seed name, in layer and file order. */
export type SeedProperties = ReadonlyMap<string, readonly SeedEntry[]>;

/**
 * Reads the `seeds:` entries out of each layer's YAML documents.
 * @param docsByLayer each layer's YAML files (Project.yaml), in layer order
 */
export function seedProperties(docsByLayer: ReadonlyArray<ReadonlyArray<{ path: string; doc: unknown }>>): SeedProperties {
  const out = new Map<string, SeedEntry[]>();
  for (const [layer, docs] of docsByLayer.entries()) {
    for (const { path, doc } of docs) {
      const entries = (doc as { seeds?: unknown } | null)?.seeds;
      if (entries === undefined || entries === null) continue;
      if (!Array.isArray(entries)) throw seedError(`${path}: "seeds" must be a list of { name, config, columns }.`);
      for (const entry of entries as unknown[]) {
        const name = (entry as { name?: unknown } | null)?.name;
        if (typeof entry !== 'object' || entry === null || typeof name !== 'string' || name === '') throw seedError(`${path}: every entry under "seeds" needs a name: the CSV file's name without .csv.`);
        out.set(name, [...(out.get(name) ?? []), { path, layer, entry: entry as Record<string, unknown> }]);
      }
    }
  }
  return out;
}

/**
 * A seed model from its CSV text and the YAML entries of its name. Entries in layers before
 * the seed's are left out (they describe a seed this one overrides); later entries win, per
 * column for `column_types`.
 * @param path the CSV file relative to its layer, e.g. `seeds/account_tiers.csv`
 * @throws ModelError SB_MODEL_SEED naming the file, line and column of what is wrong
 */
export function seedModel(name: string, path: string, text: string, properties: SeedProperties, pkg: string, layer: number): Model {
  const entries = (properties.get(name) ?? []).filter((e) => e.layer >= layer);
  const { config, types } = seedConfig(name, entries);
  const seed = readSeed(name, path, text, types);
  for (const { path: yml, entry } of entries) {
    for (const column of list(entry.columns)) {
      const columnName = (column as { name?: unknown } | null)?.name;
      if (!seed.columns.some((c) => c.name === columnName)) {
        throw seedError(`${yml}: seeds: ${name} lists column ${JSON.stringify(columnName)}, which ${path} does not have (its header: ${seed.columns.map((c) => c.name).join(', ')}).`);
      }
    }
  }
  return { name, path, package: pkg, layer, template: '', config, refs: [], sources: [], seed };
}

/**
 * Throws SB_MODEL_SEED for a `seeds:` entry that names no seed of the project. An entry in a
 * layer before the model of its name describes a seed that model overrides, and is left alone.
 */
export function checkSeedProperties(properties: SeedProperties, models: ReadonlyMap<string, Model>): void {
  for (const [name, entries] of properties) {
    const model = models.get(name);
    if (model?.seed !== undefined) continue;
    const stray = entries.find((e) => model === undefined || e.layer >= model.layer);
    if (stray === undefined) continue;
    const seeds = [...models.values()].filter((m) => m.seed !== undefined).map((m) => m.name);
    const what = model !== undefined ? `"${name}" is a SQL model, not a seed; describe it under "models:"` : `no seeds/${name}.csv is in the project${hint(name, seeds)}`;
    throw seedError(`${stray.path}: seeds: ${what}.`);
  }
}

/**
 * The seed's rows as a SELECT for `dialect`: its rows as text literals, each cast to its
 * column's type. An empty seed selects no rows, with its columns typed.
 * @example seedSelect({ columns: [{ name: 'tier', type: 'text' }, { name: 'seats', type: 'integer' }], rows: [['gold', '40']] }, duckdb)
 *   → SELECT CAST(seed_rows.c0 AS VARCHAR) AS "tier", CAST(seed_rows.c1 AS INTEGER) AS "seats"
 *     FROM (VALUES ('gold', '40')) AS seed_rows(c0, c1)
 */
export function seedSelect(seed: SeedData, dialect: SqlDialect): string {
  const alias = 'seed_rows';
  const columns = seed.columns.map((c, i) => `CAST(${alias}.c${i} AS ${dialect.typeName(c.type)}) AS ${dialect.quoteIdent(c.name)}`);
  const rows = seed.rows.length > 0 ? seed.rows : [seed.columns.map(() => null)];
  return `SELECT ${columns.join(', ')}\nFROM ${dialect.textRows(rows, alias)}${seed.rows.length === 0 ? '\nWHERE 1 = 0' : ''}`;
}

/** The seed's config and column types from its YAML entries (dbt's defaults where none). */
function seedConfig(name: string, entries: readonly SeedEntry[]): { config: ModelConfig; types: Map<string, { type: SeedColumnType; path: string }> } {
  const types = new Map<string, { type: SeedColumnType; path: string }>();
  let enabled = true;
  let tags: string[] = [];
  let schema: string | undefined;
  for (const { path, entry } of entries) {
    const where = `${path}: seeds: ${name}: config`;
    const config = entry.config ?? {};
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw seedError(`${where} must be a mapping, e.g. { column_types: { seats: integer } }.`);
    const values = config as Record<string, unknown>;
    for (const key of Object.keys(values)) if (!CONFIG_KEYS.includes(key)) throw seedError(`${where}.${key}: unknown setting; a seed takes ${CONFIG_KEYS.join(', ')}.`);
    const columnTypes = values.column_types ?? {};
    if (typeof columnTypes !== 'object' || columnTypes === null || Array.isArray(columnTypes)) throw seedError(`${where}.column_types must map column names to types, e.g. { seats: integer }.`);
    for (const [column, type] of Object.entries(columnTypes)) {
      if (!SEED_COLUMN_TYPES.includes(type as SeedColumnType)) {
        throw seedError(`${where}.column_types.${column}: ${JSON.stringify(type)} is no seed column type; use ${SEED_COLUMN_TYPES.join(', ')} (the warehouse's own type names are not portable).`);
      }
      types.set(column, { type: type as SeedColumnType, path });
    }
    if (values.enabled !== undefined) {
      if (typeof values.enabled !== 'boolean') throw seedError(`${where}.enabled is true or false.`);
      enabled = values.enabled;
    }
    if (values.tags !== undefined) {
      const value = values.tags;
      if (typeof value === 'string') tags = [value];
      else if (Array.isArray(value) && value.every((t) => typeof t === 'string')) tags = value as string[];
      else throw seedError(`${where}.tags is a string or a list of strings.`);
    }
    if (values.schema !== undefined) {
      if (typeof values.schema !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(values.schema)) throw seedError(`${where}.schema is a lower-case identifier.`);
      schema = values.schema;
    }
  }
  const config: ModelConfig = { materialized: 'seed', incrementalStrategy: 'delete+insert', onSchemaChange: 'rebuild', enabled, uniqueKey: [], tags, schema, mergeWindowColumn: undefined, updatedAt: undefined };
  return { config, types };
}

/** The CSV's header and rows, every value checked against its column's type. */
function readSeed(name: string, path: string, text: string, types: ReadonlyMap<string, { type: SeedColumnType; path: string }>): SeedData {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw seedError(`${path} ${error.message}`, error);
    throw error;
  }
  const [header, ...rows] = records;
  if (header === undefined) throw seedError(`${path}: the file is empty; a seed's first line names its columns (e.g. account_id,tier).`);
  const seen = new Set<string>();
  for (const column of header.fields) {
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) {
      throw seedError(`${path} line ${header.line}: column name ${JSON.stringify(column)} is not a lower-case identifier (letters, digits, _); rename it in the header, e.g. ${JSON.stringify(identifier(column))}.`);
    }
    if (seen.has(column)) throw seedError(`${path} line ${header.line}: two columns are named ${column}; rename one.`);
    seen.add(column);
  }
  for (const column of types.keys()) {
    if (!seen.has(column)) throw seedError(`${types.get(column)?.path}: seeds: ${name}: config.column_types.${column} names no column of ${path} (its header: ${header.fields.join(', ')}).`);
  }
  const columns = header.fields.map((column) => ({ name: column, type: types.get(column)?.type ?? 'text' }));
  const values = rows.map((row) => {
    if (row.fields.length !== columns.length) {
      throw seedError(`${path} line ${row.line}: ${row.fields.length} value${row.fields.length === 1 ? '' : 's'}, but the header names ${columns.length} column${columns.length === 1 ? '' : 's'}; quote a value that holds a comma ("a, b").`);
    }
    return row.fields.map((raw, i) => {
      const { name: column, type } = columns[i] as { name: string; type: SeedColumnType };
      const value = seedValue(raw, type);
      if (value === undefined) {
        const declared = types.get(column)?.path ?? '';
        throw seedError(
          `${path} line ${row.line}, column ${column}: ${JSON.stringify(raw)} is not ${article(type)} ${type}. Fix the value, or change the column's type ` +
            `(seeds: ${name} → config.column_types.${column} in ${declared}).`,
        );
      }
      return value;
    });
  });
  return { columns, rows: values };
}

function article(type: SeedColumnType): string {
  return type === 'integer' ? 'an' : 'a';
}

function identifier(text: string): string {
  return text.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^([0-9])/, '_$1') || 'column';
}

function hint(name: string, candidates: readonly string[]): string {
  const close = nearest(name, candidates, 3);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function seedError(message: string, cause?: unknown): ModelError {
  return new ModelError('SB_MODEL_SEED', message, cause === undefined ? {} : { cause });
}
