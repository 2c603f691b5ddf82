/**
 * Postgres' readOnlyQuery when the configured user may not create the reader role: an
 * unprivileged user runs the queries itself (read-only); one that may read or write server
 * files gets SB_SQL_READER_UNAVAILABLE instead of an unsafe session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SwitchboardError } from '../../core/errors.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const role = uniqueSchema('sb_limited');
const schema = uniqueSchema('ro');
const limits = { maxRows: 10, timeoutMs: 30_000, schemas: [schema] };
let superuser: Warehouse;

function urlAs(user: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.username = user;
  url.password = '';
  return url.toString();
}

before(async () => {
  superuser = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
  await superuser.run(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB`);
  await superuser.run(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
  await superuser.run(`CREATE TABLE ${schema}.t AS SELECT 1 AS n`);
  await superuser.run(`ALTER TABLE ${schema}.t OWNER TO ${role}`);
});

after(async () => {
  await superuser.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await superuser.run(`DROP ROLE IF EXISTS ${role}`);
  await superuser.close();
});

test('a configured user without CREATEROLE that cannot reach server files runs the queries itself, read-only', async () => {
  const wh = await openWarehouse({ type: 'postgres', url: urlAs(role) });
  try {
    const result = await wh.readOnlyQuery(`SELECT current_user AS u, n FROM ${schema}.t`, limits);
    assert.deepEqual(result.rows, [{ u: role, n: 1 }]);
    await assert.rejects(wh.readOnlyQuery(`WITH d AS (DELETE FROM ${schema}.t RETURNING 1) SELECT * FROM d`, limits), (e) => e instanceof SwitchboardError && e.code === 'SB_SQL_NOT_READ_ONLY');
    assert.deepEqual(await wh.all(`SELECT n FROM ${schema}.t`), [{ n: 1 }]);
  } finally {
    await wh.close();
  }
});

test('a configured user that may read server files but not create the reader role gets SB_SQL_READER_UNAVAILABLE', async () => {
  await superuser.run(`GRANT pg_read_server_files TO ${role}`);
  const wh = await openWarehouse({ type: 'postgres', url: urlAs(role) });
  try {
    await assert.rejects(
      wh.readOnlyQuery(`SELECT pg_read_file('/etc/hostname') AS f`, limits),
      (e) => e instanceof SwitchboardError && e.code === 'SB_SQL_READER_UNAVAILABLE' && /CREATEROLE/.test(e.message),
    );
  } finally {
    await wh.close();
    await superuser.run(`REVOKE pg_read_server_files FROM ${role}`);
  }
});
