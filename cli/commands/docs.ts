/**
 * `switchboard docs generate`: the models project as dbt's manifest.json and catalog.json in
 * models.targetDir, for dbt-docs, data catalogs and lineage tools (sql/engine/docs-artifacts.ts,
 * docs-catalog.ts). The catalog reads the warehouse's own catalog: in the running server when
 * its operator API answers (it holds the warehouse, and an embedded DuckDB file admits one
 * process), else directly.
 */
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { Command } from 'commander';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { loadConfig } from '../../server/config.js';
import { generateManifest, writeArtifact, type Manifest } from '../../sql/engine/docs-artifacts.js';
import { catalogOf, catalogTargets, emptyCatalog, readRelations, type Catalog, type CatalogTarget, type RelationColumns } from '../../sql/engine/docs-catalog.js';
import { loadConfiguredProject, modelsRuntime } from '../../sql/engine/from-config.js';
import { describeWarehouse, dialectFor, isDialectName, openWarehouse, warehouseConfigOf } from '../../sql/warehouses/index.js';
import { adminHeaders, adminRefusal } from '../admin-client.js';
import { localUrl } from '../local-url.js';

interface GenerateOptions {
  compile: boolean;
  emptyCatalog?: boolean;
  config?: string;
  adminUrl?: string;
}

export function docsCommand(): Command {
  const docs = new Command('docs').description("Documentation of the models project as dbt's artifacts (manifest.json, catalog.json).");
  docs.addCommand(
    new Command('generate')
      .description("Write manifest.json and catalog.json (dbt's formats) into models.targetDir: models, tests, sources, syncs as exposures, and the warehouse's column types.")
      .option('--no-compile', "leave out each model's and test's compiled SQL (compiled_code)")
      .option('--empty-catalog', 'write an empty catalog.json without asking the warehouse')
      .option('-c, --config <file>', 'config file (for models.*, syncs, the warehouse and the operator API address)')
      .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
      .addHelpText(
        'after',
        `
manifest.json is dbt's manifest (v12): every model (model.switchboard.<name> for the bundled
ones, model.project.<name> for yours) with its description and columns from YAML, raw and
compiled SQL and what it reads; every data test; every source a model reads; every sync in the
config as an exposure (exposure.switchboard.<sync>) that depends on the models it sends; and
parent_map / child_map. catalog.json is dbt's catalog (v1): the columns and warehouse types of
each relation that exists. Relations not built yet are left out and listed.

The catalog asks the warehouse's information_schema: through the running server when one
answers at the operator API (POST /docs/catalog), else by opening the warehouse. --empty-catalog
connects to nothing. To browse the files, point dbt-docs or your data catalog at models.targetDir.

Examples:
  switchboard docs generate
  switchboard docs generate --no-compile --empty-catalog     # no warehouse needed
  switchboard docs generate --config /etc/switchboard/switchboard.yaml`,
      )
      .action((options: GenerateOptions) => generate(options)),
  );
  return docs;
}

async function generate(options: GenerateOptions): Promise<void> {
  const config = loadConfig({ path: options.config, skipSecrets: true });
  const type = config.file.warehouse.type;
  if (!isDialectName(type)) throw new SwitchboardError('SB_CLI_BAD_OPTION', `warehouse.type ${type} has no SQL dialect.`, { configKey: 'warehouse.type' });
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const runtime = modelsRuntime(config.file, process.env, process.cwd());
  const dialect = dialectFor(type);
  const project = await loadConfiguredProject(runtime, dialect);
  const where = project.layers.map((l) => (l.package === 'switchboard' ? 'the bundled package' : `${relative(process.cwd(), l.dir) || '.'} (${l.package})`));
  say(`Loaded ${project.models.size} models from ${where.join(', ')}.`);

  const generatedAt = new Date();
  const invocationId = randomUUID();
  const { manifest, notes } = await generateManifest(project, {
    dialect,
    settings: runtime.settings,
    adapterType: type,
    syncs: config.file.syncs,
    compile: options.compile,
    configPath: config.source === null ? null : relative(process.cwd(), config.source),
    invocationId,
    generatedAt,
  });
  say(`Manifest: ${counts(manifest)}${options.compile ? `, compiled for ${type}` : ''}.`);
  for (const note of notes) say(`  note: ${note}`);
  const manifestPath = await write(runtime.targetDir, 'manifest.json', manifest);

  let catalog: Catalog;
  if (options.emptyCatalog === true) {
    catalog = emptyCatalog({ generatedAt, invocationId });
    say('Catalog: left empty (--empty-catalog).');
  } else {
    const targets = catalogTargets(manifest);
    const relations = await readCatalog(config, options.adminUrl ?? localUrl(config.file.admin), targets, say, relative(process.cwd(), manifestPath));
    const built = catalogOf(targets, relations, { generatedAt, invocationId });
    catalog = built.catalog;
    say(`Catalog: ${targets.length - built.missing.length} of ${targets.length} relations found.`);
    if (built.missing.length > 0) {
      say('  Not in the warehouse, so not in catalog.json (not built yet, or left out of builds; raw tables appear once events land):');
      for (const target of built.missing) say(`    ${target.uniqueId} (${target.schema}.${target.name})`);
    }
  }
  const catalogPath = await write(runtime.targetDir, 'catalog.json', catalog);
  say(`Wrote ${relative(process.cwd(), manifestPath)} and ${relative(process.cwd(), catalogPath)}.`);
}

