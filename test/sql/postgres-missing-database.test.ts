/**
 * A warehouse.url naming a database that does not exist, on the real local Postgres: the
 * error says so (not "cannot reach"), says how to create it, and `serve` stops there
 * instead of waiting for it as for an outage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SwitchboardError } from '../../core/errors.js';
import { loadConfig } from '../../server/config.js';
import { createSwitchboardServer } from '../../server/switchboard-server.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';
import { TEST_SECRETS } from '../helpers/harness.js';

/** TEST_POSTGRES_URL with its database replaced by `database`. */
function urlFor(database: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

const missing = (): string => `sb_missing_${randomBytes(4).toString('hex')}`;

test('a missing database is SB_SQL_DATABASE_MISSING, naming it, and the statements the message gives create it', async () => {
  const name = missing();
  const error = await openWarehouse({ type: 'postgres', url: urlFor(name) }).then(
    () => assert.fail('opened a database that does not exist'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SwitchboardError, String(error));
  assert.equal(error.code, 'SB_SQL_DATABASE_MISSING');
  assert.equal(error.configKey, 'warehouse.url');
  const user = new URL(TEST_POSTGRES_URL).username;
  assert.match(error.message, new RegExp(`has no database "${name}" \\(warehouse\\.url\\)`));
  assert.match(error.message, new RegExp(`createdb -h \\S+ -p \\d+ -U postgres ${name},`));
  assert.doesNotMatch(error.message, /Cannot reach/);

  // Following the advice works: run the message's own statements, then open again.
  const statements = [...error.message.matchAll(/(CREATE DATABASE [^;]+|GRANT CREATE ON DATABASE [^;]+);/g)].map((m) => m[1] as string);
  assert.deepEqual(statements, [`CREATE DATABASE ${name}`, `GRANT CREATE ON DATABASE ${name} TO ${user}`]);
  const admin = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
  try {
    for (const statement of statements) await admin.run(statement);
    const created = await openWarehouse({ type: 'postgres', url: urlFor(name) });
    try {
      assert.deepEqual(await created.all('SELECT current_database() AS db'), [{ db: name }]);
    } finally {
      await created.close();
    }
  } finally {
    await admin.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
});

test('serve stops at start-up on a missing database (it is set-up, not an outage to wait out)', async () => {
  const name = missing();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  try {
    const file = { warehouse: { type: 'postgres', url: urlFor(name) }, spool: { dir: join(dir, 'data', 'spool') }, log: { level: 'silent' } };
    writeFileSync(join(dir, 'switchboard.json'), JSON.stringify(file));
    const config = loadConfig({ cwd: dir, env: { ...TEST_SECRETS } });
    await assert.rejects(createSwitchboardServer(config, pino({ level: 'silent' }), dir), (error: SwitchboardError) => {
      assert.equal(error.code, 'SB_SQL_DATABASE_MISSING');
      assert.match(error.message, new RegExp(`no database "${name}"`));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
