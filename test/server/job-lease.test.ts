/**
 * Two real `switchboard serve` processes on one Postgres: every job (a model build, a sync
 * and a pull, all on second-level cron schedules) runs once per tick, never on both nodes.
 * Then the node running the sync is SIGKILLed mid-run: the other takes the job over once
 * the lease has expired, marks the dead run abandoned, and finishes the sync, and the
 * destination ends with each record exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { startFakeZendesk, type FakeZendesk } from '../../fakes/zendesk/index.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait-for.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const ROWS = 400;
const LEASE_SECONDS = 3;

interface Node {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

let dir: string;
let wh: Warehouse;
let zendesk: FakeZendesk;
let work: FakeWorkAnalytics;
const rawSchema = uniqueSchema('raw');
const modelsSchema = uniqueSchema('analytics');
const syncName = `lease_${Math.random().toString(36).slice(2, 8)}`;
const nodes: Node[] = [];

function startNode(name: string): Node {
  const cwd = join(dir, name);
  mkdirSync(cwd);
  // Each its own node name, as on two hosts: a dead holder is then found out by its lease's expiry only.
  const base = JSON.parse(readFileSync(join(dir, 'switchboard.json'), 'utf8')) as { jobs: object };
  writeFileSync(join(cwd, 'switchboard.json'), JSON.stringify({ ...base, jobs: { ...base.jobs, nodeName: `node-${name}` } }));
  const child = spawn(process.execPath, [CLI, 'serve', '--config', join(cwd, 'switchboard.json')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      SWITCHBOARD_ZENDESK_API_TOKEN: zendesk.token,
      SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
      SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
      SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const node = { child, output: () => output, exited: once(child, 'exit') };
  nodes.push(node);
  return node;
}

interface JobRun {
  job: string;
  node: string;
  status: string;
  trigger: string;
  tick_at: string | null;
  started_at: string;
  finished_at: string | null;
  lease_token: number;
}

const runs = (): Promise<JobRun[]> =>
  wh.all<JobRun & Record<string, string | number | null>>(`SELECT job, node, status, "trigger", tick_at, started_at, finished_at, lease_token FROM "${rawSchema}"._job_runs ORDER BY started_at`);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'job-lease-'));
  wh = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
  await wh.run(`CREATE SCHEMA "${modelsSchema}"`);
  await wh.run(`CREATE TABLE "${modelsSchema}".items AS SELECT CAST(i AS TEXT) AS id, 'Missed call ' || i AS subject, 'First note for ' || i AS body FROM generate_series(0, ${ROWS - 1}) AS t(i)`);
  // Slow enough that a kill lands mid-sync: each bulk job of 100 tickets needs a few polls.
  zendesk = await startFakeZendesk({ jobPolls: 3, requestsPerMinute: 100_000, ticketsIndexPerMinute: 100_000 });
  const day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - 1));
  const seeded = seedWorkCalls({ count: 20, start: new Date(day.getTime() + 60_000), timeZone: 'UTC', spacingMs: 60 * 60_000 });
  work = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
  const project = join(dir, 'models');
  mkdirSync(project);
  writeFileSync(join(project, 'one.sql'), "{{ config(materialized='table') }}\nselect 1 as id");
  writeFileSync(
    join(dir, 'switchboard.json'),
    JSON.stringify({
      warehouse: { type: 'postgres', url: TEST_POSTGRES_URL, rawSchema },
      server: { host: '127.0.0.1', port: 0 },
      admin: { enabled: false },
      log: { level: 'warn' },
      jobs: { leaseSeconds: LEASE_SECONDS },
      models: { dir: project, schema: modelsSchema, schedule: '* * * * * *' },
      destinations: { zendesk: { url: zendesk.url, email: zendesk.email } },
      syncs: [
        {
          name: syncName,
          sql: `SELECT * FROM "${modelsSchema}".items`,
          key: 'id',
          destination: 'zendesk',
          object: 'tickets',
          mapping: { subject: 'subject', comment_body: 'body' },
          schedule: '*/2 * * * * *',
        },
      ],
      pulls: { workAnalytics: { baseUrl: work.baseUrl, timeZone: 'UTC', pageSize: 10, schedule: '* * * * * *', lookbackHours: 48, initialDays: 2 } },
    }),
  );
});

