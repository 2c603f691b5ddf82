/**
 * The warehouses the live suites run against (`npm run test:live -- <name>`), and what each
 * needs from the environment. Reading the environment only: nothing here reaches a warehouse,
 * so the runner can say "not tested" without loading a vendor client.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

/** A warehouse with live suites: test/live/<name>-*.live.ts. */
export interface LiveWarehouse {
  /** As typed after `npm run test:live --`, e.g. `bigquery`; its files are `<name>-*.live.js`. */
  name: string;
  /** As the report names it, e.g. `BigQuery`. */
  title: string;
  /** The variables to set, as one phrase for the "not tested" line, e.g. `SWITCHBOARD_TEST_BIGQUERY_PROJECT and …`. */
  needs: string;
  /** What is missing or wrong in `env`, one phrase each; empty when the live suites can run. */
  missing(env: NodeJS.ProcessEnv): string[];
  /** Variables the runner adds to the tests' environment for one run, e.g. the run's dataset prefix. */
  prepare(): Record<string, string>;
  /**
   * After the tests, deletes whatever the run (`env`: the tests' environment) left in the
   * warehouse and returns its names; each file deletes its own, so anything here is a leak.
   */
  leftovers(env: NodeJS.ProcessEnv): Promise<string[]>;
}

/** Set by the runner for its child: every BigQuery dataset of one run starts with it (`sbtest_<hex>_`). */
export const RUN_PREFIX_VARIABLE = 'SWITCHBOARD_TEST_BIGQUERY_RUN_PREFIX';

/** A prefix no other run uses: `sbtest_` and 8 random hex digits, e.g. `sbtest_1a2b3c4d_`. */
export function newRunPrefix(): string {
  return `sbtest_${randomBytes(4).toString('hex')}_`;
}

/** The key file the BigQuery live suites sign in with: SWITCHBOARD_TEST_BIGQUERY_KEY_FILE, else GOOGLE_APPLICATION_CREDENTIALS. */
export function bigQueryKeyFile(env: NodeJS.ProcessEnv): { variable: string; path: string } | undefined {
  for (const variable of ['SWITCHBOARD_TEST_BIGQUERY_KEY_FILE', 'GOOGLE_APPLICATION_CREDENTIALS']) {
    const path = env[variable];
    if (path !== undefined && path !== '') return { variable, path };
  }
  return undefined;
}

const bigquery: LiveWarehouse = {
  name: 'bigquery',
  title: 'BigQuery',
  needs: 'SWITCHBOARD_TEST_BIGQUERY_PROJECT and GOOGLE_APPLICATION_CREDENTIALS (or SWITCHBOARD_TEST_BIGQUERY_KEY_FILE)',
  missing(env) {
    const missing: string[] = [];
    if ((env.SWITCHBOARD_TEST_BIGQUERY_PROJECT ?? '') === '') missing.push('SWITCHBOARD_TEST_BIGQUERY_PROJECT is not set');
    const key = bigQueryKeyFile(env);
    if (key === undefined) missing.push('neither GOOGLE_APPLICATION_CREDENTIALS nor SWITCHBOARD_TEST_BIGQUERY_KEY_FILE is set');
    else if (!existsSync(key.path)) missing.push(`${key.variable} names ${key.path}, which does not exist`);
    return missing;
  },
  prepare: () => ({ [RUN_PREFIX_VARIABLE]: newRunPrefix() }),
  async leftovers(env) {
    // Loaded only here: without credentials the runner never loads the BigQuery client.
    const { dropDatasets, liveProject } = await import('./bigquery-project.js');
    const project = liveProject(env);
    return dropDatasets(project, project.runPrefix);
  },
};

/** Every warehouse with live suites, by name. */
export const LIVE_WAREHOUSES: ReadonlyMap<string, LiveWarehouse> = new Map([[bigquery.name, bigquery]]);
