/**
 * Every SQL example in README.md runs, on DuckDB and on Postgres: each ```sql block and each
 * `switchboard sql "…"` command of a ```sh block, sent as `switchboard sql` sends it (the
 * operator API's POST /sql), against a warehouse where every sample event has landed, the
 * models (reconciliation included) are built and a sync has run dry.
 *
 * A comment line right before a block says where it runs:
 * - `<!-- postgres only -->` / `<!-- duckdb only -->`: a query for that warehouse alone;
 * - `<!-- postgres setup: as a superuser -->` / `<!-- postgres setup: as switchboard -->`:
 *   README › Configuration › Postgres. The Postgres run follows those steps for real, with
 *   its own role and database names: Switchboard runs as the least-privileged role they
 *   create, and the analyst role they create reads and cannot write.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLES } from '../../ingest/test-events.js';
import type { FamilyName } from '../../ingest/families/family.js';
import type { RunResults } from '../../sql/engine/run.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One example: its SQL, where it is in the README, and the marker before its block. */
interface Example {
  sql: string;
  line: number;
  marker: string | null;
}

/** The README's SQL examples, in order. */
function readmeExamples(): Example[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const examples: Example[] = [];
  let fence: { lang: string; marker: string | null } | null = null;
  let block: string[] = [];
  let previous = '';
  for (const [i, line] of lines.entries()) {
    const opening = /^```(\w*)\s*$/.exec(line);
    if (fence === null && opening !== null) {
      fence = { lang: opening[1] ?? '', marker: /^<!--\s*(.*?)\s*-->$/.exec(previous.trim())?.[1] ?? null };
      block = [];
    } else if (fence !== null && line.startsWith('```')) {
      if (fence.lang === 'sql') examples.push({ sql: block.join('\n'), line: i + 1 - block.length, marker: fence.marker });
      fence = null;
    } else if (fence !== null) {
      block.push(line);
      if (fence.lang === 'sh') {
        for (const match of line.matchAll(/switchboard sql "((?:[^"\\]|\\.)*)"/g)) {
          examples.push({ sql: (match[1] as string).replace(/\\(.)/g, '$1'), line: i + 1, marker: fence.marker });
        }
      }
    }
    if (line.trim() !== '') previous = line;
  }
  return examples;
}

/** The statements of a block, comments dropped: README's SQL has no `;` inside literals. */
function statements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const EXAMPLES = readmeExamples();
const queriesFor = (warehouse: 'duckdb' | 'postgres'): Example[] =>
  EXAMPLES.filter((e) => e.marker === null || e.marker === `${warehouse} only`);
const setup = (as: string): string[] => EXAMPLES.filter((e) => e.marker === `postgres setup: as ${as}`).flatMap((e) => statements(e.sql));

/** A sync to run dry, so that the README's queries on switchboard_sync have rows. */
const SYNC = { name: 'calls_to_slack', model: 'calls', key: 'call_id', destination: 'slack', object: 'C0README', mapping: { text: 'outcome' }, schedule: 'off' };

/** Lands every sample of every family, builds every model, runs the sync dry. */
async function landAndBuild(h: Harness): Promise<void> {
  for (const family of Object.keys(SAMPLES) as FamilyName[]) {
    for (const sample of Object.keys(SAMPLES[family])) {
      const sent = await h.send(family, { sample });
      // A voice call action is refused by design (422) and lands in raw.rejections.
      assert.ok(sent.statusCode < 300 || sent.json.error?.code === 'SB_INGEST_VOICE_CALL_ACTION', `${family} ${sample}: ${sent.statusCode}`);
    }
  }
  await h.drain();
  const build = await h.admin({ method: 'POST', url: '/build', payload: { exclude: [] } });
  assert.equal(build.statusCode, 200, build.body);
  const results = JSON.parse(build.body.trim().split('\n').at(-1) as string) as RunResults;
  assert.equal(results.success, true, JSON.stringify(results.results.filter((r) => !['success', 'pass'].includes(r.status))));
  assert.ok(results.results.some((r) => r.node.includes('reconciliation_daily')), 'the reconciliation models were built too');
  const sync = await h.admin({ method: 'POST', url: '/sync', payload: { names: [SYNC.name], dryRun: true } });
  assert.equal(sync.statusCode, 200, sync.body);
  assert.match(sync.body, /"result"/, sync.body);
}

