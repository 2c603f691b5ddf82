/**
 * The conformance suite on a real Postgres server. Each run writes under its own schema
 * prefix (random), so parallel runs never collide, and drops its schemas at the end.
 * Postgres being down is a failure, never a skip.
 */
// A far-off, half-hour zone: nothing may depend on the host's time zone.
process.env.TZ = 'Pacific/Chatham';

import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
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
