/** The real Postgres the tests use (127.0.0.1:5432, trust auth), overridable by env. */
export const TEST_POSTGRES_URL = process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A schema name no other test run uses, e.g. `raw_t1a2b3c4`. */
export function uniqueSchema(prefix = 'raw'): string {
  return `${prefix}_t${Math.random().toString(36).slice(2, 10)}`;
}
