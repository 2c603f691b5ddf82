/**
 * Sources, declared in YAML as dbt declares them, for `switchboard source freshness`:
 *
 * ```yaml
 * sources:
 *   - name: raw
 *     loaded_at_field: landed_at
 *     freshness:
 *       warn_after: { count: 1, period: day }
 *       error_after: { count: 3, period: day }
 *     tables:
 *       - name: voice_events
 *       - name: work_events
 *         freshness: null            # not checked
 *       - name: meetings_events
 *         freshness: { error_after: { count: 6, period: hour } }   # replaces the source's
 * ```
 *
 * Every layer's YAML may declare sources: the bundled package's `sources.yml` declares the raw
 * tables its models read, and a later layer (your `models.paths`) overrides what it names,
 * key by key (a table's own `freshness` or `loaded_at_field` beats its source's, in any
 * layer). Then the config's `models.freshness` overrides thresholds by `<source>` or
 * `<source>.<table>`, or switches a table off (null).
 */
import { closest, yamlDocs } from './project.js';
import { ModelError } from './errors.js';
import type { ProjectLayer } from './model.js';

export type FreshnessPeriod = 'minute' | 'hour' | 'day';

/** dbt's `{ count: 2, period: hour }`. */
export interface FreshnessTime {
  count: number;
  period: FreshnessPeriod;
}

/** dbt's `freshness:` block. */
export interface FreshnessCriteria {
  /** Older than this is `warn`; null: never warns. */
  warnAfter: FreshnessTime | null;
  /** Older than this is `error`; null: never errs. */
  errorAfter: FreshnessTime | null;
  /** A SQL condition limiting the rows looked at, e.g. `landed_at > current_date - 7` (dbt's `filter`). */
  filter: string | null;
}

/** One declared source table, its declarations merged and the config applied. */
export interface SourceTable {
  source: string;
  table: string;
  /** dbt's unique id, `source.<package>.<source>.<table>`, e.g. `source.switchboard.raw.voice_events`. */
  uniqueId: string;
  /** The package of the layer that first declared the source: `switchboard` (bundled) or `project`. */
  package: string;
  /** Where it lives: the configured schema of the source (`raw` → warehouse.rawSchema), else its `schema:`, else its name. */
  schema: string;
  /** The table's name in the warehouse (`identifier:`, default its name). */
  identifier: string;
  /** A column (quoted) or a SQL expression: when a row was loaded; null when none was declared. */
  loadedAtField: string | null;
  /** null: not checked (`freshness: null`, or none declared). */
  freshness: FreshnessCriteria | null;
  /** The YAML files that declared it, e.g. `switchboard:sources.yml`. */
  declaredIn: readonly string[];
}

/** A threshold override from the config (`models.freshness.<key>`): the thresholds given replace the YAML's. */
export interface FreshnessOverride {
  warnAfter?: FreshnessTime | undefined;
  errorAfter?: FreshnessTime | undefined;
}

export interface SourceOptions {
  /** Source name → schema, from the config (e.g. `{ raw: 'raw' }`); wins over a YAML `schema:`. */
  schemas?: Readonly<Record<string, string>>;
  /** `models.freshness`: by `<source>` or `<source>.<table>`; null switches freshness off. */
  overrides?: Readonly<Record<string, FreshnessOverride | null>>;
}

const PERIOD_SECONDS: Readonly<Record<FreshnessPeriod, number>> = { minute: 60, hour: 3600, day: 86_400 };
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys dbt allows that Switchboard reads, or accepts without using (documentation). */
const SOURCE_KEYS = ['name', 'description', 'schema', 'database', 'loader', 'loaded_at_field', 'freshness', 'tables', 'meta', 'tags'];
const TABLE_KEYS = ['name', 'description', 'identifier', 'loaded_at_field', 'freshness', 'columns', 'meta', 'tags'];

/** A threshold in seconds: `{ count: 2, period: hour }` → 7200. */
export function thresholdSeconds(time: FreshnessTime): number {
  return time.count * PERIOD_SECONDS[time.period];
}

/** `2 hours`, `1 day`. */
export function describeTime(time: FreshnessTime): string {
  return `${time.count} ${time.period}${time.count === 1 ? '' : 's'}`;
}

interface Declared {
  loadedAtField?: string | null;
  freshness?: FreshnessCriteria | null;
}

interface SourceDecl extends Declared {
  package: string;
  schema?: string;
  declaredIn: string[];
  tables: Map<string, Declared & { identifier?: string; declaredIn: string[] }>;
}

/**
 * Every source table declared in the layers' YAML (`sources:`), in declaration order.
 * @throws ModelError `SB_MODEL_SOURCES` for a malformed declaration, a threshold without
 *   `loaded_at_field`, or a `models.freshness` key that names no declared source or table
 * @example await loadSources(runtime.layers, { schemas: { raw: 'raw' }, overrides: { 'raw.work_events': null } })
 */
