/**
 * Issue 11 (Conformance), Salesforce: behaviours of the real service that the local Salesforce
 * (fakes/salesforce/) now models, through jsforce, and what the destination and the
 * engine do about them (docs/conformance.md):
 *
 * 1. a Bulk API 2.0 job that ends Failed after committing rows;
 * 2. REQUEST_LIMIT_EXCEEDED as HTTP 403 without Retry-After, for the rolling 24-hour
 *    allocation (the run stops until the next one) and the long-request concurrency cap;
 * 3. the Bulk upload size limit (jobs split by CSV size);
 * 4. the Task schema: TaskSubtype createable only (set to Call on create), WhatId.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Connection } from 'jsforce';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import { DeferRunError, PermanentDestinationError, TransientDestinationError, type ChangeRecord, type RecordOutcome } from '../../sync/destination.js';
import { createSalesforceDestination, type SalesforceDestination, type SalesforceDestinationOptions, type SalesforceSettings } from '../../sync/destinations/salesforce/index.js';
import { startSalesforceServer, type SalesforceServer, type SalesforceServerOptions } from '../../fakes/salesforce/index.js';
import { migrated } from '../helpers/migrate.js';

const EXT = 'Switchboard_Call_Id__c';

function destinationFor(sf: SalesforceServer, extra: Partial<SalesforceSettings> = {}, options: SalesforceDestinationOptions = {}): SalesforceDestination {
  const settings: SalesforceSettings = { loginUrl: sf.url, apiVersion: '62.0', auth: 'client_credentials', clientId: sf.clientId, externalIdField: EXT, bulkThreshold: 2000, ...extra };
  return createSalesforceDestination(settings, { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret }, { bulkPolling: { intervalMs: 5 }, fetchPeople: false, ...options });
}

const context = { sync: 'calls_to_salesforce', object: 'Task', mode: 'upsert' as const, signal: new AbortController().signal };

function change(key: string, action: ChangeRecord['action'], fields: ChangeRecord['fields'] = {}): ChangeRecord {
  return { key, action, fields: { Subject: `Call ${key}`, Status: 'Completed', ...fields }, externalRef: null, idempotencyKey: `idem-${key}` };
}

const byKey = (outcomes: readonly RecordOutcome[]) => new Map(outcomes.map((o) => [o.key, o]));

async function withServer<T>(options: SalesforceServerOptions, fn: (sf: SalesforceServer) => Promise<T>): Promise<T> {
  const sf = await startSalesforceServer(options);
  try {
    return await fn(sf);
  } finally {
    await sf.close();
  }
}

describe('1. a Bulk API 2.0 job that fails after committing rows', () => {
  test('successful, failed and unprocessed rows each get their outcome; the unprocessed are retried, not lost', () =>
    withServer({ bulkInternalBatchSize: 2 }, async (sf) => {
      const destination = destinationFor(sf, { bulkThreshold: 3 });
      sf.failNextBulkJob({ afterRecords: 4 });
      const records = Array.from({ length: 8 }, (_, i) => change(`bf-${i}`, 'create', i === 1 ? { Subject: 'z'.repeat(300) } : {}));
      const outcomes = byKey(await destination.send(records, context));
      assert.equal(outcomes.size, 8);
      for (const i of [0, 2, 3]) assert.deepEqual(outcomes.get(`bf-${i}`), { key: `bf-${i}`, status: 'sent', externalRef: sf.org.taskByExternalId(`bf-${i}`)?.Id });
      assert.equal(outcomes.get('bf-1')?.status, 'rejected');
      assert.equal(outcomes.get('bf-1')?.code, 'STRING_TOO_LONG');
      for (const i of [4, 5, 6, 7]) {
        assert.equal(outcomes.get(`bf-${i}`)?.status, 'retry', `bf-${i}`);
        assert.equal(outcomes.get(`bf-${i}`)?.code, 'BULK_JOB_FAILED');
        assert.equal(outcomes.get(`bf-${i}`)?.deferRun, undefined);
        assert.equal(sf.org.taskByExternalId(`bf-${i}`), undefined, 'not processed');
      }
      assert.ok(sf.log.some((l) => /\/unprocessedrecords$/.test(l.path)), 'read the unprocessed records');
      // The engine's next attempt sends the unprocessed rows again.
      const retried = await destination.send(records.slice(4), context);
      assert.ok(retried.every((o) => o.status === 'sent'));
    }));

  test('a job stopped by the daily Bulk record limit defers its unprocessed rows to the next run', () =>
    withServer({ bulkInternalBatchSize: 2, bulkDailyRecords: 4 }, async (sf) => {
      const destination = destinationFor(sf, { bulkThreshold: 3 });
      const outcomes = await destination.send(Array.from({ length: 6 }, (_, i) => change(`bq-${i}`, 'create')), context);
      assert.equal(outcomes.filter((o) => o.status === 'sent').length, 4);
      const deferred = outcomes.filter((o) => o.status === 'retry');
      assert.equal(deferred.length, 2);
      assert.ok(deferred.every((o) => o.deferRun === true && o.code === 'SB_SYNC_SALESFORCE_DAILY_LIMIT'));
    }));
});

describe('2. REQUEST_LIMIT_EXCEEDED is 403 without Retry-After', () => {
  test('the long-request concurrency cap is transient (the engine backs off and retries), with no Retry-After to honour', () =>
    withServer({ concurrentLongRequests: 2 }, async (sf) => {
      const destination = destinationFor(sf);
      const release = sf.occupyLongRequests(2);
      await assert.rejects(destination.send([change('cc-1', 'create')], context), (e: unknown) => {
        assert.ok(e instanceof TransientDestinationError);
        assert.ok(!(e instanceof DeferRunError), 'not the daily allocation');
        assert.equal(e.retryAfterMs, undefined);
        assert.match(e.message, /ConcurrentPerOrgLongTxn/);
        return true;
      });
      release();
      const [sent] = await destination.send([change('cc-1', 'create')], context);
      assert.equal(sent?.status, 'sent');
    }));
});

describe('3. the Bulk API 2.0 upload size limit', () => {
  test('one job per at most bulkMaxCsvBytes of CSV, so no upload goes over the limit', () =>
    withServer({ bulkMaxUploadBytes: 2000 }, async (sf) => {
      const records = Array.from({ length: 30 }, (_, i) => change(`sz-${i}`, 'create', { Description: `${'d'.repeat(60)} ${i}` }));
      // One job for everything, as before: the upload is refused for its size.
      const unsplit = destinationFor(sf, { bulkThreshold: 3 }, { bulkMaxCsvBytes: Number.POSITIVE_INFINITY });
      await assert.rejects(unsplit.send(records, context), (e: unknown) => e instanceof PermanentDestinationError && /maximum file size/.test(e.message));
      sf.resetStats();
      const destination = destinationFor(sf, { bulkThreshold: 3 }, { bulkMaxCsvBytes: 1400 });
      const outcomes = await destination.send(records, context);
      assert.equal(outcomes.filter((o) => o.status === 'sent').length, 30);
      assert.ok((sf.stats.byKind['bulk:create'] ?? 0) >= 2, `jobs: ${sf.stats.byKind['bulk:create']}`);
      assert.equal(sf.stats.byKind['bulk:upload'], sf.stats.byKind['bulk:create']);
      assert.ok(sf.log.every((l) => l.status < 400), 'no upload refused');
    }));
});

describe('4. the Task schema: TaskSubtype on create only, WhatId', () => {
  test('Salesforce refuses an update of TaskSubtype (INVALID_FIELD_FOR_INSERT_UPDATE)', () =>
    withServer({}, async (sf) => {
      const conn = new Connection({ oauth2: { loginUrl: sf.url, clientId: sf.clientId, clientSecret: sf.clientSecret }, version: '62.0' });
      await conn.authorize({ grant_type: 'client_credentials' });
      const [created] = (await conn.sobject('Task').upsert([{ [EXT]: 'ts-1', Subject: 'x', TaskSubtype: 'Call' }], EXT, { allOrNone: false })) as Array<{ success: boolean }>;
      assert.equal(created?.success, true);
      const [again] = (await conn.sobject('Task').upsert([{ [EXT]: 'ts-1', Subject: 'y', TaskSubtype: 'Task' }], EXT, { allOrNone: false })) as Array<{ success: boolean; errors: Array<{ statusCode: string; fields: string[] }> }>;
      assert.equal(again?.success, false);
      assert.equal(again?.errors[0]?.statusCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      assert.deepEqual(again?.errors[0]?.fields, ['TaskSubtype']);
      assert.equal(sf.org.taskByExternalId('ts-1')?.Subject, 'x', 'the record was not changed');
    }));

  test('a Task is created as a call (TaskSubtype = Call), updated without touching it, and a resent create still goes through', () =>
    withServer({}, async (sf) => {
      const destination = destinationFor(sf);
      const [created] = await destination.send([change('call-1', 'create')], context);
      assert.equal(created?.status, 'sent');
      assert.equal(sf.org.taskByExternalId('call-1')?.TaskSubtype, 'Call');
      const [updated] = await destination.send([change('call-1', 'update', { Subject: 'changed' })], context);
      assert.equal(updated?.status, 'sent');
      assert.equal(sf.org.taskByExternalId('call-1')?.Subject, 'changed');
      // A create sent again after a crash meets the Task it made: sent again without TaskSubtype.
      const [resent] = await destination.send([change('call-1', 'create', { Subject: 'resent' })], context);
      assert.deepEqual(resent, { key: 'call-1', status: 'sent', externalRef: created?.externalRef });
      assert.equal(sf.org.taskByExternalId('call-1')?.Subject, 'resent');
      assert.equal(sf.org.live('Task').length, 1);
      // The same through Bulk API 2.0.
      const bulk = destinationFor(sf, { bulkThreshold: 2 });
      const outcomes = await bulk.send(['call-1', 'call-2', 'call-3'].map((k) => change(k, 'create', { Subject: `bulk ${k}` })), context);
      assert.ok(outcomes.every((o) => o.status === 'sent'), JSON.stringify(outcomes));
      assert.equal(sf.org.taskByExternalId('call-1')?.Subject, 'bulk call-1');
      assert.equal(sf.org.taskByExternalId('call-3')?.TaskSubtype, 'Call');
    }));

  test('WhatId relates the Task to an Account or an Opportunity; another kind of record is refused', () =>
    withServer({}, async (sf) => {
      const account = sf.org.addAccount({ Name: 'Acme' });
      const opportunity = sf.org.addOpportunity({ Name: 'Acme renewal' });
      const contact = sf.org.addContact({ LastName: 'Tan' });
      const destination = destinationFor(sf);
      const outcomes = byKey(
        await destination.send([change('what-a', 'create', { WhatId: account }), change('what-o', 'create', { WhatId: opportunity }), change('what-c', 'create', { WhatId: contact })], context),
      );
      assert.equal(outcomes.get('what-a')?.status, 'sent');
      assert.equal(sf.org.taskByExternalId('what-a')?.WhatId, account);
      assert.equal(sf.org.taskByExternalId('what-o')?.WhatId, opportunity);
      assert.equal(outcomes.get('what-c')?.status, 'rejected');
      assert.equal(outcomes.get('what-c')?.code, 'FIELD_INTEGRITY_EXCEPTION');
    }));
});

describe('the engine with the Salesforce destination on DuckDB', () => {
  let dir: string;
  let wh: Warehouse;
  const schema = 'analytics';
  const definition = (name: string): SyncDefinition => ({
    name, model: 'calls', key: 'call_id', destination: 'salesforce', object: 'Task', mapping: { Subject: 'subject' }, mode: 'upsert', schedule: 'off', priority: 'bulk',
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-conformance-'));
    wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
    await wh.run(wh.dialect.createSchema(schema));
    await migrated(wh);
    await wh.run(`CREATE TABLE ${wh.dialect.tableName(schema, 'calls')} (call_id TEXT, subject TEXT)`);
    await wh.run(`INSERT INTO ${wh.dialect.tableName(schema, 'calls')} SELECT 'c-' || lpad(CAST(i AS TEXT), 3, '0'), 'Call ' || CAST(i AS TEXT) FROM range(450) AS t(i)`);
  });
  after(async () => {
    await wh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('item 1: a Failed Bulk job records every row: sent now, unprocessed retried in the next attempt', () =>
    withServer({ bulkInternalBatchSize: 100 }, async (sf) => {
      sf.failNextBulkJob({ afterRecords: 200 });
      const destination = destinationFor(sf, { bulkThreshold: 300 });
      const sleeps: number[] = [];
      const result = await runSync(wh, definition('bulk_failed'), destination, { modelsSchema: schema, sleep: async (ms) => void sleeps.push(ms) });
      assert.equal(result.status, 'success', JSON.stringify(result.error));
      assert.equal(result.sent, 450);
      assert.equal(sf.org.live('Task').length, 450);
      const rows = await wh.all<{ attempt: number; status: string; code: string | null; n: number }>(
        `SELECT attempt, status, code, COUNT(*) AS n FROM switchboard_sync.outcomes WHERE sync_name = 'bulk_failed' GROUP BY attempt, status, code ORDER BY attempt, status`,
      );
      assert.deepEqual(rows.map((r) => [Number(r.attempt), r.status, r.code, Number(r.n)]), [
        [1, 'retried', 'BULK_JOB_FAILED', 250],
        [1, 'sent', null, 200],
        [2, 'sent', null, 250],
      ]);
    }));

  test('item 2: the daily allocation running out stops the run at once, says why in the run record, and alerts; the next run sends the rest', () => {
    let clock = Date.UTC(2026, 0, 1);
    return withServer({ dailyApiRequests: 2, now: () => clock }, async (sf) => {
      const lines: Array<{ level: number; code?: string; msg: string }> = [];
      const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]), cb()) }));
      const destination = destinationFor(sf, {}, { logger, fetchPeople: true });
      const sleeps: number[] = [];
      const run = () => runSync(wh, definition('daily_limit'), destination, { modelsSchema: schema, sleep: async (ms) => void sleeps.push(ms) });
      const first = await run();
      assert.equal(first.status, 'partial');
      assert.equal(first.error?.code, 'SB_SYNC_SALESFORCE_DAILY_LIMIT');
      assert.match(first.error?.message ?? '', /HTTP 403 REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.*next scheduled run/);
      assert.equal(first.sent, 400);
      assert.equal(first.retrying, 50);
      assert.deepEqual(sleeps, [], 'no backoff into a daily limit');
      assert.equal(sf.stats.limited, 1, 'one refused call, no retries');
      const [row] = await wh.all<{ status: string; error: string }>(`SELECT status, error FROM switchboard_sync.runs WHERE run_id = '${first.runId}'`);
      assert.equal(row?.status, 'partial');
      assert.match(row?.error ?? '', /^SB_SYNC_SALESFORCE_DAILY_LIMIT: /);
      assert.ok(lines.some((l) => l.level === 50 && l.code === 'SB_SYNC_SALESFORCE_DAILY_LIMIT'), 'an error-level log line with the code');
      // The Contact/Lead pull before the next run meets the same limit: deferred, not failed.
      const people = await runSync(wh, definition('daily_limit'), destination, {
        modelsSchema: schema,
        before: () => destination.beforeSync({ warehouse: wh, rawSchema: 'raw', modelsSchema: schema, signal: new AbortController().signal }),
      });
      assert.equal(people.status, 'partial');
      assert.equal(people.error?.code, 'SB_SYNC_SALESFORCE_DAILY_LIMIT');
      clock += 24 * 3600_000 + 1;
      const second = await run();
      assert.equal(second.status, 'success', JSON.stringify(second.error));
      assert.equal(second.sent, 50);
      assert.equal(sf.org.live('Task').length, 450);
    });
  });
});
