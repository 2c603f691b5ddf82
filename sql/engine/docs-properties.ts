/**
 * What a project's YAML says about its models and sources, for `switchboard docs generate`:
 * descriptions and columns, as dbt's property files have them
 * (https://docs.getdbt.com/reference/model-properties,
 * https://docs.getdbt.com/reference/source-properties):
 *
 * ```yaml
 * models:                       # also seeds: and snapshots:
 *   - name: calls
 *     description: One row per call.
 *     columns:
 *       - name: call_id
 *         description: The call's id in 8x8.
 * sources:
 *   - name: raw
 *     description: What Switchboard lands.
 *     tables:
 *       - name: voice_events
 *         description: One row per voice webhook.
 *         loaded_at_field: landed_at
 *         freshness: { warn_after: { count: 1, period: hour } }
 * ```
 *
 * Read tolerantly: a key with the wrong shape is ignored here, since tests and freshness
 * (which do fail on bad YAML) read the same files. Properties declared in a layer before the
 * model's own are left out, as its tests are: an override brings its own.
 */
import { basename } from 'node:path';
import type { Project } from './model.js';

/** A column as a property file describes it. */
export interface ColumnProperties {
  name: string;
  /** `''` when none is given. */
  description: string;
  /** `data_type:` as written, else null. */
  dataType: string | null;
  meta: Record<string, unknown>;
}

/** A model's (or seed's, or snapshot's) properties. */
export interface ModelProperties {
  description: string;
  /** By column name, in the order the YAML lists them. */
  columns: Map<string, ColumnProperties>;
  meta: Record<string, unknown>;
  /** The YAML file that last described it, as dbt's `patch_path`, e.g. `switchboard://models/schema.yml`. */
  patchPath: string | null;
}

/** dbt's source freshness thresholds, e.g. `{ warn_after: { count: 1, period: 'hour' }, error_after: null, filter: null }`. */
export interface FreshnessThreshold {
  warn_after: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  error_after: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  filter: string | null;
}

/** One table of a declared source, its source's settings folded in. */
export interface SourceTableProperties {
  source: string;
  table: string;
  sourceDescription: string;
  description: string;
  loader: string | null;
  loadedAtField: string | null;
  /** null: not declared (or `freshness: null`). */
  freshness: FreshnessThreshold | null;
  columns: Map<string, ColumnProperties>;
  meta: Record<string, unknown>;
  /** The package of the first layer that declares it. */
  package: string;
  /** Index of that layer in the project's layers. */
  layer: number;
  /** The YAML file, under its layer's folder name, e.g. `models/sources.yml`. */
  path: string;
}

export interface DocsProperties {
  /** By model name. */
  models: Map<string, ModelProperties>;
  /** By `<source>.<table>`. */
  sources: Map<string, SourceTableProperties>;
}

type Entry = Record<string, unknown>;

/** Reads every layer's YAML; a later layer's value wins, column by column. */
export async function loadDocsProperties(project: Project): Promise<DocsProperties> {
  const models = new Map<string, ModelProperties>();
  const sources = new Map<string, SourceTableProperties>();
  for (const [index, layer] of project.layers.entries()) {
    for (const { path, doc } of project.yaml[index] ?? []) {
      const root = isEntry(doc) ? doc : {};
      for (const key of ['models', 'seeds', 'snapshots']) {
        for (const entry of entries(root[key])) {
          const name = text(entry.name);
          const model = project.models.get(name);
          if (model === undefined || model.layer > index) continue;
          const into = models.get(name) ?? { description: '', columns: new Map(), meta: {}, patchPath: null };
          if (typeof entry.description === 'string') into.description = entry.description;
          if (isEntry(entry.meta)) into.meta = { ...into.meta, ...entry.meta };
          mergeColumns(into.columns, entry.columns);
          into.patchPath = `${layer.package}://${basename(layer.dir)}/${path}`;
          models.set(name, into);
        }
      }
      for (const source of entries(root.sources)) {
        const sourceName = text(source.name);
        if (sourceName === '') continue;
        for (const table of entries(source.tables)) {
          const tableName = text(table.name);
          if (tableName === '') continue;
          const key = `${sourceName}.${tableName}`;
          const into = sources.get(key) ?? {
            source: sourceName,
            table: tableName,
            sourceDescription: '',
            description: '',
            loader: null,
            loadedAtField: null,
            freshness: null,
            columns: new Map(),
            meta: {},
            package: layer.package,
            layer: index,
            path: `${basename(layer.dir)}/${path}`,
          };
          if (typeof source.description === 'string') into.sourceDescription = source.description;
          if (typeof table.description === 'string') into.description = table.description;
          if (typeof source.loader === 'string') into.loader = source.loader;
          // A table's own setting wins over its source's; `freshness: null` turns it off (as in dbt).
          const loadedAt = 'loaded_at_field' in table ? table.loaded_at_field : source.loaded_at_field;
          if (typeof loadedAt === 'string') into.loadedAtField = loadedAt;
          if ('freshness' in table || 'freshness' in source) into.freshness = freshnessOf('freshness' in table ? table.freshness : source.freshness);
          if (isEntry(table.meta)) into.meta = { ...into.meta, ...table.meta };
          mergeColumns(into.columns, table.columns);
          sources.set(key, into);
        }
      }
    }
  }
  return { models, sources };
}

function mergeColumns(into: Map<string, ColumnProperties>, value: unknown): void {
  for (const column of entries(value)) {
    const name = text(column.name);
    if (name === '') continue;
    const before = into.get(name);
    into.set(name, {
      name,
      description: typeof column.description === 'string' ? column.description : (before?.description ?? ''),
      dataType: typeof column.data_type === 'string' ? column.data_type : (before?.dataType ?? null),
      meta: isEntry(column.meta) ? { ...before?.meta, ...column.meta } : (before?.meta ?? {}),
    });
  }
}

const PERIODS = ['minute', 'hour', 'day'] as const;

/** dbt's `{ warn_after: { count, period }, error_after: …, filter }`, or null when absent or malformed. */
function freshnessOf(value: unknown): FreshnessThreshold | null {
  if (!isEntry(value)) return null;
  const after = (v: unknown): FreshnessThreshold['warn_after'] => {
    if (!isEntry(v) || !Number.isInteger(v.count) || !PERIODS.includes(v.period as (typeof PERIODS)[number])) return null;
    return { count: v.count as number, period: v.period as (typeof PERIODS)[number] };
  };
  const threshold = { warn_after: after(value.warn_after), error_after: after(value.error_after), filter: typeof value.filter === 'string' ? value.filter : null };
  return threshold.warn_after === null && threshold.error_after === null ? null : threshold;
}

function entries(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter(isEntry) : [];
}

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
