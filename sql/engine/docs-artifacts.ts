/**
 * `switchboard docs generate`: the project as dbt's `manifest.json` (schema v12,
 * https://schemas.getdbt.com/dbt/manifest/v12.json; fields described at
 * https://docs.getdbt.com/reference/artifacts/manifest-json), so that what reads dbt's
 * artifacts (dbt-docs, data catalogs, lineage tools) reads Switchboard's project:
 *
 * - `nodes`: every model (`model.<package>.<name>`, package `switchboard` for the bundled
 *   models and `project` for a user's), seed and snapshot (models materialized `seed` /
 *   `snapshot`), and every data test (`test.<package>.<name>`, with dbt's `test_metadata`);
 * - `sources`: every `source()` a model reads, and every table a YAML `sources:` declares
 *   (`source.<package>.<source>.<table>`);
 * - `exposures`: every configured sync, as an `application` that depends on the models it
 *   sends (docs-exposures.ts);
 * - `parent_map` / `child_map`: first-order lineage, raw table → staging → curated → sync.
 *
 * Fields are dbt's names, types and meanings. Where Switchboard has no such thing (macros as
 * nodes, groups, metrics, semantic models) the key is there, empty. Schemas are Switchboard's
 * names (on BigQuery without warehouse.datasetPrefix) and `database` is null.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlDialect } from '../dialect.js';
import type { CompileOptions } from './compile.js';
import { loadDataTests } from './data-tests.js';
import { loadDocsProperties } from './docs-properties.js';
import { exposuresOf, type SyncExposureInput } from './docs-exposures.js';
import { modelNode, nodeId, sourceEntries, testNode, type ManifestEntry, type NodeContext } from './docs-nodes.js';
import type { Model, Project } from './model.js';

export type { SyncExposureInput } from './docs-exposures.js';
export type { ManifestEntry } from './docs-nodes.js';
export { nodeId, resourceTypeOf } from './docs-nodes.js';

/** The `dbt_schema_version` of what {@link generateManifest} writes. */
export const MANIFEST_SCHEMA = 'https://schemas.getdbt.com/dbt/manifest/v12.json';

/** dbt's manifest.json (v12): the keys tools read; the rest are there, empty. */
export interface Manifest {
  metadata: {
    dbt_schema_version: string;
    generated_at: string;
    invocation_id: string;
    env: Record<string, string>;
    /** The root project: `project` when `models.paths` add folders, else `switchboard`. */
    project_name: string;
    /** warehouse.type, e.g. `duckdb` (dbt's adapter names are the same). */
    adapter_type: string;
  };
  nodes: Record<string, ManifestEntry>;
  sources: Record<string, ManifestEntry>;
  exposures: Record<string, ManifestEntry>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  [empty: string]: unknown;
}

export interface ManifestOptions {
  /** The configured warehouse's dialect: relation names and compiled code are its SQL. */
  dialect: SqlDialect;
  /** The project's compile settings (`modelsRuntime(…).settings`). */
  settings: Omit<CompileOptions, 'dialect' | 'incremental'>;
  /** warehouse.type, e.g. `postgres`. */
  adapterType: string;
  /** The configured syncs (config `syncs:`), each an exposure. */
  syncs?: readonly SyncExposureInput[];
  /** Include each model's and test's compiled SQL (dbt's `compiled_code`); default true (`--no-compile`: false). */
  compile?: boolean;
  /** The config file the syncs are declared in, for the exposures' `original_file_path`, e.g. `switchboard.yaml`. */
  configPath?: string | null;
  invocationId?: string;
  generatedAt?: Date;
}

export interface ManifestResult {
  manifest: Manifest;
  /** What the operator should know: a sync whose model is not in the project, say. */
  notes: string[];
}

/**
 * @example const { manifest } = await generateManifest(project, { dialect, settings: runtime.settings, adapterType: 'duckdb', syncs: config.file.syncs })
 */
export async function generateManifest(project: Project, options: ManifestOptions): Promise<ManifestResult> {
  const generatedAt = options.generatedAt ?? new Date();
  const context: NodeContext = {
    project,
    dialect: options.dialect,
    settings: options.settings,
    compile: options.compile !== false,
    properties: await loadDocsProperties(project),
    createdAt: generatedAt.getTime() / 1000,
    sources: {},
  };
  context.sources = sourceEntries(context);
  const sources = Object.fromEntries(Object.values(context.sources).map((s) => [s.unique_id, s]));
  const nodes: Record<string, ManifestEntry> = {};
  for (const model of [...project.models.values()].sort((a, b) => compare(a.name, b.name))) {
    const node = modelNode(context, model);
    nodes[node.unique_id] = node;
  }
  for (const test of await loadDataTests(project)) {
    const node = testNode(context, test);
    nodes[node.unique_id] = node;
  }
  const notes: string[] = [];
  const exposures = exposuresOf(options.syncs ?? [], {
    project,
    targetSchema: options.settings.targetSchema,
    idOf: (name) => nodeId(project.models.get(name) as Model),
    configPath: options.configPath ?? null,
    createdAt: context.createdAt,
    note: (text) => notes.push(text),
  });
  const { parents, children } = lineage({ ...nodes, ...sources, ...exposures });
  const manifest: Manifest = {
    metadata: {
      dbt_schema_version: MANIFEST_SCHEMA,
      generated_at: generatedAt.toISOString(),
      invocation_id: options.invocationId ?? randomUUID(),
      env: {},
      project_name: project.layers.at(-1)?.package ?? 'switchboard',
      adapter_type: options.adapterType,
    },
    nodes,
    sources,
    macros: {},
    docs: {},
    exposures,
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
    parent_map: parents,
    child_map: children,
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
  return { manifest, notes };
}

/** dbt's parent_map (each entry's depends_on.nodes) and child_map (the reverse), every id in both, sorted. */
function lineage(entries: Record<string, ManifestEntry>): { parents: Record<string, string[]>; children: Record<string, string[]> } {
  const parents: Record<string, string[]> = {};
  const children: Record<string, string[]> = {};
  const ids = Object.keys(entries).sort(compare);
  for (const id of ids) children[id] = [];
  for (const id of ids) {
    const nodes = ((entries[id] as { depends_on?: { nodes?: string[] } }).depends_on?.nodes ?? []).filter((parent) => parent in entries);
    parents[id] = [...new Set(nodes)].sort(compare);
    for (const parent of parents[id]) (children[parent] as string[]).push(id);
  }
  for (const id of ids) (children[id] as string[]).sort(compare);
  return { parents, children };
}

/** Code-point order, the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Writes one artifact as `<targetDir>/<file>`, replaced whole (written aside, then renamed), and
 * returns its path.
 * @example await writeArtifact(runtime.targetDir, 'manifest.json', manifest)
 */
export async function writeArtifact(targetDir: string, file: string, value: unknown): Promise<string> {
  await mkdir(targetDir, { recursive: true });
  const path = join(targetDir, file);
  await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return path;
}
