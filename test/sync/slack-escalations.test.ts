/**
 * models/outbound/slack_escalations.sql on real DuckDB and real Postgres, end to end: voice
 * events land through the webhook route, the bundled models build with `priority_callers`
 * (and with a user folder's vip_callers seed),
 * and the sync engine sends the escalation rows to the fake Slack through the Slack
 * destination. When the callback lands and the models rebuild, the row's text and status
 * change and the same message is edited; a crash between post and checkpoint posts nothing twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { SqlRow } from '../../sql/warehouse.js';
import type { Destination } from '../../sync/destination.js';
import { runSync, type SyncDefinition, type SyncRunResult } from '../../sync/engine.js';
import { createSlackDestination } from '../../sync/destinations/slack/index.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';

const VIP = '+6591234567';
const runTag = Math.random().toString(36).slice(2, 8);
const OFFICE = '+6568001234';

const leg = (callId: string, direction: string, source: string, destination: string, extra: Record<string, unknown> = {}) => ({
  callId, callDirection: direction, callType: 'PSTN', source, destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', callStatus: 'COMPLETED', ...extra,
});

/** A Connect voice SESSION_SUMMARY with one leg; `answerAfter` seconds of ringing, or never answered. */
function session(id: string, direction: 'INBOUND' | 'OUTBOUND', from: string, to: string, start: string, answerAfter: number | null, seconds: number): string {
  const at = (offset: number) => new Date(Date.parse(start) + offset * 1000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify({
    namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
    payload: {
      sessionId: id, sessionStatus: answerAfter === null ? 'NO_ANSWER' : 'COMPLETED', startTime: at(0), endTime: at(seconds),
      details: {
        callA: leg(`${id}-a`, direction, from, to, {
          initiatedTimestamp: at(0), disconnectedTimestamp: at(seconds), callDuration: answerAfter === null ? 0 : seconds - answerAfter,
          ...(answerAfter === null ? { callStatus: 'NO_ANSWER' } : { connectedTimestamp: at(answerAfter) }),
        }),
      },
    },
  });
}

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`slack_escalations on ${warehouse}, synced to Slack`, () => {
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    let h: Harness;
    let fake: FakeSlack;
    let slack: Destination;
    let settings: ProjectSettings;

    const land = async (...bodies: string[]): Promise<void> => {
      for (const body of bodies) {
        const response = await h.send('voice', { body });
        assert.equal(response.statusCode, 200, JSON.stringify(response.json));
      }
      await h.drain();
    };
    const rebuild = async (vars: Record<string, unknown> = {}, userLayer?: string): Promise<void> => {
      const project = await loadProject(userLayer === undefined ? BUNDLED_MODELS_DIR : [BUNDLED_MODELS_DIR, userLayer], h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings: { ...settings, vars: { ...settings.vars, ...vars } } });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.node}: ${r.message}`), []);
      assert.ok(results.results.some((r) => r.node.includes('slack_escalations') && r.kind === 'test'), 'the model\'s data tests ran');
    };
    const escalations = (): Promise<SqlRow[]> =>
      h.query(`SELECT call_id, status, text, reason FROM ${h.server.warehouse.dialect.tableName(analytics, 'slack_escalations')} ORDER BY call_id`);
    // Postgres keeps switchboard_sync between test runs: a fresh name per run.
    const definition: SyncDefinition = {
      name: `escalations_to_slack_${warehouse}_${runTag}`,
      model: 'slack_escalations',
      key: 'call_id',
      destination: 'slack',
      object: 'C0ALERTS',
      mapping: { text: 'text' },
      mode: 'upsert',
      schedule: 'off',
      priority: 'alert',
    };
    const sync = (destination: Destination = slack): Promise<SyncRunResult> =>
      runSync(h.server.warehouse, definition, destination, { modelsSchema: analytics, sleep: async () => undefined });
    /** The message posted for a call, found by the metadata the destination attaches. */
    const messageFor = (callId: string) => fake.messages('C0ALERTS').find((m) => m.metadata?.event_payload.key === callId);

    before(async () => {
      h = await startHarness({ warehouse });
      // One virtual clock for the fake's rate limits and the destination's pacing (1 history
      // call a minute, 1 post a second per channel): the limits hold without real waiting.
      let now = Date.now();
      const clock = { now: () => now, sleep: async (ms: number) => { now += ms; } };
      fake = await startFakeSlack({ now: clock.now });
      slack = createSlackDestination({ apiUrl: fake.url }, { SWITCHBOARD_SLACK_BOT_TOKEN: fake.token }, { clock });
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: 'SG', priority_callers: [VIP] }, lookbackSeconds: 3600 };
      await land(
        session('sess-earlier-outbound', 'OUTBOUND', OFFICE, VIP, '2025-03-04T10:00:00Z', 3, 60), // before the missed call: no callback
        session('sess-vip-missed', 'INBOUND', VIP, OFFICE, '2025-03-04T11:20:00Z', null, 30),
        session('sess-vip-answered', 'INBOUND', VIP, OFFICE, '2025-03-04T11:30:00Z', 5, 120),
        session('sess-short-missed', 'INBOUND', '+6587654321', OFFICE, '2025-03-04T11:40:00Z', null, 20),
        session('sess-long-wait', 'INBOUND', '+6598765432', OFFICE, '2025-03-04T12:00:00Z', 185, 400),
      );
    });
    after(async () => {
      await fake?.close();
      const wh = h?.server.warehouse;
      if (warehouse === 'postgres' && wh !== undefined) {
        await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(analytics)} CASCADE`);
        for (const t of ['snapshots', 'rejections', 'outcomes', 'runs']) {
          await wh.run(`DELETE FROM switchboard_sync.${t} WHERE sync_name = '${definition.name}'`).catch(() => undefined);
        }
      }
      await h?.close();
    });

    test('a missed call from a priority caller and a long wait are escalations; other calls are not', async () => {
      await rebuild();
      assert.deepEqual(await escalations(), [
        { call_id: 'sess-long-wait', status: 'open', reason: 'long_wait', text: ':hourglass_flowing_sand: +6598765432 waited 185 s for an answer at 2025-03-04 12:00 UTC' },
        { call_id: 'sess-vip-missed', status: 'open', reason: 'priority_missed', text: ':rotating_light: Missed call from +6591234567 at 2025-03-04 11:20 UTC — not called back yet' },
      ]);
      const first = await sync();
      assert.equal(first.status, 'success', JSON.stringify(first.error));
      assert.deepEqual([first.planned.create, first.sent], [2, 2]);
      assert.deepEqual(fake.messages('C0ALERTS').map((m) => m.text).sort(), [
        ':hourglass_flowing_sand: +6598765432 waited 185 s for an answer at 2025-03-04 12:00 UTC',
        ':rotating_light: Missed call from +6591234567 at 2025-03-04 11:20 UTC — not called back yet',
      ]);
      const again = await sync();
      assert.deepEqual([again.planned.create, again.planned.update, again.sent], [0, 0, 0], 'a second sync sends nothing');
      assert.equal(fake.calls('chat.postMessage'), 2);
    });

    test('when the callback lands and the models rebuild, the row says "called back" and the same message is edited', async () => {
      await land(session('sess-callback', 'OUTBOUND', OFFICE, VIP, '2025-03-04T11:45:00Z', 4, 90));
      await rebuild();
      const rows = await escalations();
      const vip = rows.find((r) => r.call_id === 'sess-vip-missed');
      assert.deepEqual(vip, {
        call_id: 'sess-vip-missed', status: 'called back', reason: 'priority_missed',
        text: ':rotating_light: Missed call from +6591234567 at 2025-03-04 11:20 UTC — :white_check_mark: called back at 2025-03-04 11:45 UTC',
      });
      assert.equal(rows.find((r) => r.call_id === 'sess-long-wait')?.status, 'open', 'no callback to that number');
      const posted = messageFor('sess-vip-missed');
      const result = await sync();
      assert.deepEqual([result.planned.update, result.sent], [1, 1], 'exactly one update');
      assert.equal(fake.messages('C0ALERTS').length, 2, 'edited, not posted again');
      assert.equal(fake.calls('chat.postMessage'), 2);
      assert.equal(fake.calls('chat.update'), 1);
      const edited = messageFor('sess-vip-missed');
      assert.equal(edited?.ts, posted?.ts, 'the same message');
      assert.match(edited?.text ?? '', /called back at 2025-03-04 11:45 UTC$/);
    });

    test('a crash between Slack\'s answer and the checkpoint: the next run edits the alert it finds instead of posting it again', async () => {
      await land(session('sess-long-wait-2', 'INBOUND', '+6587654321', OFFICE, '2025-03-04T13:00:00Z', 150, 300));
      await rebuild();
      // Posts for real, then dies before the engine can write its checkpoint.
      const crashing: Destination = {
        type: 'slack',
        batchSize: slack.batchSize,
        send: async (records, context) => {
          await slack.send(records, context);
          throw new Error('killed before the checkpoint');
        },
      };
      const crashed = await sync(crashing);
      assert.equal(crashed.status, 'failed');
      assert.equal(fake.calls('chat.postMessage'), 3, 'the alert did reach Slack');
      const replay = await sync();
      assert.equal(replay.status, 'success', JSON.stringify(replay.error));
      assert.deepEqual([replay.planned.create, replay.sent], [1, 1], 'the engine sends the create again');
      assert.equal(fake.calls('chat.postMessage'), 3, 'but nothing is posted twice');
      assert.equal(fake.messages('C0ALERTS').filter((m) => m.metadata?.event_payload.key === 'sess-long-wait-2').length, 1);
      assert.deepEqual([(await sync()).planned.create, fake.calls('chat.postMessage')], [0, 3], 'and the checkpoint now holds its reference');
    });

    test('priority_callers: an empty list makes no one a priority; a comma-separated string works like a list', async () => {
      await rebuild({ priority_callers: [] });
      assert.deepEqual((await escalations()).map((r) => r.call_id), ['sess-long-wait', 'sess-long-wait-2']);
      await rebuild({ priority_callers: '+65 9123 4567, not-a-number' });
      assert.deepEqual((await escalations()).map((r) => r.call_id), ['sess-long-wait', 'sess-long-wait-2', 'sess-vip-missed']);
      await rebuild({ long_wait_seconds: 600 });
      assert.deepEqual((await escalations()).map((r) => r.call_id), ['sess-vip-missed'], 'long_wait_seconds raises the bar');
    });

    test('the vip_callers seed of a user folder makes a priority caller, alone or beside priority_callers, without duplicating a row', async () => {
      const user = mkdtempSync(join(tmpdir(), 'switchboard-vips-'));
      try {
        mkdirSync(join(user, 'seeds'));
        writeFileSync(join(user, 'seeds', 'vip_callers.csv'), 'phone,name\n+65 9123-4567,Mei\n');
        await rebuild({ priority_callers: [] }, user);
        assert.deepEqual((await escalations()).map((r) => [r.call_id, r.reason]), [['sess-long-wait', 'long_wait'], ['sess-long-wait-2', 'long_wait'], ['sess-vip-missed', 'priority_missed']]);
        await rebuild({ priority_callers: [VIP] }, user);
        assert.deepEqual((await escalations()).map((r) => r.call_id), ['sess-long-wait', 'sess-long-wait-2', 'sess-vip-missed'], 'listed twice, one row');
      } finally {
        rmSync(user, { recursive: true, force: true });
      }
    });
  });
}