interface SqlAnswer {
  status: number;
  rows: SqlRow[];
  error?: string;
}

async function sql(h: Harness, query: string): Promise<SqlAnswer> {
  const response = await h.admin({ method: 'POST', url: '/sql', payload: { query } });
  const body = response.json() as { rows?: SqlRow[]; error?: { code: string; message: string } };
  return { status: response.statusCode, rows: body.rows ?? [], ...(body.error === undefined ? {} : { error: `${body.error.code}: ${body.error.message}` }) };
}

/** Runs every example for `warehouse`; returns how many rows each gave, by README line. */
async function runExamples(h: Harness, warehouse: 'duckdb' | 'postgres'): Promise<Map<number, SqlRow[]>> {
  const examples = queriesFor(warehouse);
  assert.ok(examples.length >= 15, `found ${examples.length} examples`);
  const answers = new Map<number, SqlRow[]>();
  const failures: string[] = [];
  for (const example of examples) {
    for (const statement of statements(example.sql)) {
      const answer = await sql(h, statement);
      if (answer.status !== 200) failures.push(`README.md:${example.line} ${statement}\n  → ${answer.error ?? answer.status}`);
      answers.set(example.line, answer.rows);
    }
  }
  assert.deepEqual(failures, [], `README examples that fail on ${warehouse}`);
  return answers;
}

/** What the examples must show on either warehouse, beyond running: the JSON views read bodies. */
function assertShowsData(answers: Map<number, SqlRow[]>): void {
  const byQuery = (fragment: string): SqlRow[] => {
    const line = queriesFor('duckdb').find((e) => e.sql.includes(fragment))?.line;
    assert.ok(line !== undefined, `an example with ${fragment}`);
    return answers.get(line) ?? [];
  };
  assert.ok(byQuery("body->'payload'->'status'->>'state'").some((r) => r.state === 'delivered'), 'the messaging JSON view reads a receipt\'s state');
  assert.ok(byQuery("body->'data'->>'name'").some((r) => r.event === 'PARTICIPANT_JOINED' && r.participant === 'Test User'), 'the meetings JSON view reads a participant');
  assert.ok(byQuery('FROM analytics.calls GROUP BY 1').length > 0, 'calls were built');
  assert.ok(byQuery('FROM analytics.messages GROUP BY 1, 2').length > 0, 'messages were built');
  assert.ok(byQuery('FROM switchboard_sync.runs').some((r) => r.sync_name === SYNC.name), 'the dry run is recorded');
}

test('the README has SQL examples, and markers only of the known kinds', () => {
  assert.ok(EXAMPLES.length >= 15, `found ${EXAMPLES.length}`);
  const markers = new Set(EXAMPLES.map((e) => e.marker).filter((m) => m !== null));
  const known = ['postgres only', 'duckdb only', 'postgres setup: as a superuser', 'postgres setup: as switchboard'];
  assert.deepEqual([...markers].filter((m) => !known.includes(m as string)), []);
  assert.ok(setup('a superuser').some((s) => /^CREATE DATABASE /i.test(s)), 'the Postgres setup creates the database');
});

describe('on DuckDB', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { destinations: { slack: {} }, syncs: [SYNC] } });
    await landAndBuild(h);
  });
  after(() => h?.close());

  test('every README SQL example runs, and the JSON views read bodies', async () => {
    assertShowsData(await runExamples(h, 'duckdb'));
  });
});

