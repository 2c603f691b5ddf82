/**
 * Every phone field 8x8 documents is used, at least as a fallback where a better one is
 * missing (docs/conformance.md › Phone fields lists them all), on real DuckDB and real
 * Postgres: one case per fallback, each a documented field alone in its payload, and the
 * curated row that must carry its number. Plus the controls: a better field present wins,
 * and a value that is no number (a v3 LINE user id, a callerName that is a name) is never
 * used as one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { ccInteractionEvent } from '../../ingest/pulls/contact-center/records.js';
import { callLegEvent, callRecordEvent } from '../../ingest/pulls/work-analytics/records.js';
import type { PulledEvent } from '../../ingest/pulls/land.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { createRawTables, insertRawEvents, type RawEvent } from '../helpers/raw-events.js';

const LANDED = new Date('2025-03-05T00:00:00Z');
const T = '2025-03-04T10:00:00Z';

const connect = (key: string, body: Record<string, unknown>): RawEvent => ({
  dedupeKey: `msg:${key}`, family: 'messaging', eventType: `${String(body.namespace)}.${String(body.eventType)}`, body: JSON.stringify(body), landedAt: LANDED,
});
const pulled = (table: string, family: RawEvent['family'], event: PulledEvent): RawEvent => ({ ...event, table, family, landedAt: LANDED });
const ccRow = (values: Record<string, unknown>) => ({ total: null, items: Object.entries(values).map(([key, value]) => ({ key, label: key, value })) });
const cc = (values: Record<string, unknown>) =>
  pulled('contact_center_events', 'contact-center', ccInteractionEvent(ccRow({
    mediaType: 'Phone', creationTime: '2025-03-04T14:00:00.000+03:00', interactionDuration: { value: 60_000, ongoing: false }, outcome: 'Handled', ...values,
  })));
const WORK_RECORD = {
  startTimeUTC: 1741090012345, connectTimeUTC: 1741090019120, disconnectedTimeUTC: 1741090311902, talkTimeMS: 292782, callTime: 299557,
  callee: '1042', dnis: '16175550100', direction: 'Incoming', missed: '-', abandoned: '-', answered: 'Answered', callLegCount: '1',
};
const work = (values: Record<string, unknown>) => pulled('work_events', 'work', callRecordEvent({ ...WORK_RECORD, ...values }));
const workLeg = (values: Record<string, unknown>) =>
  pulled('work_events', 'work', callLegEvent({ startTimeUTC: 1741090012345, connectTimeUTC: 1741090019120, disconnectedTimeUTC: 1741090311902, status: 'Completed', ...values }));
const chat = (key: string, eventType: string, conversationId: string, timestamp: number, data: Record<string, unknown>): RawEvent => ({
  dedupeKey: `cc:${key}`, family: 'contact-center', eventType, body: JSON.stringify({ eventType, conversationId, timestamp, data }), landedAt: LANDED,
});

interface Case {
  /** The documented field, and where 8x8 documents it. */
  field: string;
  events: RawEvent[];
  table: 'calls' | 'call_legs' | 'messages';
  where: string;
  expected: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    field: 'ChatApps inbound user.channelUserId, v2: "always the phone number digits" (inbound-chatapps-message.mdx), msisdn absent',
    events: [connect('ca-v2-in', { namespace: 'ChatApps', eventType: 'inbound_message_received', payload: { umid: 'ca-v2-in', timestamp: T, user: { channelUserId: '5511987654321', name: 'Ana' }, recipient: { channel: 'whatsapp', channelId: '8e4d1303' }, type: 'Text', content: { text: 'oi' } } })],
    table: 'messages', where: `message_id = 'ca-v2-in'`,
    expected: { from_raw: '5511987654321', from_e164: '+5511987654321', channel_user_id: '5511987654321' },
  },
  {
    field: 'control: a v3 LINE user id in user.channelUserId is no number',
    events: [connect('ca-line-in', { version: 3, namespace: 'ChatApps', eventType: 'inbound_message_received', payload: { umid: 'ca-line-in', timestamp: T, user: { channelUserId: 'U4af4980629b6a2fa0c3f5' }, recipient: { channel: 'line', channelId: 'c-1' }, type: 'Text', content: { text: 'hi' } } })],
    table: 'messages', where: `message_id = 'ca-line-in'`,
    expected: { from_raw: null, from_e164: null, channel_user_id: 'U4af4980629b6a2fa0c3f5' },
  },
  {
    field: 'ChatApps receipt user.channelUserId, v2 digits (delivery-receipts-for-outbound-chatapps.mdx), msisdn absent',
    events: [connect('ca-v2-dr', { namespace: 'ChatApps', eventType: 'outbound_message_status_changed', payload: { umid: 'ca-v2-dr', channel: 'whatsapp', user: { channelUserId: '6591234567' }, status: { state: 'delivered', timestamp: T } } })],
    table: 'messages', where: `message_id = 'ca-v2-dr'`,
    expected: { to_raw: '6591234567', to_e164: '+6591234567' },
  },
  {
    field: 'control: ChatApps receipt user.msisdn wins over a BSUID in user.channelUserId',
    events: [connect('ca-v9-dr', { version: 9, namespace: 'ChatApps', eventType: 'outbound_message_status_changed', payload: { umid: 'ca-v9-dr', channel: 'whatsapp', user: { msisdn: '+5511987654321', channelUserId: 'BR.48213377019284431' }, status: { state: 'read', timestamp: T } } })],
    table: 'messages', where: `message_id = 'ca-v9-dr'`,
    expected: { to_raw: '+5511987654321', to_e164: '+5511987654321' },
  },
  {
    field: 'CC Historical customerPhone, inbound, origination missing (cc-historical-analytics-detailed-report.md)',
    events: [cc({ interactionId: 'int-in', direction: 'InboundDir', destination: '16693335195', customerPhone: '16693335004' })],
    table: 'calls', where: `call_id = 'cc:int-in'`,
    expected: { from_raw: '16693335004', from_e164: '+16693335004', to_e164: '+16693335195' },
  },
  {
    field: 'CC Historical customerPhone, outbound, destination missing',
    events: [cc({ interactionId: 'int-out', direction: 'OutboundDir', origination: 'Sales Outbound', customerPhone: '+442071838750' })],
    table: 'calls', where: `call_id = 'cc:int-out'`,
    expected: { from_raw: 'Sales Outbound', from_e164: null, to_raw: '+442071838750', to_e164: '+442071838750' },
  },
  {
    field: 'control: CC Historical origination present wins over customerPhone',
    events: [cc({ interactionId: 'int-both', direction: 'InboundDir', origination: '16693335004', destination: '16693335195', customerPhone: '16693335111' })],
    table: 'calls', where: `call_id = 'cc:int-both'`,
    expected: { from_raw: '16693335004', from_e164: '+16693335004' },
  },
  {
    field: 'Work call record callerId "NAME,+1…", caller missing (work-analytics-call-detail-records.md)',
    events: [work({ callId: 'w-callerid', callerId: 'MARK SMITH,+15555551220' })],
    table: 'calls', where: `call_id = 'work:w-callerid'`,
    // +15555551220: area code 555 is in no metadata; 8x8 wrote it in +E.164 form, so it is kept
    expected: { from_raw: 'MARK SMITH,+15555551220', from_e164: '+15555551220' },
  },
  {
    field: 'Work call record callerName when it is a number, caller "-"',
    events: [work({ callId: 'w-callername', caller: '-', callerName: '16175550188' })],
    table: 'calls', where: `call_id = 'work:w-callername'`,
    expected: { from_raw: '16175550188', from_e164: '+16175550188' },
  },
  {
    field: 'control: Work callerName that is a name is no number; caller "-" stays',
    events: [work({ callId: 'w-name', caller: '-', callerName: 'JOHN DOE' })],
    table: 'calls', where: `call_id = 'work:w-name'`,
    expected: { from_raw: '-', from_e164: null },
  },
  {
    field: 'control: Work caller present wins over callerId',
    events: [work({ callId: 'w-caller', caller: '+16175550123', callerId: 'JOHN DOE,+16175550999' })],
    table: 'calls', where: `call_id = 'work:w-caller'`,
    expected: { from_raw: '+16175550123', from_e164: '+16175550123' },
  },
  {
    field: 'Work call leg callerId, caller missing; dnis, callee missing (work-analytics-call-legs.md)',
    events: [work({ callId: 'w-leg', caller: '+16175550123' }), workLeg({ callId: 'w-leg', legId: '1', callerId: 'MARK SMITH,+16175550123', dnis: '16175550100' })],
    table: 'call_legs', where: `call_id = 'work:w-leg' AND leg_id = '1'`,
    expected: { from_e164: '+16175550123', to_raw: '16175550100', to_e164: '+16175550100' },
  },
  {
    field: 'Chat Gateway CONVERSATION_UPDATE data.msisdn: the sender of an inbound chat message (webhooks-events-reference.md)',
    events: [
      chat('cu-1', 'CONVERSATION_UPDATE', 'conv-1', 1741087200000, { state: 'created', msisdn: '+6591234567', user: { name: 'Tan', phone: '+6598765432' }, channel: 'WhatsApp' }),
      chat('m-1', 'MESSAGE', 'conv-1', 1741087260000, { isEcho: false, sender: { id: 'u-1', type: 'user' }, text: 'Where is my order?' }),
    ],
    table: 'messages', where: `message_id = 'cc:m-1'`,
    expected: { direction: 'inbound', from_raw: '+6591234567', from_e164: '+6591234567', to_raw: null },
  },
  {
    field: 'Chat Gateway CONVERSATION_UPDATE data.user.phone (msisdn absent): the recipient of an agent message',
    events: [
      chat('cu-2', 'CONVERSATION_UPDATE', 'conv-2', 1741087200000, { state: 'created', user: { name: 'Doe', phone: '+1 (202) 555-5720' }, channel: 'WebChat' }),
      chat('m-2', 'MESSAGE', 'conv-2', 1741087260000, { isEcho: false, sender: { id: 'ag-1', type: 'agent' }, text: 'Hello!' }),
    ],
    table: 'messages', where: `message_id = 'cc:m-2'`,
    expected: { direction: 'outbound', from_raw: null, to_raw: '+1 (202) 555-5720', to_e164: '+12025555720' },
  },
  {
    field: 'control: a conversation\'s newest update by 8x8\'s timestamp names its number, whatever the arrival order',
    events: [
      chat('cu-3b', 'CONVERSATION_UPDATE', 'conv-3', 1741087300000, { state: 'active', msisdn: '+6581968289' }),
      chat('cu-3a', 'CONVERSATION_UPDATE', 'conv-3', 1741087200000, { state: 'created', msisdn: '+6591234567' }),
      chat('cu-3c', 'CONVERSATION_UPDATE', 'conv-3', 1741087400000, { state: 'idle' }),
      chat('m-3', 'MESSAGE', 'conv-3', 1741087260000, { isEcho: false, sender: { id: 'u-3', type: 'user' }, text: 'hi' }),
    ],
    table: 'messages', where: `message_id = 'cc:m-3'`,
    expected: { from_raw: '+6581968289', from_e164: '+6581968289' },
  },
];

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: ':memory:' }), raw: 'raw', analytics: 'analytics', drop: false },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), raw: uniqueSchema('raw'), analytics: uniqueSchema('analytics'), drop: true },
] as const;

