/**
 * The real BigQuery project the live suites use (README › Testing › Live suites), from the
 * environment the runner checked (test/live/live-warehouses.ts), and what each live file
 * needs: a dataset prefix of its own, open options, a `warehouse:` config block, and the
 * clean-up that deletes every dataset under its prefix.
 *
 * A live file run without that environment fails at once, saying how to run it: it never
 * passes by testing nothing.
 */
import { resolve } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import type { BigQueryOpenOptions } from '../../sql/warehouses/bigquery/open.js';
import { bigQueryKeyFile, LIVE_WAREHOUSES, newRunPrefix, RUN_PREFIX_VARIABLE } from './live-warehouses.js';

/** Every query's `maximumBytesBilled` unless SWITCHBOARD_TEST_BIGQUERY_MAX_BYTES_BILLED says otherwise: 1 GiB. */
export const LIVE_MAXIMUM_BYTES_BILLED = 2 ** 30;

/** Where the live suites run, and what they may spend. */
export interface LiveProject {
  projectId: string;
  /** SWITCHBOARD_TEST_BIGQUERY_LOCATION, default `US`. */
  location: string;
  /** Absolute path of the credentials file (service-account key, or gcloud's ADC file). */
  keyFile: string;
  maximumBytesBilled: number;
  /** Every dataset this process creates starts with it, e.g. `sbtest_1a2b3c4d_`. */
  runPrefix: string;
}

/** The project from the environment; throws (failing the file) when the runner's checks would not pass. */
export function liveProject(env: NodeJS.ProcessEnv = process.env): LiveProject {
  const missing = LIVE_WAREHOUSES.get('bigquery')?.missing(env) ?? [];
  const key = bigQueryKeyFile(env);
  if (missing.length > 0 || key === undefined) {
    throw new Error(`live BigQuery tests cannot run: ${missing.join('; ')}. Run them with \`npm run test:live -- bigquery\` (README › Testing › Live suites).`);
  }
  const bytes = Number(env.SWITCHBOARD_TEST_BIGQUERY_MAX_BYTES_BILLED ?? LIVE_MAXIMUM_BYTES_BILLED);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`SWITCHBOARD_TEST_BIGQUERY_MAX_BYTES_BILLED must be a whole number of bytes above 0, got ${env.SWITCHBOARD_TEST_BIGQUERY_MAX_BYTES_BILLED}.`);
  const runPrefix = env[RUN_PREFIX_VARIABLE] ?? newRunPrefix();
  if (!/^sbtest_[a-z0-9_]+_$/.test(runPrefix)) throw new Error(`${RUN_PREFIX_VARIABLE} must look like sbtest_1a2b3c4d_, got ${runPrefix}.`);
  return {
    projectId: env.SWITCHBOARD_TEST_BIGQUERY_PROJECT as string,
    location: env.SWITCHBOARD_TEST_BIGQUERY_LOCATION || 'US',
    // Absolute: the landing test's server runs in a directory of its own.
    keyFile: resolve(key.path),
    maximumBytesBilled: bytes,
    runPrefix,
  };
}

/** The dataset prefix of one live file: the run's, then `tag`, e.g. `sbtest_1a2b3c4d_sync_`. */
export function datasetPrefix(project: LiveProject, tag: string): string {
  return `${project.runPrefix}${tag}_`;
}

/** What openBigQuery takes to reach the project under `prefix`. */
export function openOptions(project: LiveProject, prefix: string): BigQueryOpenOptions {
  return {
    projectId: project.projectId,
    location: project.location,
    keyFile: project.keyFile,
    datasetPrefix: prefix,
    maximumBytesBilled: project.maximumBytesBilled,
    jobTimeoutMs: 600_000,
  };
}

/** The `warehouse:` block of a config file for the project under `prefix`. */
export function warehouseConfig(project: LiveProject, prefix: string): Record<string, unknown> {
  const { projectId, location, keyFile, maximumBytesBilled } = project;
  return { type: 'bigquery', projectId, location, keyFile, datasetPrefix: prefix, maximumBytesBilled };
}

/**
 * Deletes every dataset of the project whose name starts with `prefix`, with its tables
 * (datasets.delete with deleteContents), and returns their names. Listing goes through the
 * API, not INFORMATION_SCHEMA, so it sees datasets in every location:
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/list and
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/delete
 */
export async function dropDatasets(project: LiveProject, prefix: string): Promise<string[]> {
  if (!prefix.startsWith('sbtest_')) throw new Error(`refusing to delete datasets under ${prefix}: live tests only delete their own (sbtest_…)`);
  const client = new BigQuery({ projectId: project.projectId, keyFilename: project.keyFile });
  const [datasets] = await client.getDatasets();
  const ours = datasets.filter((dataset) => dataset.id?.startsWith(prefix) === true);
  for (const dataset of ours) await dataset.delete({ force: true });
  return ours.map((dataset) => dataset.id as string);
}