describe('on Postgres, set up as the README says', () => {
  /** README's `switchboard` (role and database) and `analyst`, made unique for this run. */
  const name = `sb_readme_${randomBytes(4).toString('hex')}`;
  const analyst = `${name}_analyst`;
  const rename = (statement: string): string => statement.replace(/\bswitchboard\b/g, name).replace(/\banalyst\b/g, analyst);
  const urlAs = (user: string): string => {
    const url = new URL(TEST_POSTGRES_URL);
    url.username = user;
    url.pathname = `/${name}`;
    return url.toString();
  };
  let superuser: Warehouse;
  let h: Harness;

  before(async () => {
    superuser = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
    for (const statement of setup('a superuser')) await superuser.run(rename(statement));
    h = await startHarness({
      config: { warehouse: { type: 'postgres', url: urlAs(name), rawSchema: 'raw' }, destinations: { slack: {} }, syncs: [SYNC] },
      rawSchema: 'raw', // dropped with the database
    });
    await landAndBuild(h);
  });

  after(async () => {
    await h?.close();
    await superuser.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await superuser.run(`DROP ROLE IF EXISTS ${analyst}`);
    await superuser.run(`DROP ROLE IF EXISTS ${name}`);
    await superuser.close();
  });

  test('Switchboard runs as the role the setup creates: no superuser, no CREATEDB or CREATEROLE', async () => {
    const [role] = await h.query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
      'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
    );
    assert.deepEqual(role, { rolsuper: false, rolcreatedb: false, rolcreaterole: false });
    const owners = await h.query<{ owner: string }>(`SELECT DISTINCT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname IN ('raw', 'analytics', 'switchboard_sync')`);
    assert.deepEqual(owners, [{ owner: name }], 'it created and owns its three schemas');
  });

  test('every README SQL example runs through switchboard sql, and the JSON views read bodies', async () => {
    assertShowsData(await runExamples(h, 'postgres'));
  });

  test('every README SQL example also runs as switchboard_sql_reader, when a superuser runs Switchboard', async () => {
    const su = new URL(TEST_POSTGRES_URL);
    su.pathname = `/${name}`;
    const other = await startHarness({ config: { warehouse: { type: 'postgres', url: su.toString(), rawSchema: 'raw' }, destinations: { slack: {} }, syncs: [SYNC] }, rawSchema: 'raw' });
    try {
      assert.deepEqual((await sql(other, 'SELECT current_user AS u')).rows, [{ u: 'switchboard_sql_reader' }]);
      assertShowsData(await runExamples(other, 'postgres'));
    } finally {
      await other.close();
    }
  });

  test('the analyst role reads the raw and curated tables, tables rebuilt later too, and cannot write', async () => {
    const owner = await openWarehouse({ type: 'postgres', url: urlAs(name) });
    try {
      const grants = setup('switchboard');
      assert.ok(grants.length > 0, 'the README grants the analyst something');
      for (const statement of grants) await owner.run(rename(statement));
    } finally {
      await owner.close();
    }
    const rebuilt = await h.admin({ method: 'POST', url: '/build', payload: { select: ['calls'], fullRefresh: true } });
    assert.equal(rebuilt.statusCode, 200, rebuilt.body);
    const reader = await openWarehouse({ type: 'postgres', url: urlAs(analyst) });
    try {
      const [calls] = await reader.all<{ n: number }>('SELECT count(*) AS n FROM analytics.calls');
      assert.ok(Number(calls?.n) > 0, 'it reads analytics.calls, rebuilt after the grants');
      const joined = await reader.all<{ event: string }>("SELECT body->>'eventType' AS event FROM raw.meetings_events_json");
      assert.ok(joined.some((r) => r.event === 'PARTICIPANT_JOINED'));
      await assert.rejects(reader.run('DELETE FROM raw.meetings_events'), /permission denied/);
      await assert.rejects(reader.run('CREATE TABLE analytics.mine (x int)'), /permission denied/);
    } finally {
      await reader.close();
    }
  });
});