export async function loadSources(layers: readonly ProjectLayer[], options: SourceOptions = {}): Promise<SourceTable[]> {
  const sources = new Map<string, SourceDecl>();
  for (const layer of layers) {
    for (const { path, doc } of await yamlDocs(layer.dir)) {
      const list = (doc as { sources?: unknown } | null)?.sources;
      if (list === undefined || list === null) continue;
      const where = `${layer.package}:${path}`;
      if (!Array.isArray(list)) throw fail(`${where}: "sources" must be a list of { name, tables, … }.`);
      for (const entry of list) declareSource(sources, entry, where, layer.package);
    }
  }
  const tables: SourceTable[] = [];
  for (const [source, decl] of sources) {
    for (const [table, t] of decl.tables) {
      tables.push({
        source,
        table,
        uniqueId: `source.${decl.package}.${source}.${table}`,
        package: decl.package,
        schema: options.schemas?.[source] ?? decl.schema ?? source,
        identifier: t.identifier ?? table,
        loadedAtField: t.loadedAtField !== undefined ? t.loadedAtField : (decl.loadedAtField ?? null),
        freshness: t.freshness !== undefined ? t.freshness : (decl.freshness ?? null),
        declaredIn: [...new Set([...decl.declaredIn, ...t.declaredIn])],
      });
    }
  }
  applyOverrides(tables, options.overrides ?? {});
  for (const t of tables) {
    if (t.freshness !== null && t.loadedAtField === null) {
      throw fail(`${t.source}.${t.table} (${t.declaredIn.join(', ')}): freshness needs loaded_at_field, the column that says when a row was loaded; declare it on the table or its source.`);
    }
  }
  return tables;
}

function declareSource(sources: Map<string, SourceDecl>, entry: unknown, where: string, pkg: string): void {
  const source = mapping(entry, `${where}: an entry of "sources"`);
  const name = nameOf(source, `${where}: a source`);
  const at = `${where}: source ${name}`;
  checkKeys(source, SOURCE_KEYS, at);
  const decl: SourceDecl = sources.get(name) ?? { package: pkg, declaredIn: [], tables: new Map() };
  sources.set(name, decl);
  decl.declaredIn.push(where);
  if ('schema' in source) {
    if (typeof source.schema !== 'string' || !NAME.test(source.schema)) throw fail(`${at}: schema must be a schema name, e.g. crm.`);
    decl.schema = source.schema;
  }
  readDeclared(decl, source, at);
  const tables = source.tables ?? [];
  if (!Array.isArray(tables)) throw fail(`${at}: "tables" must be a list of { name, … }.`);
  for (const item of tables) {
    const table = mapping(item, `${at}: an entry of "tables"`);
    const tableName = nameOf(table, `${at}: a table`);
    const tableAt = `${where}: source ${name}, table ${tableName}`;
    if ('tests' in table || 'data_tests' in table) {
      throw fail(`${tableAt}: tests on sources are not run by Switchboard; test a staging model that reads the table instead (models: in the same YAML).`);
    }
    checkKeys(table, TABLE_KEYS, tableAt);
    const t = decl.tables.get(tableName) ?? { declaredIn: [] };
    decl.tables.set(tableName, t);
    t.declaredIn.push(where);
    if ('identifier' in table) {
      if (typeof table.identifier !== 'string' || !NAME.test(table.identifier)) throw fail(`${tableAt}: identifier must be a table name.`);
      t.identifier = table.identifier;
    }
    readDeclared(t, table, tableAt);
  }
}

/** `loaded_at_field` and `freshness`, when the entry says them (an explicit null counts). */
function readDeclared(target: Declared, entry: Record<string, unknown>, at: string): void {
  if ('loaded_at_field' in entry) {
    const field = entry.loaded_at_field;
    if (field !== null && (typeof field !== 'string' || field.trim() === '')) throw fail(`${at}: loaded_at_field must be a column name (or a SQL expression), e.g. landed_at.`);
    target.loadedAtField = field === null ? null : field.trim();
  }
  if ('freshness' in entry) target.freshness = parseFreshness(entry.freshness, at);
}

