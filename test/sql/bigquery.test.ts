/**
 * The BigQuery warehouse (sql/warehouses/bigquery/open.ts) through the real
 * @google-cloud/bigquery v8 client against the protocol fake (fakes/bigquery/). The fake
 * never runs SQL: each test says what BigQuery would answer, and asserts what the driver
 * sent (job configuration, parameters, sessions, retries) and how it reads the answer.
 * Nothing here reaches Google; `npm run test:live -- bigquery` runs against a real project.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigQuery, type FakeBigQuery, type QueryJob } from '../../fakes/bigquery/index.js';
import { openBigQuery } from '../../sql/warehouses/bigquery/open.js';
import type { Warehouse } from '../../sql/warehouse.js';

const GIB = 2 ** 30;

describe('BigQuery warehouse against the protocol fake', () => {
  let fake: FakeBigQuery;
  let dir: string;
  let wh: Warehouse;
  const jobs = (): QueryJob[] => fake.jobs.filter((j) => j.query !== 'SELECT 1 AS ok');

  before(async () => {
    fake = await startFakeBigQuery({ pageSize: 2 });
    dir = await mkdtemp(join(tmpdir(), 'sb-bq-'));
    wh = await openBigQuery({
      projectId: fake.projectId, location: 'EU', keyFile: await fake.writeCredentials(dir), datasetPrefix: 'sb_',
      maximumBytesBilled: 3 * GIB, apiEndpoint: fake.url, jobTimeoutMs: 60_000, backoffMs: 1,
    });
  });
  after(async () => {
    await wh.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.jobs.length = 0;
    fake.respond(() => undefined);
  });

  test('every job carries the cost guard, the location, a label and typed parameters', async () => {
    await wh.run(`DELETE FROM ${wh.dialect.tableName('raw', 't')} WHERE a = ${wh.dialect.param(1)} OR b = @p2 OR c = @p3 OR d = @p4 OR e = @p5`, ['x', null, 7, 1.5, new Date('2025-03-04T09:15:27.412Z')]);
    const [job] = jobs();
    assert.equal(job?.query.startsWith('DELETE FROM `sb_raw`.`t`'), true, 'datasets carry the prefix');
    assert.equal(job?.maximumBytesBilled, String(3 * GIB));
    assert.equal(job?.location, 'EU');
    assert.deepEqual(job?.labels, { switchboard: 'true' });
    assert.deepEqual(job?.params, { p1: 'x', p2: null, p3: 7, p4: 1.5, p5: '2025-03-04T09:15:27.412Z' });
    const types = ((job?.configuration.query as { queryParameters: { name: string; parameterType: { type: string } }[] }).queryParameters).map((p) => p.parameterType.type);
    assert.deepEqual(types, ['STRING', 'STRING', 'INT64', 'FLOAT64', 'TIMESTAMP']);
    assert.match(job?.jobId ?? '', /^switchboard_[0-9a-f-]{36}$/);
  });

  test('rows come back normalised as on every warehouse, across result pages', async () => {
    fake.respond(() => ({
      schema: [{ name: 'n', type: 'INT64' }, { name: 'big', type: 'INT64' }, { name: 'x', type: 'FLOAT64' }, { name: 'ok', type: 'BOOL' }, { name: 'at', type: 'TIMESTAMP' }, { name: 'doc', type: 'JSON' }, { name: 's', type: 'STRING' }],
      rows: [1, 2, 3].map((i) => ({ n: i, big: '9007199254740993', x: 0.5, ok: i === 1, at: '2025-03-04T09:15:27.412345Z', doc: { a: 1 }, s: i === 3 ? null : `v${i}` })),
    }));
    const rows = await wh.all('SELECT …');
    assert.equal(rows.length, 3, 'three rows over two pages of two');
    assert.deepEqual(rows[0], { n: 1, big: '9007199254740993', x: 0.5, ok: true, at: '2025-03-04T09:15:27.412Z', doc: '{"a":1}', s: 'v1' });
    assert.equal(rows[2]?.s, null);
    const pages: number[] = [];
    for await (const batch of wh.stream('SELECT …', [], { batchRows: 2 })) pages.push(batch.length);
    assert.deepEqual(pages, [2, 1]);
  });

  test('a rate limit and a lost answer are retried with the same job id, and the statement runs once', async () => {
    fake.failNext({ status: 403, reason: 'rateLimitExceeded', kind: 'jobs.insert' });
    fake.failNext({ status: 503, kind: 'jobs.insert', afterProcessing: true });
    await wh.run('UPDATE x SET a = 1 WHERE TRUE');
    assert.equal(jobs().length, 1, 'the fake ran the statement once');
    const inserts = fake.requests.filter((r) => r.kind === 'jobs.insert' && (r.body as { configuration?: { query?: { query?: string } } }).configuration?.query?.query === 'UPDATE x SET a = 1 WHERE TRUE');
    assert.ok(inserts.length >= 2);
    assert.equal(new Set(inserts.map((r) => (r.body as { jobReference: { jobId: string } }).jobReference.jobId)).size, 1, 'every attempt used one job id');
  });

  test("BigQuery's reason is kept and the message says what to do", async () => {
    fake.respond(() => ({ error: { reason: 'notFound', message: 'Not found: Table p:sb_raw.nope was not found in location EU' } }));
    await assert.rejects(wh.all('SELECT * FROM `sb_raw`.`nope`'), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'notFound');
      assert.match(error.message, /BigQuery (job insert|query) failed \(notFound\): Not found: Table .* Check warehouse\.projectId, warehouse\.location and warehouse\.datasetPrefix/);
      return true;
    });
    fake.respond(() => ({ error: { reason: 'quotaExceeded', message: 'Quota exceeded: Your table exceeded quota for imports or query appends per table', httpStatus: 403 }, at: 'insert' }));
    await assert.rejects(wh.run('INSERT …'), /quotaExceeded.*Wait for it to reset/);
    assert.equal(fake.requests.filter((r) => r.kind === 'jobs.insert' && JSON.stringify(r.body).includes('INSERT …')).length, 1, 'a quota is not retried');
  });

  test('a transaction is one session: BEGIN, the statements in it, COMMIT; DDL is refused before it is sent', async () => {
    const d = wh.dialect;
    const table = { schema: 'raw', name: 'events', columns: [{ name: 'k', type: 'text' as const }, { name: 'n', type: 'bigint' as const }], primaryKey: ['k'] };
    await wh.transaction(async (tx) => {
      await tx.writeRows(table, [{ k: 'a', n: 1 }, { k: 'b', n: 2 }], { onMatch: { n: 'add' } });
      await tx.run(`DELETE FROM ${d.tableName('raw', 'events')} WHERE k = @p1`, ['z']);
    });
    const ran = jobs().map((j) => [/^\w+( \w+)?/.exec(j.query)?.[0], j.sessionId !== undefined]);
    assert.deepEqual(ran, [
      ['BEGIN TRANSACTION', true],
      ['MERGE INTO', true],
      ['DELETE FROM', true],
      ['COMMIT TRANSACTION', true],
      ['CALL BQ', true],
    ]);
    assert.match(jobs()[1]?.query ?? '', /^MERGE INTO `sb_raw`\.`events` AS t/);
    assert.equal(new Set(jobs().map((j) => j.sessionId)).size, 1);
    assert.equal(jobs()[0]?.createSession, true);
    assert.deepEqual(JSON.parse(String((jobs()[1]?.params as Record<string, unknown>).p1)), [{ k: 'a', n: 1 }, { k: 'b', n: 2 }]);

    fake.jobs.length = 0;
    await assert.rejects(wh.transaction((tx) => tx.run(d.createTable(table))), { code: 'SB_SQL_NOT_ATOMIC' });
    assert.deepEqual(jobs().map((j) => j.query), ['BEGIN TRANSACTION', 'ROLLBACK TRANSACTION', 'CALL BQ.ABORT_SESSION()']);
  });

  test('writeRows outside a transaction: one MERGE, atomic by itself, needs no session', async () => {
    const table = { schema: 'raw', name: 'events', columns: [{ name: 'k', type: 'text' as const }, { name: 'n', type: 'bigint' as const }], primaryKey: ['k'] };
    await wh.writeRows(table, [{ k: 'a', n: 1 }, { k: 'b', n: 2 }]);
    assert.deepEqual(jobs().map((j) => [/^\w+ \w+/.exec(j.query)?.[0], j.sessionId, j.createSession]), [['MERGE INTO', undefined, false]]);
  });

  test("an analyst's query runs only when BigQuery's dry run calls it a SELECT", async () => {
    fake.respond((job) => (job.dryRun ? { statementType: /DELETE/.test(job.query) ? 'DELETE' : 'SELECT', totalBytesProcessed: 10 } : { schema: [{ name: 'n', type: 'INT64' }], rows: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
    const result = await wh.readOnlyQuery('SELECT n FROM t', { maxRows: 2, timeoutMs: 30_000, schemas: ['raw'] });
    assert.deepEqual(result, { columns: ['n'], rows: [{ n: 1 }, { n: 2 }], truncated: true });
    await assert.rejects(wh.readOnlyQuery('DELETE FROM t WHERE TRUE', { maxRows: 2, timeoutMs: 30_000, schemas: ['raw'] }), { code: 'SB_SQL_NOT_READ_ONLY' });
    await assert.rejects(wh.readOnlyQuery('WITH x AS (SELECT 1) DELETE FROM t WHERE TRUE', { maxRows: 2, timeoutMs: 30_000, schemas: ['raw'] }), { code: 'SB_SQL_NOT_READ_ONLY' });
    assert.equal(jobs().filter((j) => !j.dryRun && /DELETE/.test(j.query)).length, 0, 'no DELETE ever ran');
  });

  test('dryRun sends a dry-run job and answers its bytes, its statement type and the cost guard; a refusal keeps its reason', async () => {
    fake.respond((job) => (job.dryRun ? { statementType: 'SELECT', totalBytesProcessed: '1288490188' } : undefined));
    assert.deepEqual(await wh.dryRun?.('SELECT n FROM `sb_raw`.`t` WHERE a = @p1', ['x']), {
      bytesProcessed: 1_288_490_188,
      statementType: 'SELECT',
      bytesLimit: { bytes: 3 * GIB, configKey: 'warehouse.maximumBytesBilled' },
    });
    const [job] = jobs();
    assert.deepEqual([job?.dryRun, job?.params, job?.maximumBytesBilled], [true, { p1: 'x' }, String(3 * GIB)]);
    fake.respond((j) => (j.dryRun ? { error: { reason: 'invalidQuery', message: 'Unrecognized name: b at [1:8]' } } : undefined));
    await assert.rejects(wh.dryRun!('SELECT b FROM t'), (error: Error & { reason?: string }) => error.reason === 'invalidQuery' && /Unrecognized name: b at \[1:8\]/.test(error.message));
  });

  test('the introspector reads the dataset-qualified INFORMATION_SCHEMA the test answers', async () => {
    fake.respond((job) => (/INFORMATION_SCHEMA\.tables/i.test(job.query) ? { schema: [{ name: 'table_schema', type: 'STRING' }, { name: 'table_name', type: 'STRING' }, { name: 'table_type', type: 'STRING' }], rows: [{ table_schema: 'sb_raw', table_name: 'voice_events', table_type: 'BASE TABLE' }] } : undefined));
    assert.deepEqual(await wh.introspector.relations(['raw']), [{ schema: 'raw', name: 'voice_events', kind: 'table' }]);
    assert.match(jobs()[0]?.query ?? '', /FROM `sb_raw`\.INFORMATION_SCHEMA\.tables WHERE table_schema IN \(@p1\)/);
  });
});
