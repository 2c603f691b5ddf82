/**
 * The WhoId match on real DuckDB and real Postgres: Contacts and Leads pulled from the local
 * Salesforce (paged with nextRecordsUrl) into `salesforce_people` with E.164 numbers, the
 * bundled models built with the engine (salesforce_call_tasks joins them), and a sync run
 * end to end that writes the Tasks with their WhoIds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAMILY_TABLES } from '../../ingest/families/family.js';
import { PULL_ONLY_TABLES, rawEventTable } from '../../ingest/raw-tables.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import { createSalesforceDestination, pullSalesforcePeople, salesforcePeopleTable } from '../../sync/destinations/salesforce/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { startSalesforceServer, type SalesforceServer } from '../../fakes/salesforce/index.js';
import { migrated } from '../helpers/migrate.js';

const runTag = Math.random().toString(36).slice(2, 8);

/** A Connect voice SESSION_SUMMARY with one leg (8x8.md §2.2). */
function voiceSummary(sessionId: string, direction: 'INBOUND' | 'OUTBOUND', source: string, destination: string, answered: boolean, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    namespace: 'VOICE',
    eventType: 'SESSION_SUMMARY',
    payload: {
      sessionId,
      sessionStatus: answered ? 'COMPLETED' : 'NO_ANSWER',
      startTime: '2025-03-04T23:50:00Z',
      endTime: '2025-03-04T23:53:36Z',
      details: {
        callA: {
          callId: `${sessionId}-a`, callDirection: direction, callType: 'PSTN', source, destination, callStatus: answered ? 'COMPLETED' : 'NO_ANSWER',
          initiatedTimestamp: '2025-03-04T23:50:00Z', ...(answered ? { connectedTimestamp: '2025-03-04T23:50:01Z' } : {}),
          disconnectedTimestamp: '2025-03-04T23:53:36Z', callDuration: 216, ...extra,
        },
      },
    },
  });
}

const CALLS: Array<[string, string]> = [
  // A Contact and a Lead share this number: the Contact wins.
  ['sess-in', voiceSummary('sess-in', 'INBOUND', '+6591234567', '+6568001234', true)],
  // Outbound to a national US number: the Contact's MobilePhone, written nationally in Salesforce.
  ['sess-out', voiceSummary('sess-out', 'OUTBOUND', '+6568001234', '2015550123', true, { destinationCountryCode: 'US' })],
  // Only a Lead has this number.
  ['sess-missed', voiceSummary('sess-missed', 'INBOUND', '+6598765432', '+6568001234', false)],
  // Nobody in Salesforce has this one.
  ['sess-nobody', voiceSummary('sess-nobody', 'INBOUND', '+6581111111', '+6568001234', true)],
  // The Work Analytics docs' caller: area code 555 is in no metadata, but 8x8 and Salesforce
  // both write it in +E.164 form, so both keep it and the call still finds its Contact.
  ['sess-555', voiceSummary('sess-555', 'INBOUND', '+15555551220', '+6568001234', true)],
];

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'sf-people-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  {
    name: 'duckdb',
    open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }),
    raw: 'raw',
    analytics: 'analytics',
  },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), raw: uniqueSchema('raw'), analytics: uniqueSchema('analytics') },
] as const;

