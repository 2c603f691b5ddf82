/**
 * POST /sql on Postgres runs as the non-superuser role switchboard_sql_reader, one statement
 * (extended protocol), in a read-only transaction that is rolled back: the attacks from the
 * hardening review, which the configured superuser could run before, through the real server
 * (in-process) with a valid operate token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';

interface SqlAnswer {
  status: number;
  code: string | undefined;
  body: string;
  rows: Array<Record<string, unknown>>;
}

describe('POST /sql on Postgres is read-only by construction', () => {
  let h: Harness;
  // Postgres writes as its own OS user; a world-writable directory lets it, were it allowed.
  const out = mkdtempSync(join(tmpdir(), 'switchboard-pg-attack-'));
  const sql = async (query: string): Promise<SqlAnswer> => {
    const res = await h.admin({ method: 'POST', url: '/sql', payload: { query } });
    const json = res.json() as { rows?: Array<Record<string, unknown>>; error?: { code: string } };
    return { status: res.statusCode, code: json.error?.code, body: res.body, rows: json.rows ?? [] };
  };
  const count = async (): Promise<number> => Number((await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('meetings_events')}`))[0]?.n);

  before(async () => {
    h = await startHarness({ warehouse: 'postgres', config: { admin: { sqlTimeoutMs: 3000 } } });
    assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
    await h.drain();
  });
  after(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  test('queries run as a role that is not a superuser, and still read the raw tables', async () => {
    const who = await sql(`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`);
    assert.equal(who.status, 200, who.body);
    assert.deepEqual(who.rows, [{ u: 'switchboard_sql_reader', su: false }]);
    const rows = await sql(`SELECT family FROM ${h.raw('meetings_events')}`);
    assert.equal(rows.status, 200, rows.body);
    assert.equal(rows.rows[0]?.family, 'meetings');
  });

  test("pg_read_file('/etc/passwd') is refused, also after trying to become superuser again", async () => {
    for (const query of [
      `SELECT pg_read_file('/etc/passwd') AS f`,
      `SELECT set_config('role', 'postgres', false) AS r, pg_read_file('/etc/passwd') AS f`,
      `SELECT pg_ls_dir('/etc') AS f`,
    ]) {
      const res = await sql(query);
      assert.equal(res.status, 400, query);
      assert.doesNotMatch(res.body, /root:/);
      assert.match(res.body, /permission denied/i, query);
    }
  });

  test('COPY … TO a file is refused and writes nothing', async () => {
    const file = join(out, 'copied.csv');
    for (const query of [`COPY (SELECT 1) TO '${file}'`, `COPY ${h.raw('meetings_events')} TO '${file}'`]) {
      const res = await sql(query);
      assert.equal(res.status, 400, query);
      assert.equal(res.code, 'SB_SQL_NOT_READ_ONLY');
    }
    assert.equal(existsSync(file), false);
  });

  test("COPY … FROM PROGRAM 'id' is refused and the program does not run", async () => {
    const marker = join(out, 'ran');
    const res = await sql(`COPY ${h.raw('meetings_events')} FROM PROGRAM 'id > ${marker}'`);
    assert.equal(res.status, 400);
    assert.equal(res.code, 'SB_SQL_NOT_READ_ONLY');
    assert.equal(existsSync(marker), false);
  });

  test('COMMIT; DELETE …; COMMIT and other writes are refused and the rows remain', async () => {
    const rows = await count();
    assert.ok(rows > 0);
    for (const query of [
      `COMMIT; DELETE FROM ${h.raw('meetings_events')}; COMMIT`,
      `SELECT 1; COMMIT; DELETE FROM ${h.raw('meetings_events')}`,
      `WITH gone AS (DELETE FROM ${h.raw('meetings_events')} RETURNING 1) SELECT count(*) FROM gone`,
      `DELETE FROM ${h.raw('meetings_events')}`,
    ]) {
      const res = await sql(query);
      assert.equal(res.status, 400, `${query}: ${res.body}`);
      assert.equal(res.code, 'SB_SQL_NOT_READ_ONLY', `${query}: ${res.body}`);
    }
    assert.equal(await count(), rows);
  });

  test('a setting changed by a query does not outlive it, and no COMMIT lets one escape the transaction', async () => {
    const escape = await sql(`SELECT 1; COMMIT; SELECT set_config('work_mem', '77kB', false)`);
    assert.equal(escape.status, 400);
    assert.equal(escape.code, 'SB_SQL_NOT_READ_ONLY');
    assert.equal((await sql(`SELECT set_config('work_mem', '77kB', false) AS s`)).status, 200);
    for (let i = 0; i < 4; i++) {
      // Several times: the reader's pool has more than one connection.
      const after = await sql(`SELECT current_setting('work_mem') AS s`);
      assert.notEqual(after.rows[0]?.s, '77kB');
    }
  });

  // The test's own timeout only turns a hang (no query timeout at all) into a failure.
  test('a query that runs past admin.sqlTimeoutMs is cancelled with SB_SQL_QUERY_TIMEOUT', { timeout: 120_000 }, async () => {
    const res = await sql('SELECT pg_sleep(3600) AS slept');
    assert.equal(res.status, 400);
    assert.equal(res.code, 'SB_SQL_QUERY_TIMEOUT');
    assert.equal((await sql('SELECT 42 AS n')).rows[0]?.n, 42);
  });

  test('the audit rows are readable through /sql', async () => {
    await h.server.audit.flush();
    const res = await sql(`SELECT count(*) AS n FROM ${h.raw('_admin_audit')} WHERE route = '/sql'`);
    assert.equal(res.status, 200, res.body);
    assert.ok(Number(res.rows[0]?.n) > 5);
  });
});