for (const target of targets) {
  describe(`documented phone fields on ${target.name}`, () => {
    let wh: Warehouse;
    const settings: ProjectSettings = {
      targetSchema: target.analytics, sources: { raw: target.raw }, vars: { default_region: '', region_work: 'US', region_contact_center: 'US' }, lookbackSeconds: 3600,
    };
    const runBuild = async () => {
      const results = await build(wh, await loadProject(BUNDLED_MODELS_DIR, wh.dialect), { settings, select: ['+calls', '+call_legs', '+messages'] });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.node}: ${r.message}`), []);
    };
    const one = async (table: string, where: string): Promise<SqlRow> => {
      const rows = await wh.all(`SELECT * FROM ${wh.dialect.tableName(target.analytics, table)} WHERE ${where}`);
      assert.equal(rows.length, 1, `one ${table} row where ${where}`);
      return rows[0] as SqlRow;
    };

    before(async () => {
      wh = await target.open();
      await createRawTables(wh, target.raw);
      await insertRawEvents(wh, target.raw, CASES.flatMap((c) => c.events));
      await runBuild();
    });
    after(async () => {
      if (target.drop) for (const schema of [target.raw, target.analytics]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(schema)} CASCADE`);
      await wh.close();
    });

    for (const c of CASES) {
      test(c.field, async () => {
        const row = await one(c.table, c.where);
        assert.deepEqual(Object.fromEntries(Object.keys(c.expected).map((k) => [k, row[k]])), c.expected);
      });
    }

    test('a conversation whose number lands after its messages (a later build) gives them the number', async () => {
      await insertRawEvents(wh, target.raw, [{ ...chat('m-4', 'MESSAGE', 'conv-4', 1741087260000, { isEcho: false, sender: { id: 'ag-4', type: 'agent' }, text: 'Hi' }), landedAt: new Date(LANDED.getTime() + 1000) }]);
      await runBuild();
      assert.equal((await one('messages', `message_id = 'cc:m-4'`)).to_e164, null, 'no number yet');
      const late = new Date(LANDED.getTime() + 2000);
      await insertRawEvents(wh, target.raw, [{ ...chat('cu-4', 'CONVERSATION_UPDATE', 'conv-4', 1741087200000, { state: 'created', msisdn: '+6591234567' }), landedAt: late }]);
      await runBuild();
      const row = await one('messages', `message_id = 'cc:m-4'`);
      assert.deepEqual({ to_e164: row.to_e164, last_updated_at: row.last_updated_at }, { to_e164: '+6591234567', last_updated_at: late.toISOString() });
    });
  });
}
