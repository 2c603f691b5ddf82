/**
 * The conformance suite on a real Postgres server. Each run writes under its own schema
 * prefix (random), so parallel runs never collide, and drops its schemas at the end.
 * Postgres being down is a failure, never a skip.
 */
// A far-off, half-hour zone: nothing may depend on the host's time zone.
process.env.TZ = 'Pacific/Chatham';

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { runWarehouseConformance } from './conformance.js';

const url = process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schemaPrefix = `sbtest_${randomBytes(4).toString('hex')}_`;
const HOW_TO_START =
  'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
  '(or point SWITCHBOARD_TEST_POSTGRES_URL at another server).';

async function open(): Promise<Warehouse> {
  try {
    return await openWarehouse({ type: 'postgres', url, schemaPrefix, poolSize: 4, detectReentrancy: true });
  } catch (error) {
    throw new Error(`Postgres tests need a server at ${url}, but: ${(error as Error).message}\n${HOW_TO_START}`, { cause: error });
  }
}

after(async () => {
  let wh: Warehouse;
  try {
    wh = await openWarehouse({ type: 'postgres', url });
  } catch {
    return; // unreachable: every test has already failed saying so, and nothing was created
  }
  try {
    const schemas = await wh.all<{ name: string }>(
      'SELECT nspname AS name FROM pg_namespace WHERE left(nspname, length($1)) = $1',
      [schemaPrefix],
    );
    for (const { name } of schemas) await wh.run(`DROP SCHEMA ${wh.dialect.quoteIdent(name)} CASCADE`);
  } finally {
    await wh.close();
  }
});

runWarehouseConformance('postgres', open);

describe('postgres specifics: streams and cancel give their client back', () => {
  /** This process' backends of `wh`'s pool (application_name switchboard) by state. */
  async function backends(observer: Warehouse, state: string): Promise<number> {
    const rows = await observer.all<{ n: number }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'switchboard' AND state = $1 AND query LIKE $2`,
      [state, '%switchboard_stream%'],
    );
    return Number(rows[0]?.n);
  }

  // A pool of one: a client not given back would leave the next query waiting (the timeout fails it).
  test('after a stream is broken out of, or cancelled, the one pooled client is back and no cursor is left open', { timeout: 60_000 }, async () => {
    const wh = await openWarehouse({ type: 'postgres', url, schemaPrefix, poolSize: 1 });
    const observer = await openWarehouse({ type: 'postgres', url });
    try {
      for await (const batch of wh.stream('SELECT g.n FROM generate_series(1, 100000) AS g(n)', [], { batchRows: 10 })) {
        assert.equal(batch.length, 10);
        break;
      }
      assert.equal(await backends(observer, 'idle in transaction'), 0, 'the cursor was closed and its transaction ended');
      assert.deepEqual(await wh.all('SELECT 1 AS one'), [{ one: 1 }]);
      const controller = new AbortController();
      await assert.rejects(async () => {
        for await (const _ of wh.stream('SELECT g.n FROM generate_series(1, 100000) AS g(n)', [], { batchRows: 10, signal: controller.signal })) controller.abort();
      }, { code: 'SB_SQL_QUERY_CANCELLED' });
      await assert.rejects(wh.all('SELECT pg_sleep(30)', [], { signal: AbortSignal.timeout(200) }), { code: 'SB_SQL_QUERY_CANCELLED' });
      assert.deepEqual(await wh.all('SELECT 2 AS two'), [{ two: 2 }]);
    } finally {
      await wh.close();
      await observer.close();
    }
  });
});
