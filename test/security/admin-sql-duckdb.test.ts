/**
 * POST /sql on DuckDB cannot read or write files, change settings for everyone, or run a
 * second statement: the attacks from the hardening review, through the real server
 * (in-process) with a valid operate token. Each was possible with the rolled-back
 * transaction this replaced.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { devKeysDir } from '../../ingest/families/index.js';

interface SqlAnswer {
  status: number;
  code: string | undefined;
  body: string;
  rows: Array<Record<string, unknown>>;
  truncated: boolean | undefined;
}

describe('POST /sql on DuckDB is read-only by construction', () => {
  let h: Harness;
  const sql = async (query: string, maxRows?: number): Promise<SqlAnswer> => {
    const res = await h.admin({ method: 'POST', url: '/sql', payload: { query, ...(maxRows === undefined ? {} : { maxRows }) } });
    const json = res.json() as { rows?: Array<Record<string, unknown>>; truncated?: boolean; error?: { code: string } };
    return { status: res.statusCode, code: json.error?.code, body: res.body, rows: json.rows ?? [], truncated: json.truncated };
  };
  const count = async (): Promise<number> => Number((await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('meetings_events')}`))[0]?.n);

  before(async () => {
    // A short deadline so that the never-ending query below ends quickly.
    h = await startHarness({ config: { admin: { sqlTimeoutMs: 3000 } } });
    assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
    await h.drain();
  });
  after(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
  });

  test("read_text('/etc/passwd') is refused and returns nothing of the file", async () => {
    for (const query of [`SELECT * FROM read_text('/etc/passwd')`, `SELECT * FROM read_csv('/etc/passwd', header = false)`, `SELECT * FROM glob('/etc/*')`]) {
      const res = await sql(query);
      assert.equal(res.status, 400, query);
      assert.doesNotMatch(res.body, /root:/);
      assert.match(res.body, /disabled by configuration|Permission/i);
    }
  });

  test('the development Contact Center private key is not readable', async () => {
    const keyFile = join(devKeysDir(h.config, h.dir), 'contact-center.private.jwk.json');
    assert.ok(existsSync(keyFile), 'the dev key exists (serve made it)');
    const res = await sql(`SELECT content FROM read_text('${keyFile}')`);
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.body, /"d":/);
  });

  test('COPY … TO, ATTACH and EXPORT DATABASE are refused and leave no file', async () => {
    const copied = join(h.dir, 'copied.csv');
    const attached = join(h.dir, 'attached.duckdb');
    const exported = join(h.dir, 'exported');
    for (const [query, path] of [
      [`COPY ${h.raw('meetings_events')} TO '${copied}'`, copied],
      [`COPY (SELECT 1 AS a) TO '${copied}'`, copied],
      [`ATTACH '${attached}' AS other`, attached],
      [`EXPORT DATABASE '${exported}'`, exported],
    ] as const) {
      const res = await sql(query);
      assert.equal(res.status, 400, `${query}: ${res.body}`);
      assert.equal(existsSync(path), false, `${path} was not written`);
    }
  });

  test("SET memory_limit='10MB' is refused, the limit stays, and landing still works afterwards", async () => {
    const before = (await h.query<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))[0]?.m;
    for (const query of [`SET memory_limit = '10MB'`, `PRAGMA memory_limit = '10MB'`, `RESET memory_limit`, `SET GLOBAL threads = 1`]) {
      const res = await sql(query);
      assert.equal(res.status, 400, query);
    }
    assert.equal((await h.query<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))[0]?.m, before);
    const landed = await count();
    assert.equal((await h.send('meetings', { sample: 'recording-uploaded' })).statusCode, 200);
    await h.drain();
    assert.equal(await count(), landed + 1, 'the event landed');
  });

  test('SELECT 1; COMMIT; DELETE FROM raw.meetings_events is refused and the rows remain', async () => {
    const rows = await count();
    assert.ok(rows > 0);
    for (const query of [
      `SELECT 1; COMMIT; DELETE FROM ${h.raw('meetings_events')}`,
      `DELETE FROM ${h.raw('meetings_events')}`,
      `SELECT 1; DROP TABLE ${h.raw('meetings_events')}`,
      `INSTALL httpfs`,
      `LOAD httpfs`,
    ]) {
      const res = await sql(query);
      assert.equal(res.status, 400, query);
      assert.equal(res.code, 'SB_SQL_NOT_READ_ONLY', query);
    }
    assert.equal(await count(), rows);
    const ok = await sql(`SELECT family, headers->>'$.content-type' AS ct FROM ${h.raw('meetings_events')}`);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.rows[0]?.family, 'meetings', 'a plain SELECT still answers, and json works');
  });

  // The test's own timeout only turns a hang (no query timeout at all) into a failure.
  test('a query that runs past admin.sqlTimeoutMs is cancelled with SB_SQL_QUERY_TIMEOUT; the next one answers, capped at maxRows', { timeout: 120_000 }, async () => {
    const res = await sql('SELECT count(*) AS n FROM range(100000000000000) a');
    assert.equal(res.status, 400);
    assert.equal(res.code, 'SB_SQL_QUERY_TIMEOUT');
    const capped = await sql('SELECT range AS n FROM range(100000)', 5);
    assert.deepEqual([capped.rows.length, capped.truncated], [5, true]);
  });
});
