/**
 * `build` and `test`: in the running server when its operator API answers (it holds the
 * warehouse, and an embedded DuckDB file admits one process), else against the warehouse
 * directly. Either way the same dbt-style lines are printed as each node starts and ends,
 * and the run results are saved (by whichever process ran the build).
 */
import { relative } from 'node:path';
import { loadConfig } from '../server/config.js';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { openMigrated } from '../server/switchboard-server.js';
import { migrationContextOf } from '../server/migrations.js';
import { migrationLogger } from './migration-logger.js';
import { warehouseConfigOf } from '../sql/warehouses/index.js';
import { ModelBuilds, runCounts, type RunCommand, type RunRequest } from '../server/model-builds.js';
import { ModelError } from '../sql/engine/errors.js';
import { modelsRuntime } from '../sql/engine/from-config.js';
import type { ProgressEvent, RunResults } from '../sql/engine/run.js';
import pino from 'pino';
import { runAsJob } from '../server/jobs/standalone.js';
import { modelsJob } from '../server/jobs/definitions.js';
import { localUrl } from './local-url.js';
import { postForNdjson } from './admin-client.js';
import { progressLine, summary } from './run-output.js';

export interface RunModelsOptions {
  config?: string;
  adminUrl?: string;
  select?: string[];
  exclude?: string[];
  fullRefresh?: boolean;
}

/**
 * Runs, prints, and throws `SB_MODEL_BUILD_FAILED` (exit status 1) when a node errored or a
 * data test failed.
 */
export async function runModels(command: RunCommand, options: RunModelsOptions): Promise<void> {
  const config = loadConfig({ path: options.config, skipSecrets: true });
  const base = options.adminUrl ?? localUrl(config.file.admin);
  const request: RunRequest = {
    ...(options.select === undefined ? {} : { select: options.select }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.fullRefresh === true ? { fullRefresh: true } : {}),
  };
  const print = (event: ProgressEvent): void => void process.stdout.write(progressLine(event, new Date()));
  const { schema, targetDir } = config.file.models;
  const viaServer = await inServer(config, base, command, request, print);
  let results: RunResults;
  let savedTo: string;
  if (viaServer !== null) {
    results = viaServer;
    savedTo = `${schema}.sb_run_results, and run_results.json in the server's models.targetDir (${targetDir})`;
  } else {
    const runtime = modelsRuntime(config.file, process.env, process.cwd());
    results = await direct(config, runtime, command, request, print);
    savedTo = `${schema}.sb_run_results, and ${relative(process.cwd(), runtime.targetDir) || '.'}/run_results.json`;
  }
  process.stdout.write(summary(results, savedTo));
  if (!results.success) {
    const { error, total } = runCounts(results);
    throw new ModelError('SB_MODEL_BUILD_FAILED', `${error} of ${total} nodes failed; their messages are above and in the run results.`);
  }
}

/** The results of a run in the server, or null when no server answers at `base`. */
async function inServer(config: Config, base: string, command: RunCommand, request: RunRequest, print: (event: ProgressEvent) => void): Promise<RunResults | null> {
  const values = await postForNdjson(config, base, `/${command}`, request);
  if (values === null) return null; // nothing listens: the warehouse is free to open here
  const interrupted = (why: string) =>
    new SwitchboardError(
      'SB_CLI_BUILD_INTERRUPTED',
      `${why}. The ${command} goes on in the server: its log and run results (sb_run_results) will have the outcome.`,
    );
  try {
    for await (const raw of values) {
      const value = raw as Partial<ProgressEvent & RunResults> & { error?: { code: string; message: string } };
      if (value.error !== undefined) throw new SwitchboardError(value.error.code, value.error.message);
      if (value.runId !== undefined) return value as RunResults;
      print(value as ProgressEvent);
    }
  } catch (error) {
    if (error instanceof SwitchboardError) throw error;
    throw interrupted(`The connection to ${base} broke (${(error as Error).message})`);
  }
  throw interrupted(`The server at ${base} ended the stream before the run results`);
}

async function direct(
  config: Config,
  runtime: ReturnType<typeof modelsRuntime>,
  command: RunCommand,
  request: RunRequest,
  print: (event: ProgressEvent) => void,
): Promise<RunResults> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const warehouse = await openMigrated(warehouseConfigOf(config.file.warehouse, process.cwd()), migrationContextOf(config.file), migrationLogger(config));
  const builds = new ModelBuilds(warehouse, runtime);
  try {
    // Held as the `models` job, as in serve: never beside a serve node's build.
    const job = modelsJob({ builds, schedule: 'off', logger });
    return await runAsJob(warehouse, config.file, job, async (ctx) => (await builds.prepare(command, request)).execute(print, ctx.signal), logger);
  } finally {
    await warehouse.close();
  }
}
