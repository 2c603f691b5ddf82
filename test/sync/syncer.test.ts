/**
 * The Syncer: lanes per destination, priority, one run per sync, schedules.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobRunner } from '../helpers/jobs.js';
import { syncJobFor } from '../../server/jobs/definitions.js';
import pino from 'pino';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { SyncDefinition } from '../../sync/engine.js';
import { Syncer } from '../../sync/syncer.js';
import { MemoryDestination } from './memory-destination.js';
import { mockClock, realPause } from '../helpers/clock.js';
import { migrated } from '../helpers/migrate.js';

const sync = (name: string, destination: SyncDefinition['destination'], extra: Partial<SyncDefinition> = {}): SyncDefinition => ({
  name, model: 'people', key: 'id', destination, object: 'x', mapping: { Name: 'name' }, mode: 'upsert', schedule: 'off', priority: 'bulk', ...extra,
});

/** A warehouse and a Syncer over it; the warehouse's directory is removed when the test that makes them ends. */
async function setup(syncs: SyncDefinition[], destinations: Record<string, MemoryDestination>) {
  const dir = mkdtempSync(join(tmpdir(), 'syncer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  await wh.run('CREATE SCHEMA analytics');
  await wh.run("CREATE TABLE analytics.people AS SELECT 1 AS id, 'Ana' AS name UNION ALL SELECT 2, 'Bo'");
  await migrated(wh);
  const syncer = new Syncer({
    warehouse: wh,
    syncs,
    destinationFor: async (type) => destinations[type] as MemoryDestination,
    modelsSchema: 'analytics',
    rawSchema: 'raw',
    logger: pino({ level: 'silent' }),
  });
  return { wh, syncer };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await realPause(10); // DuckDB reads and writes, in real time
  assert.ok(condition(), what);
}

test('a destination that hangs delays only its own syncs; a sync runs once at a time', async () => {
  const slow = new MemoryDestination(10);
  slow.hold = true;
  const fast = new MemoryDestination(10);
  const { wh, syncer } = await setup([sync('to_sf', 'salesforce'), sync('to_slack', 'slack')], { salesforce: slow, slack: fast });
  try {
    const stuck = syncer.run('to_sf');
    await until(() => slow.calls.length === 1, 'the Salesforce sync is sending');
    await assert.rejects(syncer.run('to_sf'), { code: 'SB_SYNC_RUNNING' });
    const other = await syncer.run('to_slack');
    assert.equal(other.sent, 2, 'Slack synced while Salesforce hung');
    slow.release();
    assert.equal((await stuck).sent, 2);
    await assert.rejects(syncer.run('nope'), { code: 'SB_SYNC_UNKNOWN' });
  } finally {
    await syncer.stop();
    await wh.close();
  }
});

test('in a lane, alert syncs run ahead of queued bulk syncs', async () => {
  const dest = new MemoryDestination(10);
  dest.hold = true;
  const { wh, syncer } = await setup(
    [sync('bulk_1', 'slack'), sync('bulk_2', 'slack'), sync('alert', 'slack', { priority: 'alert', mapping: { Text: 'name' } })],
    { slack: dest },
  );
  try {
    const order: string[] = [];
    const track = (name: string) => syncer.run(name).then(() => void order.push(name));
    const first = track('bulk_1');
    await until(() => dest.calls.length === 1, 'bulk_1 is sending');
    const queued = [track('bulk_2'), track('alert')];
    for (let i = 0; i < 3; i++) {
      dest.release();
      await until(() => dest.calls.length >= i + 1, 'next send');
      await new Promise((r) => setTimeout(r, 20));
      dest.release();
    }
    dest.hold = false;
    dest.release();
    await Promise.all([first, ...queued]);
    assert.deepEqual(order, ['bulk_1', 'alert', 'bulk_2']);
  } finally {
    await syncer.stop();
    await wh.close();
  }
});

test('schedules run syncs on their cron, skip a tick while the previous run goes on, and stop', async (t) => {
  const dest = new MemoryDestination(10);
  const { wh, syncer } = await setup([sync('every_second', 'zendesk', { schedule: '* * * * * *' })], { zendesk: dest });
  const jobs = jobRunner(wh, syncer.syncs.map((s) => syncJobFor(syncer, s, pino({ level: 'silent' }))));
  const clock = mockClock(t, ['setTimeout', 'Date']); // node-cron's clock
  try {
    jobs.start();
    clock.tick(1000); // the next second
    await until(() => dest.calls.length >= 1 && !jobs.isRunning('sync:every_second'), 'the cron ran the sync');
    assert.deepEqual(dest.calls[0]?.map((r) => r.key), ['1', '2']);
    await wh.run("INSERT INTO analytics.people VALUES (3, 'Cy')");
    clock.tick(1000);
    await until(() => dest.calls.some((c) => c.some((r) => r.key === '3')) && !jobs.isRunning('sync:every_second'), 'a later tick sent the new row');
    dest.hold = true;
    await wh.run("UPDATE analytics.people SET name = 'Ana M' WHERE id = 1");
    clock.tick(1000);
    await until(() => syncer.isActive('every_second'), 'a run is held');
    assert.equal(await jobs.tick('sync:every_second'), null, 'a tick while it runs is skipped');
    dest.hold = false;
    dest.release();
  } finally {
    await jobs.stop();
    await syncer.stop();
    await wh.close();
  }
});