after(async () => {
  for (const node of nodes) {
    if (node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
  }
  await zendesk?.close();
  await work?.close();
  if (wh !== undefined) {
    await wh.run(`DROP SCHEMA IF EXISTS "${rawSchema}" CASCADE`);
    await wh.run(`DROP SCHEMA IF EXISTS "${modelsSchema}" CASCADE`);
    const tables = await wh.all<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = 'switchboard_sync' AND column_name = 'sync_name'",
    );
    for (const { table_name } of tables) await wh.run(`DELETE FROM switchboard_sync."${table_name}" WHERE sync_name = $1`, [syncName]);
    await wh.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('two serve processes on one Postgres: each job runs once per tick; a SIGKILLed holder is taken over and the sync sends nothing twice', { timeout: 240_000 }, async () => {
  const a = startNode('a');
  const b = startNode('b');
  for (const node of [a, b]) await waitFor(() => node.output().includes('Switchboard listening on'), `a node started:\n${node.output()}`, 60_000);

  // Wait until the sync is mid-run, then kill whichever node holds it.
  await waitFor(() => zendesk.tickets.size > 0, 'the sync started sending', 60_000);
  const [lease] = await wh.all<{ holder: string; expires_at: string; token: number }>(
    `SELECT holder, expires_at, token FROM "${rawSchema}"._job_leases WHERE job = $1`,
    [`sync:${syncName}`],
  );
  assert.ok(lease !== undefined && lease.holder !== '', 'a node holds the sync');
  assert.ok(zendesk.tickets.size < ROWS, `the sync is still running when its holder is killed (${zendesk.tickets.size} of ${ROWS} sent)`);
  const pid = Number(lease.holder.split(':').at(-2));
  const victim = nodes.find((n) => n.child.pid === pid);
  assert.ok(victim !== undefined, `the holder ${lease.holder} is one of the two nodes`);
  const survivor = victim === a ? b : a;
  victim.child.kill('SIGKILL');
  await victim.exited;

  // The survivor takes the sync over and finishes it.
  await waitFor(async () => (await runs()).some((r) => r.job === `sync:${syncName}` && r.status === 'success' && Number(r.lease_token) > Number(lease.token)), `the survivor finished the sync:\n${survivor.output()}`, 120_000);
  // Then lets every job tick a few more times, alone.
  const settled = (await runs()).length;
  await waitFor(async () => (await runs()).length >= settled + 3, 'more ticks ran on the survivor', 60_000);

  const all = await runs();
  const syncRuns = all.filter((r) => r.job === `sync:${syncName}`);
  const killed = syncRuns.find((r) => Number(r.lease_token) === Number(lease.token));
  assert.equal(killed?.status, 'abandoned', 'the killed run is marked abandoned by the node that took over');
  const takeover = syncRuns.find((r) => Number(r.lease_token) > Number(lease.token));
  assert.ok(takeover !== undefined);
  assert.notEqual(takeover.node, lease.holder, 'another node took it over');
  assert.ok(new Date(takeover.started_at).getTime() >= new Date(lease.expires_at).getTime(), 'not before the dead holder’s lease had expired (no overlap)');

  // Once per tick: no job ever ran twice for the same cron tick, and never on two nodes at once.
  for (const job of ['models', `sync:${syncName}`, 'pull:work-analytics']) {
    const scheduled = all.filter((r) => r.job === job && r.trigger === 'schedule');
    assert.ok(scheduled.length >= 2, `${job} ran on its schedule (${scheduled.length} runs)`);
    const ticks = scheduled.map((r) => r.tick_at);
    assert.equal(new Set(ticks).size, ticks.length, `${job}: each tick ran once (${ticks.join(', ')})`);
    const tokens = scheduled.map((r) => Number(r.lease_token));
    assert.equal(new Set(tokens).size, tokens.length, `${job}: each run held its own lease`);
    const ordered = all.filter((r) => r.job === job);
    for (let i = 1; i < ordered.length; i++) {
      const [previous, next] = [ordered[i - 1] as JobRun, ordered[i] as JobRun];
      assert.ok(previous.finished_at !== null && new Date(next.started_at).getTime() >= new Date(previous.finished_at).getTime(), `${job}: runs never overlap (${previous.node} until ${previous.finished_at}, ${next.node} from ${next.started_at})`);
    }
  }
  const nodesThatRan = new Set(all.filter((r) => r.job === 'models').map((r) => r.node));
  assert.ok(nodesThatRan.size >= 1);

  // The sync sent nothing twice: one ticket per row, each with its one comment.
  assert.equal(zendesk.tickets.size, ROWS, 'no duplicate tickets');
  for (let i = 0; i < ROWS; i++) {
    const tickets = zendesk.byExternalId(String(i));
    assert.equal(tickets.length, 1, `row ${i}: exactly one ticket`);
    assert.equal(tickets[0]?.subject, `Missed call ${i}`);
  }
  assert.equal(survivor.child.exitCode, null, 'the survivor is still running');
});