function counts(manifest: Manifest): string {
  const by = new Map<string, number>();
  for (const node of Object.values(manifest.nodes)) by.set(node.resource_type, (by.get(node.resource_type) ?? 0) + 1);
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  const parts = [n(by.get('model') ?? 0, 'model')];
  if (by.has('seed')) parts.push(n(by.get('seed') ?? 0, 'seed'));
  if (by.has('snapshot')) parts.push(n(by.get('snapshot') ?? 0, 'snapshot'));
  parts.push(n(by.get('test') ?? 0, 'data test'), n(Object.keys(manifest.sources).length, 'source'), n(Object.keys(manifest.exposures).length, 'exposure'));
  return parts.join(', ');
}

async function write(targetDir: string, file: string, value: unknown): Promise<string> {
  try {
    return await writeArtifact(targetDir, file, value);
  } catch (error) {
    throw new SwitchboardError('SB_DOCS_WRITE_FAILED', `Could not write ${file} into ${targetDir}: ${(error as Error).message}. Make the folder writable, or point models.targetDir elsewhere.`, {
      configKey: 'models.targetDir',
    });
  }
}

/**
 * The relations that exist among `targets`, with their columns: from the server when its
 * operator API answers, else from the warehouse opened here.
 * @throws SwitchboardError SB_DOCS_CATALOG_UNAVAILABLE when neither answers (the manifest is written already)
 */
async function readCatalog(config: Config, base: string, targets: readonly CatalogTarget[], say: (line: string) => void, manifestPath: string): Promise<RelationColumns[]> {
  const wanted = targets.map(({ schema, name }) => ({ schema, name }));
  const unavailable = (where: string, error: unknown): SwitchboardError =>
    new SwitchboardError(
      'SB_DOCS_CATALOG_UNAVAILABLE',
      `Could not read the catalog ${where}: ${(error as Error).message}. ${manifestPath} is written; catalog.json is not. ` +
        'If serve is running, let this command reach its operator API (admin.host, admin.port, or --admin-url); otherwise check warehouse.*. ' +
        'Or run with --empty-catalog to write an empty catalog.json without the warehouse.',
      { configKey: 'warehouse', cause: error },
    );
  let response: Response | null = null;
  try {
    response = await fetch(new URL('/docs/catalog', base), { method: 'POST', headers: adminHeaders(config, true), body: JSON.stringify({ relations: wanted }) });
  } catch {
    // Nothing listens: no server holds the warehouse, so it may be opened here.
  }
  if (response !== null) {
    say(`Reading the catalog in the server at ${base} (it holds the warehouse).`);
    const body = (await response.json().catch(() => ({}))) as { relations?: RelationColumns[]; error?: { code: string; message: string } };
    if (response.status === 404) throw unavailable(`in the server at ${base}`, new Error('it has no POST /docs/catalog (a Switchboard older than this CLI); restart serve with this version'));
    if (response.status === 401 || response.status === 403) throw adminRefusal(config, response.status, body, `HTTP ${response.status}`);
    if (!response.ok || body.relations === undefined) throw unavailable(`in the server at ${base}`, new Error(body.error?.message ?? `HTTP ${response.status}`));
    return body.relations;
  }
  say(`Reading the catalog from ${describeWarehouse(config.file.warehouse)}.`);
  try {
    const warehouse = await openWarehouse(warehouseConfigOf(config.file.warehouse, process.cwd()));
    try {
      return await readRelations(warehouse.introspector, wanted);
    } finally {
      await warehouse.close();
    }
  } catch (error) {
    throw unavailable(`from ${describeWarehouse(config.file.warehouse)}`, error);
  }
}