function parseFreshness(value: unknown, at: string): FreshnessCriteria | null {
  if (value === null) return null;
  const block = mapping(value, `${at}: freshness`);
  checkKeys(block, ['warn_after', 'error_after', 'filter'], `${at}: freshness`);
  const time = (key: string): FreshnessTime | null => {
    const raw = block[key];
    if (raw === undefined || raw === null) return null;
    const t = mapping(raw, `${at}: freshness.${key}`);
    checkKeys(t, ['count', 'period'], `${at}: freshness.${key}`);
    const { count, period } = t;
    if (typeof count !== 'number' || !Number.isInteger(count) || count <= 0) throw fail(`${at}: freshness.${key}.count must be a positive whole number, e.g. { count: 12, period: hour }.`);
    if (period !== 'minute' && period !== 'hour' && period !== 'day') throw fail(`${at}: freshness.${key}.period must be minute, hour or day (got ${JSON.stringify(period)}).`);
    return { count, period };
  };
  const filter = block.filter;
  if (filter !== undefined && filter !== null && (typeof filter !== 'string' || filter.trim() === '')) throw fail(`${at}: freshness.filter must be a SQL condition, e.g. "landed_at > current_date - 7".`);
  const criteria: FreshnessCriteria = { warnAfter: time('warn_after'), errorAfter: time('error_after'), filter: typeof filter === 'string' ? filter.trim() : null };
  return checkCriteria(criteria, at);
}

function checkCriteria(criteria: FreshnessCriteria, at: string): FreshnessCriteria {
  const { warnAfter, errorAfter } = criteria;
  if (warnAfter === null && errorAfter === null) throw fail(`${at}: freshness gives neither warn_after nor error_after; give one, or write freshness: null to switch the check off.`);
  if (warnAfter !== null && errorAfter !== null && thresholdSeconds(warnAfter) > thresholdSeconds(errorAfter)) {
    throw fail(`${at}: freshness.warn_after (${describeTime(warnAfter)}) is longer than error_after (${describeTime(errorAfter)}), so it could never warn; make warn_after the shorter.`);
  }
  return criteria;
}

/** `models.freshness`: `<source>` keys first, then `<source>.<table>` keys, each replacing the thresholds it gives. */
function applyOverrides(tables: SourceTable[], overrides: Readonly<Record<string, FreshnessOverride | null>>): void {
  const keys = Object.keys(overrides).sort((a, b) => a.split('.').length - b.split('.').length);
  for (const key of keys) {
    const override = overrides[key] ?? null;
    const matched = tables.filter((t) => key === t.source || key === `${t.source}.${t.table}`);
    if (matched.length === 0) {
      const names = [...new Set(tables.flatMap((t) => [t.source, `${t.source}.${t.table}`]))];
      const hint = closest(key, names);
      throw fail(
        `models.freshness names "${key}", which is no declared source or source table${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; keys are <source> or <source>.<table> as declared under sources: in the models' YAML.`,
        'models.freshness',
      );
    }
    for (const t of matched) {
      if (override === null) {
        t.freshness = null;
        continue;
      }
      const base = t.freshness ?? { warnAfter: null, errorAfter: null, filter: null };
      t.freshness = checkCriteria(
        { warnAfter: override.warnAfter ?? base.warnAfter, errorAfter: override.errorAfter ?? base.errorAfter, filter: base.filter },
        `models.freshness["${key}"] for ${t.source}.${t.table}`,
      );
    }
  }
}

/**
 * The tables `selectors` name, in declaration order: `source:raw` (every table of a source) or
 * `source:raw.voice_events`, as dbt selects sources; none selects every table.
 * @throws ModelError `SB_MODEL_SELECTOR` for a selector that is malformed or names nothing
 */
export function selectSources(tables: readonly SourceTable[], selectors: readonly string[]): SourceTable[] {
  const expressions = selectors.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
  if (expressions.length === 0) return [...tables];
  const chosen = new Set<SourceTable>();
  for (const expression of expressions) {
    const match = /^source:([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?$/.exec(expression);
    if (match === null) {
      throw new ModelError('SB_MODEL_SELECTOR', `"${expression}" is not a source selector; use source:<source> or source:<source>.<table>, e.g. source:raw.voice_events.`);
    }
    const [, source, table] = match as unknown as [string, string, string | undefined];
    const hits = tables.filter((t) => t.source === source && (table === undefined || t.table === table));
    if (hits.length === 0) {
      const names = tables.flatMap((t) => [`source:${t.source}`, `source:${t.source}.${t.table}`]);
      const hint = closest(expression, [...new Set(names)]) ?? names.find((name) => name.startsWith(expression));
      throw new ModelError('SB_MODEL_SELECTOR', `No declared source table matches "${expression}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}.`);
    }
    for (const hit of hits) chosen.add(hit);
  }
  return tables.filter((t) => chosen.has(t));
}

function mapping(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${what} must be a mapping (key: value), not ${JSON.stringify(value)}.`);
  return value as Record<string, unknown>;
}

function nameOf(entry: Record<string, unknown>, what: string): string {
  const name = entry.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw fail(`${what} needs a name: letters, digits and underscores (got ${JSON.stringify(name)}).`);
  return name;
}

function checkKeys(entry: Record<string, unknown>, known: readonly string[], at: string): void {
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    throw fail(`${at}: unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; use ${known.join(', ')}.`);
  }
}

function fail(message: string, configKey?: string): ModelError {
  return new ModelError('SB_MODEL_SOURCES', message, configKey === undefined ? {} : { configKey });
}
