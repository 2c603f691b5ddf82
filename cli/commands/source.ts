/**
 * `switchboard source freshness`: in the running server when its operator API answers (it
 * holds the warehouse; an embedded DuckDB file admits one process), else against the
 * warehouse directly, holding the `freshness` job either way. dbt's lines as each table is
 * checked; exit status 1 when a table is past its error_after or could not be checked (a
 * warning does not fail, as in dbt).
 */
import { relative } from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { openMigrated } from '../../server/switchboard-server.js';
import { migrationContextOf } from '../../server/migrations.js';
import { warehouseConfigOf } from '../../sql/warehouses/index.js';
import { ModelError } from '../../sql/engine/errors.js';
import { modelsRuntime } from '../../sql/engine/from-config.js';
import type { FreshnessResult, FreshnessResults } from '../../sql/engine/freshness.js';
import { runAsJob } from '../../server/jobs/standalone.js';
import { freshnessJobFor } from '../../server/jobs/definitions.js';
import { freshnessCounts, SourceFreshnessChecks, type FreshnessRequest } from '../../server/source-freshness.js';
import { migrationLogger } from '../migration-logger.js';
import { localUrl } from '../local-url.js';
import { postForNdjson } from '../admin-client.js';
import { freshnessLine, freshnessSummary } from '../freshness-output.js';

interface FreshnessOptions {
  select?: string[];
  config?: string;
  adminUrl?: string;
}

type Print = (result: FreshnessResult, index: number, total: number) => void;

export function sourceCommand(): Command {
  const freshness = new Command('freshness')
    .description('Check how long ago each declared source table was loaded, against its warn_after and error_after, in the running server if there is one, else directly.')
    .option('-s, --select <selector...>', 'only these: source:<source> (all its tables) or source:<source>.<table>')
    .option('-c, --config <file>', 'config file (for the warehouse, models.* and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
Sources and their thresholds are declared in the models' YAML (sources:, as in dbt; the bundled
models/sources.yml declares the raw tables), overridden by models.freshness. Each table's
MAX(loaded_at_field) is compared with the time of the check: older than error_after is ERROR
STALE, older than warn_after is WARN, a table with no rows is WARN, a table that cannot be
queried is ERROR. Exit status 1 on any ERROR. Results go to <models.targetDir>/sources.json
(dbt's shape) and <models.schema>.sb_source_freshness; \`switchboard status\` shows the latest.
\`serve\` also checks on models.freshnessSchedule.

Examples:
  switchboard source freshness
  switchboard source freshness --select source:raw.voice_events
  switchboard source freshness --select source:raw`,
    )
    .action((options: FreshnessOptions) => sourceFreshness(options));
  return new Command('source').description("Source tables declared in the models' YAML (sources:): their freshness.").addCommand(freshness);
}

async function sourceFreshness(options: FreshnessOptions): Promise<void> {
  const config = loadConfig({ path: options.config, skipSecrets: true });
  const base = options.adminUrl ?? localUrl(config.file.admin);
  const request: FreshnessRequest = options.select === undefined ? {} : { select: options.select };
  const print: Print = (result, index, total) => void process.stdout.write(freshnessLine(result, index, total, new Date()));
  const { schema, targetDir } = config.file.models;
  let results = await inServer(config, base, request, print);
  let savedTo = `sources.json in the server's models.targetDir (${targetDir}), and ${schema}.sb_source_freshness`;
  if (results === null) {
    const runtime = modelsRuntime(config.file, process.env, process.cwd());
    results = await direct(config, runtime, request, print);
    savedTo = `${relative(process.cwd(), runtime.targetDir) || '.'}/sources.json and ${schema}.sb_source_freshness`;
  }
  if (results.results.length === 0) {
    process.stdout.write("Nothing to check: no declared source table has a freshness block (sources: in the models' YAML, models.freshness).\n");
    return;
  }
  process.stdout.write(freshnessSummary(results, savedTo));
  const c = freshnessCounts(results);
  if (c.error + c.runtimeError > 0) {
    throw new ModelError(
      'SB_MODEL_FRESHNESS_FAILED',
      `${c.error + c.runtimeError} of ${c.total} source tables ${c.runtimeError === 0 ? 'are past their error_after' : 'are past their error_after or could not be checked'}; see above.`,
    );
  }
}

/** The results of a check in the server, or null when no server answers at `base`. */
async function inServer(config: Config, base: string, request: FreshnessRequest, print: Print): Promise<FreshnessResults | null> {
  const values = await postForNdjson(config, base, '/source-freshness', request);
  if (values === null) return null; // nothing listens: the warehouse is free to open here
  const interrupted = (why: string) => new SwitchboardError('SB_CLI_BUILD_INTERRUPTED', `${why}. The check goes on in the server: its log and sb_source_freshness will have the outcome.`);
  try {
    for await (const raw of values) {
      const value = raw as Partial<FreshnessResults> & { result?: FreshnessResult; index?: number; total?: number; error?: { code: string; message: string } };
      if (value.error !== undefined) throw new SwitchboardError(value.error.code, value.error.message);
      if (value.checkId !== undefined) return value as FreshnessResults;
      if (value.result !== undefined) print(value.result, value.index ?? 0, value.total ?? 0);
    }
  } catch (error) {
    if (error instanceof SwitchboardError) throw error;
    throw interrupted(`The connection to ${base} broke (${(error as Error).message})`);
  }
  throw interrupted(`The server at ${base} ended the stream before the results`);
}

async function direct(config: Config, runtime: ReturnType<typeof modelsRuntime>, request: FreshnessRequest, print: Print): Promise<FreshnessResults> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const warehouse = await openMigrated(warehouseConfigOf(config.file.warehouse, process.cwd()), migrationContextOf(config.file), migrationLogger(config));
  const checks = new SourceFreshnessChecks(warehouse, runtime);
  try {
    // Held as the `freshness` job, as in serve: never beside a serve node's check.
    const job = freshnessJobFor(checks, 'off', logger);
    return await runAsJob(warehouse, config.file, job, (ctx) => checks.run(request, print, ctx.signal), logger);
  } finally {
    await warehouse.close();
  }
}
