/**
 * The fake BigQuery's query jobs (fakes/bigquery/jobs.ts), driven through the real
 * @google-cloud/bigquery 8: what the library sends reaches the responder decoded, and what the
 * fake answers comes back typed, paged, failed or retried the way the library handles BigQuery.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '@google-cloud/bigquery';
import { startBigQueryFixture, rejection, type BigQueryFixture } from './bigquery-fixture.js';

describe('the fake BigQuery: query jobs through the real client', () => {
  let f: BigQueryFixture;
  before(async () => {
    f = await startBigQueryFixture();
  });
  after(() => f.close());
  beforeEach(() => {
    f.fake.clearFaults();
    f.fake.respond(() => undefined);
  });

  test('a query with named parameters reaches the responder decoded, and its rows come back typed by the schema', async () => {
    f.fake.respond(() => ({
      schema: [
        { name: 'calls', type: 'INT64' },
        { name: 'ratio', type: 'FLOAT64' },
        { name: 'agent', type: 'STRING' },
        { name: 'answered', type: 'BOOL' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'payload', type: 'JSON' },
        { name: 'tags', type: 'STRING', mode: 'REPEATED' },
        { name: 'leg', type: 'RECORD', fields: [{ name: 'n', type: 'INT64' }] },
        { name: 'missing', type: 'STRING' },
      ],
      rows: [{ calls: 42, ratio: 0.5, agent: 'ana', answered: true, at: '2024-05-01T10:00:00.123456Z', payload: { a: [1] }, tags: ['x', 'y'], leg: { n: 7 } }],
    }));
    const [rows] = await f.bigquery.query({
      query: 'SELECT * FROM calls WHERE day = @day AND agent IN UNNEST(@agents) AND n > @n',
      params: { day: f.bigquery.date('2024-05-01'), agents: ['ana', 'bo'], n: 3, since: new Date('2024-05-01T00:00:00Z'), on: true },
    });
    const job = f.fake.jobs.at(-1);
    assert.deepEqual(job?.params, { day: '2024-05-01', agents: ['ana', 'bo'], n: 3, since: '2024-05-01T00:00:00.000Z', on: true });
    assert.equal(job?.via, 'jobs.query', 'bigquery.query() without a jobId uses jobs.query');
    const [row] = rows as Array<Record<string, unknown>>;
    assert.equal(row?.calls, 42);
    assert.equal(row?.ratio, 0.5);
    assert.equal(row?.agent, 'ana');
    assert.equal(row?.answered, true);
    assert.equal((row?.at as { value: string }).value, '2024-05-01T10:00:00.123456000Z', 'microseconds survive the INT64 timestamp format');
    assert.equal(row?.payload, '{"a":[1]}', 'JSON columns arrive as JSON text unless parseJSON');
    assert.deepEqual(row?.tags, ['x', 'y']);
    assert.deepEqual(row?.leg, { n: 7 });
    assert.equal(row?.missing, null);
  });

  test('createQueryJob sends its configuration (labels, maximumBytesBilled, location, jobTimeoutMs) and getQueryResults pages with maxResults', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ n: i }));
    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows, totalBytesProcessed: 1024 }));
    const [job] = await f.bigquery.createQueryJob({
      query: 'SELECT n FROM t',
      jobId: 'page-job-1',
      location: 'EU',
      labels: { switchboard_model: 'curated_calls' },
      maximumBytesBilled: '1000000',
      jobTimeoutMs: 60000,
    });
    const seen = f.fake.jobs.at(-1);
    assert.equal(seen?.jobId, 'page-job-1');
    assert.equal(seen?.location, 'EU');
    assert.deepEqual(seen?.labels, { switchboard_model: 'curated_calls' });
    assert.equal(seen?.maximumBytesBilled, '1000000');
    assert.equal(seen?.configuration.jobTimeoutMs, '60000');
    assert.equal((seen?.configuration.query as { useLegacySql: boolean }).useLegacySql, false);

    const pages: number[][] = [];
    let pageToken: string | undefined;
    let totalRows: unknown;
    do {
      const [page, next, response] = await job.getQueryResults({ maxResults: 2, autoPaginate: false, ...(pageToken ? { pageToken } : {}) });
      pages.push((page as Array<{ n: number }>).map((r) => r.n));
      totalRows = (response as { totalRows?: string }).totalRows;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken !== undefined);
    assert.deepEqual(pages, [[0, 1], [2, 3], [4]]);
    assert.equal(totalRows, '5');
    const reads = f.fake.requests.filter((r) => r.kind === 'jobs.getQueryResults');
    assert.equal(reads.at(-1)?.query.location, 'EU', 'the library asks for the job in its location');
    const [all] = await job.getQueryResults();
    assert.equal(all.length, 5, 'autoPaginate follows the page tokens');
    const [metadata] = await job.getMetadata();
    assert.equal(metadata.statistics.query.totalBytesProcessed, '1024');
  });

  test('a dry run answers the bytes it would process and runs nothing', async () => {
    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [], totalBytesProcessed: 123456 }));
    const [job] = await f.bigquery.createQueryJob({ query: 'SELECT n FROM t', dryRun: true });
    assert.equal(job.metadata.statistics.totalBytesProcessed, '123456');
    assert.equal(job.metadata.statistics.query.totalBytesProcessed, '123456');
    assert.equal(job.metadata.status.state, 'DONE');
    assert.equal(f.fake.jobs.at(-1)?.dryRun, true);
    const error = await rejection(job.getMetadata());
    assert.equal(error.code, 404, 'no dry-run job is kept');
  });

  test('a second jobs.insert with the same job ID answers 409 duplicate and does not run the query again', async () => {
    let runs = 0;
    f.fake.respond(() => {
      runs += 1;
      return {};
    });
    await f.bigquery.createQueryJob({ query: 'DELETE FROM t WHERE true', jobId: 'dup-1' });
    const error = await rejection(f.bigquery.createQueryJob({ query: 'DELETE FROM t WHERE true', jobId: 'dup-1' }));
    assert.equal(error.code, 409);
    assert.equal(error.errors?.[0]?.reason, 'duplicate');
    assert.equal(runs, 1);
  });

  test('an insert whose answer was lost is retried; the retry meets its own job (409) and the library reads it instead of running twice', async () => {
    let runs = 0;
    f.fake.respond(() => {
      runs += 1;
      return { numDmlAffectedRows: 3 };
    });
    f.fake.failNext({ status: 503, kind: 'jobs.insert', afterProcessing: true });
    const before = f.fake.requests.length;
    const [job] = await f.bigquery.createQueryJob({ query: 'UPDATE t SET a = 1 WHERE true' });
    const kinds = f.fake.requests.slice(before).map((r) => `${r.kind} ${r.status}`);
    assert.deepEqual(kinds, ['jobs.insert 503', 'jobs.insert 409', 'jobs.get 200']);
    assert.equal(runs, 1);
    assert.equal(job.metadata.statistics.query.numDmlAffectedRows, '3');
  });

  test('error reasons surface as ApiError with errors[0].reason: on the job, on the result and on jobs.insert itself', async () => {
    f.fake.respond(() => ({ error: { reason: 'invalidQuery', message: 'Syntax error: Unexpected end of script at [1:7]', location: 'query' } }));
    const failedAtOnce = await rejection(f.bigquery.createQueryJob({ query: 'SELECT' }));
    assert.equal(failedAtOnce.errors?.[0]?.reason, 'invalidQuery');
    assert.match(failedAtOnce.message, /Syntax error/);

    f.fake.respond(() => ({ error: { reason: 'resourcesExceeded', message: 'Resources exceeded during query execution' }, pendingPolls: 1 }));
    const [job] = await f.bigquery.createQueryJob({ query: 'SELECT heavy()' });
    assert.equal(job.metadata.status.state, 'RUNNING');
    const onResult = await rejection(job.getQueryResults());
    assert.equal(onResult.code, 400);
    assert.equal(onResult.errors?.[0]?.reason, 'resourcesExceeded');
    const [metadata] = await job.getMetadata();
    assert.equal(metadata.status.errorResult.reason, 'resourcesExceeded');

    for (const [reason, code] of [['accessDenied', 403], ['notFound', 404], ['quotaExceeded', 403]] as const) {
      f.fake.respond(() => ({ error: { reason, message: `${reason} for the test` }, at: 'insert' }));
      const error = await rejection(f.bigquery.createQueryJob({ query: 'SELECT 1' }));
      assert.equal(error.code, code, reason);
      assert.equal(error.errors?.[0]?.reason, reason);
    }
    assert.equal(`${f.fake.requests.at(-1)?.kind} ${f.fake.requests.at(-1)?.status}`, 'jobs.insert 403', 'quotaExceeded is not retried');
  });

  test('a result over maximumBytesBilled fails the job with bytesBilledLimitExceeded', async () => {
    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [], totalBytesProcessed: 5_000_000 }));
    const error = await rejection(f.bigquery.query({ query: 'SELECT n FROM big', maximumBytesBilled: '1000000' }));
    assert.equal(error.errors?.[0]?.reason, 'bytesBilledLimitExceeded');
  });

  test('the library retries an injected 503 backendError and a 403 rateLimitExceeded, and not a 403 quotaExceeded', async () => {
    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [{ n: 1 }] }));
    f.fake.failNext({ status: 503, kind: 'jobs.insert' });
    f.fake.failNext({ status: 403, reason: 'rateLimitExceeded', kind: 'jobs.getQueryResults' });
    const before = f.fake.requests.length;
    const [job] = await f.bigquery.createQueryJob({ query: 'SELECT 1 AS n' });
    const [rows] = await job.getQueryResults();
    assert.deepEqual(rows, [{ n: 1 }]);
    assert.deepEqual(
      f.fake.requests.slice(before).map((r) => `${r.kind} ${r.status}`),
      ['jobs.insert 503', 'jobs.insert 200', 'jobs.getQueryResults 403', 'jobs.getQueryResults 200'],
    );

    f.fake.failNext({ status: 403, reason: 'quotaExceeded', kind: 'jobs.insert' });
    const quota = await rejection(f.bigquery.createQueryJob({ query: 'SELECT 1 AS n' }));
    assert.equal(quota.errors?.[0]?.reason, 'quotaExceeded');
  });

  test('createSession starts a session named in statistics.sessionInfo, and a job naming it in connectionProperties runs in it', async () => {
    const [first] = await f.bigquery.createQueryJob({ query: 'CREATE TEMP TABLE x AS SELECT 1', createSession: true });
    const sessionId = first.metadata.statistics.sessionInfo.sessionId as string;
    assert.match(sessionId, /^fake-session-/);
    assert.equal(f.fake.jobs.at(-1)?.createSession, true);
    const [second] = await f.bigquery.createQueryJob({ query: 'SELECT * FROM x', connectionProperties: [{ key: 'session_id', value: sessionId }] });
    assert.equal(f.fake.jobs.at(-1)?.sessionId, sessionId);
    const [metadata] = await second.getMetadata();
    assert.equal(metadata.statistics.sessionInfo.sessionId, sessionId);
  });

  test('cancel stops a running job (errorResult stopped) and leaves a finished one alone', async () => {
    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [{ n: 1 }], pendingPolls: 10 }));
    const [running] = (await f.bigquery.createQueryJob({ query: 'SELECT slow()' })) as [Job, ...unknown[]];
    const [answer] = (await running.cancel()) as unknown as [{ kind: string; job: { status: { state: string; errorResult?: { reason: string } } } }];
    assert.equal(answer.kind, 'bigquery#jobCancelResponse');
    assert.equal(answer.job.status.errorResult?.reason, 'stopped');
    assert.equal(f.fake.jobs.at(-1)?.cancelRequested, true);

    f.fake.respond(() => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [{ n: 1 }] }));
    const [done] = await f.bigquery.createQueryJob({ query: 'SELECT 1' });
    await done.cancel();
    const [rows] = await done.getQueryResults();
    assert.deepEqual(rows, [{ n: 1 }]);
  });

  test('bigquery.query with positional parameters pages through jobs.query and getQueryResults; a repeated requestId does not run twice', async () => {
    let runs = 0;
    f.fake.respond((job) => {
      runs += 1;
      return { schema: [{ name: 'n', type: 'INT64' }], rows: Array.from({ length: 3 }, (_, i) => ({ n: i + Number((job.params as unknown[])[0]) })) };
    });
    const before = f.fake.requests.length;
    const [rows] = await f.bigquery.query({ query: 'SELECT n FROM t WHERE n >= ?', params: [10], maxResults: 2 });
    assert.deepEqual(rows, [{ n: 10 }, { n: 11 }, { n: 12 }]);
    assert.deepEqual(f.fake.requests.slice(before).map((r) => r.kind), ['jobs.query', 'jobs.getQueryResults']);
    const sent = f.fake.requests[before]?.body as { requestId: string; formatOptions: unknown; queryParameters: unknown };
    assert.deepEqual(sent.formatOptions, { useInt64Timestamp: true });

    const response = await fetch(`${f.fake.url}/bigquery/v2/projects/${f.fake.projectId}/queries`, {
      method: 'POST',
      headers: { authorization: (f.fake.requests[before]?.headers.authorization as string) ?? '', 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    const again = (await response.json()) as { jobReference: { jobId: string } };
    assert.equal(again.jobReference.jobId, f.fake.jobs.at(-1)?.jobId);
    assert.equal(runs, 1);
    const other = await fetch(`${f.fake.url}/bigquery/v2/projects/${f.fake.projectId}/queries`, {
      method: 'POST',
      headers: { authorization: (f.fake.requests[before]?.headers.authorization as string) ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ ...sent, queryParameters: [{ parameterType: { type: 'INT64' }, parameterValue: { value: 20 } }] }),
    });
    assert.equal(other.status, 200);
    assert.equal(runs, 2, 'the same requestId with other parameters is not a duplicate');
  });

  test('every call carries the Bearer token the fake issued; a call without one answers 401', async () => {
    const calls = f.fake.requests.filter((r) => r.kind !== 'token');
    assert.ok(calls.length > 0);
    for (const call of calls) {
      const token = String(call.headers.authorization).replace(/^Bearer /, '');
      assert.ok(f.fake.issuedTokens.has(token), `${call.kind} carried an issued token`);
    }
    const token = f.fake.requests.find((r) => r.kind === 'token');
    assert.deepEqual(Object.keys(token?.body as object).sort(), ['grant_type', 'refresh_token']);
    assert.match(String(token?.headers.authorization), /^Basic /, 'client authentication is HTTP Basic');
    const anonymous = await fetch(`${f.fake.url}/bigquery/v2/projects/${f.fake.projectId}/datasets`);
    assert.equal(anonymous.status, 401);
    const body = (await anonymous.json()) as { error: { code: number; errors: Array<{ reason: string }>; status: string } };
    assert.equal(body.error.errors[0]?.reason, 'authError');
    assert.equal(body.error.status, 'UNAUTHENTICATED');
  });
});
