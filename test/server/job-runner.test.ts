/**
 * The job runner and its leases, on real DuckDB and Postgres: who may take a job, once per
 * tick, takeover after an expiry, the fencing token, deadlines, a lost lease and a clean stop.
 * Time that matters to the runner (deadlines, renewals) is simulated with mock.timers; the
 * leases' clock is injected.
 */
import { after, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { JobLeases, nodeId } from '../../server/jobs/leases.js';
import { JobHistory } from '../../server/jobs/history.js';
import { JobRunner, type JobContext, type JobDefinition } from '../../server/jobs/runner.js';
import { SwitchboardError } from '../../core/errors.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { migrated } from '../helpers/migrate.js';

const T0 = new Date('2026-12-07T10:00:00.000Z');

interface Target {
  name: string;
  open(): Promise<{ wh: Warehouse; schema: string; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'duckdb',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'job-runner-'));
      const wh = await migrated(await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') }));
      return {
        wh,
        schema: 'raw',
        cleanup: async () => {
          await wh.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const wh = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
      const schema = uniqueSchema();
      await migrated(wh, { rawSchema: schema });
      return {
        wh,
        schema,
        cleanup: async () => {
          await wh.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await wh.close();
        },
      };
    },
  },
];

/** A clock a test moves by hand. */
function clock(start = T0): { now: () => Date; advance(ms: number): void } {
  let at = start.getTime();
  return { now: () => new Date(at), advance: (ms) => void (at += ms) };
}

function job(name: string, scheduled: (ctx: JobContext) => Promise<string>, extra: Partial<JobDefinition<string>> = {}): JobDefinition<string> {
  return {
    name,
    kind: 'check',
    schedule: 'off',
    scheduleKey: 'test.schedule',
    logger: pino({ level: 'silent' }),
    label: `scheduled ${name}`,
    busyReason: 'it is running',
    failedMessage: `scheduled ${name} failed`,
    scheduled,
    outcome: (result) => ({ status: 'success', summary: { result } }),
    busy: (where) => new SwitchboardError('SB_JOB_TEST_BUSY', `busy${where === null ? '' : ` on ${where}`}`),
    ...extra,
  };
}

/** Resolves when the signal aborts, with its reason. */
const aborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

for (const target of targets) {
  describe(`job leases and the runner on ${target.name}`, () => {
    const opened: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of opened) await cleanup();
    });
    const open = async () => {
      const o = await target.open();
      opened.push(o.cleanup);
      return o;
    };

    test('one holder at a time; a tick runs once; an expired lease is taken over and the old holder is fenced off', async () => {
      const { wh, schema } = await open();
      const time = clock();
      const a = new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-a', ttlMs: 3000, now: time.now });
      const b = new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-b', ttlMs: 3000, now: time.now });
      const tick = new Date(T0);

      const first = await a.acquire('models', tick);
      assert.equal(first.acquired, true);
      const held = await b.acquire('models', tick);
      assert.deepEqual(held.acquired ? null : [held.reason, held.holder?.holder], ['held', 'node-a'], 'b is refused while a holds it');
      assert.ok(first.acquired);
      await a.release(first.lease);
      const same = await b.acquire('models', tick);
      assert.deepEqual(same.acquired ? null : same.reason, 'tick-done', 'the tick a already ran is not run again by b');
      const manual = await b.acquire('models');
      assert.equal(manual.acquired, true, 'a manual run needs only a free lease');
      assert.ok(manual.acquired);
      assert.ok(manual.lease.token > first.lease.token, 'each holder gets a larger fencing token');
      assert.equal(manual.lease.tookOverFrom, null, 'a released lease is not a takeover');

      // b stops renewing (it died): after the lease time, a takes over.
      time.advance(2999);
      assert.equal((await a.acquire('models', new Date(T0.getTime() + 1000))).acquired, false, 'not before the lease expired');
      time.advance(2);
      const takeover = await a.acquire('models', new Date(T0.getTime() + 2000));
      assert.ok(takeover.acquired);
      assert.equal(takeover.lease.tookOverFrom, 'node-b');
      assert.equal(await b.renew(manual.lease), false, 'the old holder cannot renew: its token is stale');
      await b.release(manual.lease);
      const still = await b.acquire('models');
      assert.deepEqual(still.acquired ? null : [still.reason, still.holder?.holder], ['held', 'node-a'], "the stale release did not free a's lease");
      assert.equal(await a.renew(takeover.lease), true);
    });

    test('a holder that died on this node (same name and pid namespace, its pid gone) is taken over at once; a live one is not', async () => {
      const { wh, schema } = await open();
      const child = spawn(process.execPath, ['-e', '']);
      await once(child, 'exit');
      const self = nodeId('node-x');
      const [name, ns] = self.split(':');
      const dead = new JobLeases({ warehouse: wh, rawSchema: schema, node: `${name}:${ns}:${child.pid}:dead00`, ttlMs: 60_000 });
      const live = new JobLeases({ warehouse: wh, rawSchema: schema, node: `${name}:${ns}:${process.ppid}:live00`, ttlMs: 60_000 });
      const elsewhere = new JobLeases({ warehouse: wh, rawSchema: schema, node: `node-y:${ns}:${child.pid}:else00`, ttlMs: 60_000 });
      const ours = new JobLeases({ warehouse: wh, rawSchema: schema, node: self, ttlMs: 60_000 });
      assert.equal((await dead.acquire('a')).acquired, true);
      assert.equal((await live.acquire('b')).acquired, true);
      assert.equal((await elsewhere.acquire('c')).acquired, true);
      const a = await ours.acquire('a');
      assert.deepEqual(a.acquired ? a.lease.tookOverFrom : null, `${name}:${ns}:${child.pid}:dead00`);
      assert.deepEqual((await ours.acquire('b')).acquired, false, 'a live process keeps its lease');
      assert.deepEqual((await ours.acquire('c')).acquired, false, 'a pid on another node says nothing here: wait for the expiry');
    });

    test('a run past its deadline stops with SB_JOB_DEADLINE, recorded in _job_runs; stop() aborts a run and waits for it', async (t) => {
      const { wh, schema } = await open();
      const runner = new JobRunner({
        leases: new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-a', ttlMs: 600_000 }),
        history: new JobHistory(wh, schema),
        deadlineMs: 5 * 60_000,
        logger: pino({ level: 'silent' }),
      });
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      runner.define(
        job('slow', async (ctx) => {
          started();
          return aborted(ctx.signal);
        }),
      );
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const result = runner.tick('slow');
      await running;
      assert.equal(runner.isRunning('slow'), true);
      assert.equal(await runner.tick('slow'), null, 'a tick while it runs is skipped');
      await assert.rejects(runner.run('slow', async () => 'x', () => ({ status: 'success', summary: null })), { code: 'SB_JOB_TEST_BUSY' });
      t.mock.timers.tick(5 * 60_000);
      assert.equal(await result, null, 'a failed scheduled run is logged, not thrown');
      t.mock.timers.reset();
      const rows = await wh.all<{ status: string; error_code: string; trigger: string }>(`SELECT status, error_code, "trigger" FROM "${schema}"._job_runs WHERE job = 'slow'`);
      assert.deepEqual(rows, [{ status: 'failed', error_code: 'SB_JOB_DEADLINE', trigger: 'schedule' }]);
      assert.equal(runner.status()[0]?.lastRun?.error?.code, 'SB_JOB_DEADLINE');

      let startedAgain!: () => void;
      const again = new Promise<void>((resolve) => (startedAgain = resolve));
      const manual = runner.run(
        'slow',
        async (ctx) => {
          startedAgain();
          return aborted(ctx.signal);
        },
        () => ({ status: 'success', summary: null }),
      );
      await again;
      await runner.stop();
      await assert.rejects(manual, { code: 'SB_JOB_STOPPED' });
      await assert.rejects(runner.run('slow', async () => 'x', () => ({ status: 'success', summary: null })), { code: 'SB_JOB_STOPPED' }, 'nothing starts after stop()');
    });

    test('a run whose lease was taken over stops with SB_JOB_LEASE_LOST at its next renewal', async (t) => {
      const { wh, schema } = await open();
      const time = clock(new Date());
      const leases = new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-a', ttlMs: 3000, now: time.now });
      const runner = new JobRunner({ leases, history: new JobHistory(wh, schema), deadlineMs: 3_600_000, logger: pino({ level: 'silent' }) });
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      runner.define(job('sync:x', async () => 'unused'));
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const result = runner.run(
        'sync:x',
        async (ctx) => {
          started();
          return aborted(ctx.signal);
        },
        () => ({ status: 'success', summary: null }),
      );
      await running;
      // Node a stalls past its lease; node b takes the job over.
      const other = new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-b', ttlMs: 3000, now: () => new Date(time.now().getTime() + 10_000) });
      assert.equal((await other.acquire('sync:x')).acquired, true);
      t.mock.timers.tick(1000); // a's renewal
      await assert.rejects(result, { code: 'SB_JOB_LEASE_LOST' });
      t.mock.timers.reset();
      await runner.stop();
    });

    test("a run's recorded start is when it got the lease, never before the previous holder's lease ended", async () => {
      const { wh, schema } = await open();
      const time = clock();
      // Acquiring takes round trips: here the clock moves 50 ms while the lease is taken.
      class SlowLeases extends JobLeases {
        override async acquire(job: string, tick?: Date) {
          time.advance(50);
          return super.acquire(job, tick);
        }
      }
      const dead = new JobLeases({ warehouse: wh, rawSchema: schema, node: 'node-dead', ttlMs: 3000, now: time.now });
      assert.equal((await dead.acquire('sync:y')).acquired, true);
      const expired = new Date(T0.getTime() + 3000);
      time.advance(2990); // 10 ms before the dead holder's lease ends; the takeover lands 40 ms after it
      const runner = new JobRunner({ leases: new SlowLeases({ warehouse: wh, rawSchema: schema, node: 'node-b', ttlMs: 3000, now: time.now }), history: new JobHistory(wh, schema), deadlineMs: 60_000, logger: pino({ level: 'silent' }), now: time.now });
      runner.define(job('sync:y', async () => 'unused'));
      await runner.run('sync:y', async () => 'done', () => ({ status: 'success', summary: null }));
      const [run] = await wh.all<{ started_at: string }>(`SELECT started_at FROM ${wh.dialect.tableName(schema, '_job_runs')} WHERE job = 'sync:y' AND node = 'node-b'`);
      assert.ok(run !== undefined, 'the takeover ran');
      assert.ok(new Date(run.started_at).getTime() >= expired.getTime(), `started ${new Date(run.started_at).toISOString()}, the dead lease ended ${expired.toISOString()}`);
      await runner.stop();
    });
  });
}
