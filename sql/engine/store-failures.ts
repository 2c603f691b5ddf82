/**
 * dbt's `store_failures`: a test that stores its failures writes the rows it finds to a table
 * an analyst can query, `<failures schema>.<test name>`, replaced on every run (an empty table
 * when the test passes), as dbt does. A test turns it on with `config: { store_failures: true }`
 * in YAML or `{{ config(store_failures=true) }}` in a singular test; config
 * `models.tests.storeFailures` turns it on for every test that does not say otherwise. The
 * schema is `models.tests.failuresSchema`, by default `<models.schema>_dbt_test__audit`
 * (dbt's name for it).
 */
import { createHash } from 'node:crypto';
import type { SqlDialect } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { executePlan } from './execute.js';
import type { Statement } from './materialize.js';

/** How a project's tests keep their failing rows (config `models.tests`). */
export interface TestSettings {
  /** Store the failing rows of every test that does not set `store_failures` itself; default false. */
  storeFailures?: boolean;
  /** Where they are stored; default `<targetSchema>_dbt_test__audit`. */
  failuresSchema?: string;
}

/** The suffix dbt gives the schema of stored failures. */
export const FAILURES_SCHEMA_SUFFIX = '_dbt_test__audit';

/** @example failuresSchema({ targetSchema: 'analytics' }) → 'analytics_dbt_test__audit' */
export function failuresSchema(settings: { targetSchema: string; tests?: TestSettings | undefined }): string {
  return settings.tests?.failuresSchema ?? `${settings.targetSchema}${FAILURES_SCHEMA_SUFFIX}`;
}

/** Whether a test stores its failures: its own setting, else the project's. */
export function storesFailures(own: boolean | undefined, settings: { tests?: TestSettings | undefined }): boolean {
  return own ?? settings.tests?.storeFailures ?? false;
}

/**
 * Longest table name kept as is: Postgres cuts identifiers at 63 characters, and a table is
 * replaced by building `<name>__sb_new` aside (8 more).
 */
const MAX_TABLE_NAME = 55;

/**
 * The table a test's failures go to: its name, or for a longer name its first 30 characters
 * and a hash of the whole, as dbt shortens long test names.
 * @example failuresTable('unique_calls_call_id') → 'unique_calls_call_id'
 * @example failuresTable('unique_combination_of_columns_meeting_participants_meeting_id__participant_id') → 'unique_combination_of_columns__3c0f…' (55 characters)
 */
export function failuresTable(testName: string): string {
  if (testName.length <= MAX_TABLE_NAME) return testName;
  return `${testName.slice(0, 30)}_${createHash('md5').update(testName).digest('hex').slice(0, MAX_TABLE_NAME - 31)}`;
}

/** The statements that replace `schema.table` with the rows of `failing`, as one change readers see whole. */
export function planStoreFailures(d: SqlDialect, failing: string, schema: string, table: string): Statement[] {
  return [{ description: `schema ${schema}`, sql: d.createSchema(schema), ddl: true }, ...d.replaceTable(schema, table, failing)];
}

/**
 * Runs `failing`, the SELECT of a test's failing rows, and returns how many it gave. With
 * `store`, the rows are first written to `store.schema.store.table` (replacing what the
 * last run left there) and counted there, so the count and the stored rows agree.
 */
export async function countFailures(warehouse: Warehouse, failing: string, store?: { schema: string; table: string }): Promise<number> {
  if (store !== undefined) return (await executePlan(warehouse, planStoreFailures(warehouse.dialect, failing, store.schema, store.table))) ?? 0;
  return Number((await warehouse.all<{ n: number }>(`SELECT COUNT(*) AS n FROM (${failing}) AS failures`))[0]?.n ?? 0);
}