for (const target of targets) {
  describe(`Salesforce people and the call Tasks model on ${target.name}`, () => {
    let wh: Warehouse;
    let sf: SalesforceServer;
    let account: string;
    const people = {} as Record<'contactSg' | 'contactUs' | 'contactExt' | 'contactGone' | 'contact555' | 'leadSg' | 'leadOnly' | 'leadConverted', string>;
    const settings: ProjectSettings = { targetSchema: target.analytics, sources: { raw: target.raw }, vars: { default_region: 'SG' } };
    const destination = () =>
      createSalesforceDestination(
        { loginUrl: sf.url, apiVersion: '62.0', auth: 'client_credentials', clientId: sf.clientId, externalIdField: 'Switchboard_Call_Id__c', bulkThreshold: 2000 },
        { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret },
        { defaultRegion: 'US' },
      );
    const rows = (sql: string): Promise<SqlRow[]> => wh.all(sql);
    const table = (schema: string, name: string) => wh.dialect.tableName(schema, name);
    const buildTasks = async () => {
      const results = await build(wh, await loadProject(BUNDLED_MODELS_DIR, wh.dialect), { settings, select: ['+salesforce_call_tasks'] });
      const failed = results.results.filter((r) => r.status !== 'success' && r.status !== 'pass');
      assert.deepEqual(failed.map((r) => `${r.node}: ${r.message}`), [], 'every model builds and every data test passes');
      assert.ok(results.results.some((r) => r.node === 'model.salesforce_call_tasks' && r.status === 'success'));
    };
    const whoIds = async (): Promise<Record<string, string | null>> =>
      Object.fromEntries(
        (await rows(`SELECT call_id, who_id FROM ${table(target.analytics, 'salesforce_call_tasks')} ORDER BY call_id`)).map((r) => [String(r.call_id), r.who_id === null ? null : String(r.who_id)]),
      );

    before(async () => {
      wh = await migrated(await target.open(), { rawSchema: target.raw, modelsSchema: target.analytics });
      sf = await startSalesforceServer({ queryPageSize: 2 });
      account = sf.org.addAccount({ Name: 'Acme' });
      people.contactSg = sf.org.addContact({ LastName: 'Tan', Phone: '+65 9123 4567', AccountId: account });
      people.contactUs = sf.org.addContact({ LastName: 'Doe', MobilePhone: '(201) 555-0123', AccountId: account });
      people.contactExt = sf.org.addContact({ LastName: 'Desk', Phone: '1042' });
      people.contactGone = sf.org.addContact({ LastName: 'Gone', Phone: '+6581111111' });
      sf.org.remove(people.contactGone);
      people.contact555 = sf.org.addContact({ LastName: 'Smith', Phone: '+1 (555) 555-1220' });
      people.leadSg = sf.org.addLead({ LastName: 'Lim', Phone: '+6591234567' });
      people.leadOnly = sf.org.addLead({ LastName: 'Ng', Phone: '+65 9876 5432', MobilePhone: '+6598765432' });
      people.leadConverted = sf.org.addLead({ LastName: 'Won', Phone: '+6568001234', IsConverted: true });
      sf.org.addLead({ LastName: 'NoPhone' });

      const d = wh.dialect;
      await wh.run(d.createSchema(target.raw));
      for (const name of [...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES]) await wh.run(d.createTable(rawEventTable(target.raw, name)));
      const now = new Date('2025-03-05T00:00:00Z');
      for (const [key, body] of CALLS) {
        await wh.run(
          `INSERT INTO ${table(target.raw, 'voice_events')} (dedupe_key, family, event_type, body, headers, source_ip, verified_by, first_delivery_id, first_received_at, last_received_at, delivery_count, landed_at) ` +
            `VALUES (${d.param(1)}, 'voice', 'SESSION_SUMMARY', ${d.param(2)}, '{}', '127.0.0.1', 'test', ${d.param(1)}, ${d.typedParam(3, 'timestamp')}, ${d.typedParam(3, 'timestamp')}, 1, ${d.typedParam(3, 'timestamp')})`,
          [key, body, now],
        );
      }
    });

    after(async () => {
      await sf.close();
      if (target.name === 'postgres') {
        for (const schema of [target.raw, target.analytics]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
        for (const t of ['snapshots', 'rejections', 'outcomes', 'runs']) {
          await wh.run(`DELETE FROM switchboard_sync.${t} WHERE sync_name LIKE '%_${runTag}'`).catch(() => undefined);
        }
      }
      await wh.close();
    });

    test('a build on a fresh warehouse creates the people table empty and the Tasks model without WhoIds', async () => {
      await buildTasks();
      assert.deepEqual(await rows(`SELECT * FROM ${table(target.analytics, 'salesforce_people')}`), []);
      assert.deepEqual(await whoIds(), { 'sess-555': null, 'sess-in': null, 'sess-missed': null, 'sess-nobody': null, 'sess-out': null });
    });

    test('the pull pages through Contacts and Leads (not converted, not deleted) and stores their numbers in E.164, and a Contact\'s AccountId', async () => {
      const counts = await pullSalesforcePeople(await destination().session.connection(), wh, target.analytics, { defaultRegion: 'US' });
      assert.deepEqual(counts, { contacts: 4, leads: 2 });
      assert.equal(sf.stats.byKind.queryMore, 1, 'followed nextRecordsUrl to the second page of Contacts');
      const stored = await rows(`SELECT id, object, phone_field, phone_raw, phone_e164, account_id FROM ${table(target.analytics, 'salesforce_people')} ORDER BY id, phone_field`);
      assert.deepEqual(
        stored,
        [
          { id: people.contactSg, object: 'Contact', phone_field: 'Phone', phone_raw: '+65 9123 4567', phone_e164: '+6591234567', account_id: account },
          { id: people.contactUs, object: 'Contact', phone_field: 'MobilePhone', phone_raw: '(201) 555-0123', phone_e164: '+12015550123', account_id: account },
          { id: people.contactExt, object: 'Contact', phone_field: 'Phone', phone_raw: '1042', phone_e164: null, account_id: null },
          { id: people.contact555, object: 'Contact', phone_field: 'Phone', phone_raw: '+1 (555) 555-1220', phone_e164: '+15555551220', account_id: null },
          { id: people.leadSg, object: 'Lead', phone_field: 'Phone', phone_raw: '+6591234567', phone_e164: '+6591234567', account_id: null },
          { id: people.leadOnly, object: 'Lead', phone_field: 'MobilePhone', phone_raw: '+6598765432', phone_e164: '+6598765432', account_id: null },
          { id: people.leadOnly, object: 'Lead', phone_field: 'Phone', phone_raw: '+65 9876 5432', phone_e164: '+6598765432', account_id: null },
        ].sort((a, b) => (a.id === b.id ? a.phone_field.localeCompare(b.phone_field) : a.id.localeCompare(b.id))),
      );
      const [stamp] = await rows(`SELECT COUNT(DISTINCT pulled_at) AS n FROM ${table(target.analytics, 'salesforce_people')}`);
      assert.equal(Number(stamp?.n), 1, 'one pull, one timestamp');
    });

    test('the Tasks view matches the customer number: a Contact before a Lead, nobody when no one has it', async () => {
      assert.deepEqual(await whoIds(), { 'sess-555': people.contact555, 'sess-in': people.contactSg, 'sess-missed': people.leadOnly, 'sess-nobody': null, 'sess-out': people.contactUs });
      // An incremental build leaves what the pull wrote alone.
      await buildTasks();
      assert.equal((await whoIds())['sess-in'], people.contactSg);
      const [call] = await rows(`SELECT * FROM ${table(target.analytics, 'salesforce_call_tasks')} WHERE call_id = 'sess-out'`);
      assert.equal(call?.subject, 'Outbound call to +12015550123');
      assert.equal(call?.call_type, 'Outbound');
      assert.equal(call?.call_object, 'sess-out');
      assert.equal(call?.activity_date, '2025-03-04');
      assert.equal(call?.status, 'Completed');
      assert.equal(Number(call?.call_duration_seconds), 216);
      assert.match(String(call?.description), /^Outcome: answered; from \+6568001234; to \+12015550123; started 2025-03-04 23:50:00.*; talk time 00:03:35; 8x8 call id sess-out$/);
      const [missed] = await rows(`SELECT subject, call_type FROM ${table(target.analytics, 'salesforce_call_tasks')} WHERE call_id = 'sess-missed'`);
      assert.deepEqual(missed, { subject: 'Missed call from +6598765432', call_type: 'Inbound' });
    });

    test('a pull replaces the rows: a Contact deleted in Salesforce no longer matches', async () => {
      sf.org.remove(people.contactSg);
      await pullSalesforcePeople(await destination().session.connection(), wh, target.analytics, { defaultRegion: 'US' });
      assert.equal((await whoIds())['sess-in'], people.leadSg, 'the Lead with the same number now');
      sf.org.records.Contact.get(people.contactSg)!.IsDeleted = false;
    });

    test('a sync run pulls the people first (beforeSync) and writes one Task per call with its WhoId', async () => {
      const salesforce = destination();
      await wh.run(`DELETE FROM ${table(target.analytics, 'salesforce_people')}`);
      const sync: SyncDefinition = {
        name: `calls_to_salesforce_${target.name}_${runTag}`,
        model: 'salesforce_call_tasks',
        key: 'call_id',
        destination: 'salesforce',
        object: 'Task',
        mapping: {
          Subject: 'subject', CallType: 'call_type', CallDurationInSeconds: 'call_duration_seconds', CallObject: 'call_object',
          ActivityDate: 'activity_date', Status: 'status', Description: 'description', WhoId: 'who_id',
        },
        mode: 'upsert',
        schedule: 'off',
        priority: 'bulk',
      };
      const signal = new AbortController().signal;
      const before = () => salesforce.beforeSync({ warehouse: wh, rawSchema: target.raw, signal, modelsSchema: target.analytics });
      const result = await runSync(wh, sync, salesforce, { modelsSchema: target.analytics, before, sleep: async () => undefined });
      assert.equal(result.status, 'success', JSON.stringify(result.error));
      assert.equal(result.sent, 5);
      const tasks = Object.fromEntries(sf.org.live('Task').map((t) => [String(t.Switchboard_Call_Id__c), t]));
      assert.equal(tasks['sess-in']?.WhoId, people.contactSg);
      assert.equal(tasks['sess-out']?.WhoId, people.contactUs);
      assert.equal(tasks['sess-missed']?.WhoId, people.leadOnly);
      assert.equal(tasks['sess-nobody']?.WhoId, null);
      assert.equal(tasks['sess-555']?.WhoId, people.contact555);
      assert.equal(tasks['sess-out']?.CallType, 'Outbound');
      assert.equal(tasks['sess-out']?.ActivityDate, '2025-03-04');
      // A second run sends nothing, and pulls nothing again (the people are fresh).
      sf.resetStats();
      const again = await runSync(wh, sync, salesforce, { modelsSchema: target.analytics, before, sleep: async () => undefined });
      assert.equal(again.sent, 0);
      assert.equal(sf.stats.apiCalls, 0);
    });
  });
}

test('salesforcePeopleTable lists the columns of models/outbound/salesforce_people.sql, in its order', async () => {
  const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
  try {
    await build(wh, await loadProject(BUNDLED_MODELS_DIR, wh.dialect), {
      settings: { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { default_region: 'US' } },
      select: ['salesforce_people'],
    });
    const columns = await wh.all<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'analytics' AND table_name = 'salesforce_people' ORDER BY ordinal_position`,
    );
    assert.deepEqual(columns.map((c) => c.name), salesforcePeopleTable('analytics').columns.map((c) => c.name));
  } finally {
    await wh.close();
  }
});
