/**
 * `switchboard docs generate`: dbt's `catalog.json` (schema v1,
 * https://schemas.getdbt.com/dbt/catalog/v1.json; https://docs.getdbt.com/reference/artifacts/catalog-json):
 * for each model, seed, snapshot and source of the manifest whose relation exists in the
 * warehouse, its columns with the warehouse's own type names and their position, keyed by the
 * manifest's unique_id. Relations that do not exist (not built yet) are left out, and said.
 *
 * The columns come from the warehouse's catalog through its introspector (sql/introspect.ts:
 * `information_schema` on DuckDB, Postgres and Snowflake, the dataset's
 * `INFORMATION_SCHEMA` on BigQuery), so this module writes no SQL of its own. The server
 * reads them for the CLI while it holds the warehouse (POST /docs/catalog).
 */
import type { ColumnInfo, Introspector } from '../warehouse.js';
import type { Manifest } from './docs-artifacts.js';

/** The `dbt_schema_version` of what {@link catalogOf} writes. */
export const CATALOG_SCHEMA = 'https://schemas.getdbt.com/dbt/catalog/v1.json';

/** A relation the manifest expects, e.g. `{ uniqueId: 'model.switchboard.calls', section: 'nodes', schema: 'analytics', name: 'calls' }`. */
export interface CatalogTarget {
  uniqueId: string;
  /** Where it goes in catalog.json. */
  section: 'nodes' | 'sources';
  schema: string;
  name: string;
}

/** A relation that exists, with its columns in table order. */
export interface RelationColumns {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: ColumnInfo[];
}

/** dbt's catalog.json (v1). */
export interface Catalog {
  metadata: { dbt_schema_version: string; generated_at: string; invocation_id: string; env: Record<string, string> };
  nodes: Record<string, CatalogTable>;
  sources: Record<string, CatalogTable>;
  errors: string[] | null;
}

/** One relation in catalog.json. */
export interface CatalogTable {
  metadata: { type: string; schema: string; name: string; database: string | null; comment: string | null; owner: string | null };
  columns: Record<string, { type: string; index: number; name: string; comment: string | null }>;
  stats: Record<string, { id: string; label: string; value: boolean | string | number | null; include: boolean; description: string | null }>;
  unique_id: string;
}

/** The relations of a manifest that have one: models, seeds, snapshots and sources (not tests). */
export function catalogTargets(manifest: Manifest): CatalogTarget[] {
  const out: CatalogTarget[] = [];
  for (const node of Object.values(manifest.nodes)) {
    if (!['model', 'seed', 'snapshot'].includes(node.resource_type)) continue;
    out.push({ uniqueId: node.unique_id, section: 'nodes', schema: String(node.schema), name: String(node.alias ?? node.name) });
  }
  for (const source of Object.values(manifest.sources)) {
    out.push({ uniqueId: source.unique_id, section: 'sources', schema: String(source.schema), name: String(source.identifier ?? source.name) });
  }
  return out;
}

/**
 * The relations among `wanted` that exist, with their columns: one catalog query for the
 * relations of all their schemas, then one per existing relation for its columns.
 * @example await readRelations(warehouse.introspector, [{ schema: 'analytics', name: 'calls' }])
 */
export async function readRelations(introspector: Introspector, wanted: ReadonlyArray<{ schema: string; name: string }>): Promise<RelationColumns[]> {
  const schemas = [...new Set(wanted.map((w) => w.schema))].sort();
  const present = new Map((await introspector.relations(schemas)).map((r) => [`${r.schema}.${r.name}`, r]));
  const out: RelationColumns[] = [];
  const seen = new Set<string>();
  for (const { schema, name } of wanted) {
    const relation = present.get(`${schema}.${name}`);
    if (relation === undefined || seen.has(`${schema}.${name}`)) continue;
    seen.add(`${schema}.${name}`);
    out.push({ schema, name, kind: relation.kind, columns: await introspector.columns(schema, name) });
  }
  return out;
}

export interface CatalogMetadata {
  generatedAt: Date;
  /** The manifest's invocation_id, so the two files say they belong together. */
  invocationId: string;
}

/**
 * catalog.json from what {@link readRelations} found; `missing` are the targets whose relation
 * does not exist (left out of the file).
 */
export function catalogOf(targets: readonly CatalogTarget[], relations: readonly RelationColumns[], meta: CatalogMetadata): { catalog: Catalog; missing: CatalogTarget[] } {
  const catalog = emptyCatalog(meta);
  const byName = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
  const missing: CatalogTarget[] = [];
  for (const target of targets) {
    const relation = byName.get(`${target.schema}.${target.name}`);
    if (relation === undefined) {
      missing.push(target);
      continue;
    }
    catalog[target.section][target.uniqueId] = {
      // dbt's adapters report information_schema's table_type: BASE TABLE or VIEW.
      metadata: { type: relation.kind === 'view' ? 'VIEW' : 'BASE TABLE', schema: relation.schema, name: relation.name, database: null, comment: null, owner: null },
      columns: Object.fromEntries(relation.columns.map((c) => [c.name, { type: c.dataType, index: c.ordinal, name: c.name, comment: null }])),
      // dbt's placeholder when an adapter reports no statistics.
      stats: { has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false, description: 'Indicates whether there are statistics for this table' } },
      unique_id: target.uniqueId,
    };
  }
  return { catalog, missing };
}

/** A catalog with no relations (`--empty-catalog`, as dbt's flag). */
export function emptyCatalog(meta: CatalogMetadata): Catalog {
  return {
    metadata: { dbt_schema_version: CATALOG_SCHEMA, generated_at: meta.generatedAt.toISOString(), invocation_id: meta.invocationId, env: {} },
    nodes: {},
    sources: {},
    errors: null,
  };
}
