/**
 * models/outbound/zendesk_missed_call_tickets.sql: built with the bundled models on real DuckDB
 * from voice events landed through the webhook route, it holds one row per missed call,
 * voicemail or abandoned call from a priority caller (the vip_callers seed, and
 * models.vars.priority_callers), and none without either. Then, through the sync engine and the Zendesk destination against
 * the local Zendesk: the first sync makes the tickets, a second sends nothing, a change to
 * one call updates its ticket once, and a crash before the checkpoint makes no duplicate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { loadProject } from '../../sql/engine/project.js';
import { compileModel } from '../../sql/engine/compile.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { dialectFor, type DialectName } from '../../sql/warehouses/index.js';
import type { Destination } from '../../sync/destination.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import { createZendeskDestination, ZENDESK_TOKEN_ENV } from '../../sync/destinations/zendesk/index.js';
import { startFakeZendesk, type FakeZendesk } from '../../fakes/zendesk/index.js';

const MODEL = 'zendesk_missed_call_tickets';

/** A voice session summary with one inbound leg from `from` to the company's number. */
function session(id: string, status: string, from: string, start: string, end: string, answered?: string): string {
  return JSON.stringify({
    namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
    payload: {
      sessionId: id, sessionStatus: status, startTime: start, endTime: end,
      details: {
        callA: {
          callId: `${id}-a`, callDirection: 'INBOUND', callType: 'PSTN', source: from, destination: '+6568001234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
          callStatus: status, initiatedTimestamp: start, disconnectedTimestamp: end, ...(answered === undefined ? {} : { connectedTimestamp: answered }),
        },
      },
    },
  });
}

/** A voice CALL_STATUS event of the call `zd-late` (8x8.md: VCS, deduplicated by eventId). */
function status(eventId: string, callStatus: string, timestamp: string): string {
  return JSON.stringify({
    namespace: 'VOICE', eventType: 'CALL_STATUS',
    payload: {
      eventId, callId: 'zd-late-a', sessionId: 'zd-late', callStatus, callDirection: 'INBOUND', callType: 'PSTN',
      source: '+6591234567', destination: '+6568001234', callDuration: 0, timestamp,
    },
  });
}

const EVENTS = [
  session('zd-missed', 'NO_ANSWER', '+6591234567', '2025-03-04T17:00:00Z', '2025-03-04T17:00:30Z'),
  session('zd-answered', 'COMPLETED', '+6591234567', '2025-03-04T18:00:00Z', '2025-03-04T18:05:00Z', '2025-03-04T18:00:04Z'),
  session('zd-stranger', 'NO_ANSWER', '+6598765432', '2025-03-04T19:00:00Z', '2025-03-04T19:00:20Z'),
  session('zd-voicemail', 'VOICEMAIL', '+12015550199', '2025-03-04T20:00:00Z', '2025-03-04T20:01:05Z'),
  session('zd-abandoned', 'CANCELED', '+12015550199', '2025-03-04T21:00:00Z', '2025-03-04T21:00:09Z'),
];

describe('zendesk_missed_call_tickets', () => {
  let h: Harness;
  let base: ProjectSettings;

  const land = async (...bodies: string[]) => {
    for (const body of bodies) {
      const response = await h.send('voice', { body });
      assert.equal(response.statusCode, 200, JSON.stringify(response.json));
    }
    await h.drain();
  };
  const buildWith = async (vars: Record<string, unknown>, userLayer?: string) => {
    const project = await loadProject(userLayer === undefined ? BUNDLED_MODELS_DIR : [BUNDLED_MODELS_DIR, userLayer], h.server.warehouse.dialect);
    const results = await build(h.server.warehouse, project, { settings: { ...base, vars: { ...base.vars, ...vars } } });
    const failures = results.results.filter((r) => r.status !== 'success' && r.status !== 'pass');
    assert.deepEqual(failures.map((r) => `${r.node}: ${r.message}`), [], 'every model builds and every data test passes');
    assert.ok(results.results.some((r) => r.node === `model.${MODEL}` && r.status === 'success'));
    assert.ok(results.results.some((r) => r.kind === 'test' && r.node.includes(MODEL)), 'its data tests ran');
    return h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName('analytics', MODEL)} ORDER BY call_id`);
  };

  before(async () => {
    h = await startHarness({ warehouse: 'duckdb' });
    base = { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { default_region: '' }, lookbackSeconds: 3600 };
    await land(...EVENTS);
  });
  after(async () => {
    await h.close();
  });

  test('without priority callers the view builds and holds no rows', async () => {
    assert.deepEqual(await buildWith({}), []);
    assert.deepEqual(await buildWith({ priority_callers: [] }), []);
  });

  test('one row per missed, voicemail or abandoned call from a priority caller, ready to map', async () => {
    const rows = await buildWith({ priority_callers: ['+65 9123-4567', '+12015550199'] });
    assert.deepEqual(rows, [
      {
        call_id: 'zd-abandoned',
        subject: 'Missed call from +12015550199',
        comment_body: 'Missed call from +12015550199 to +6568001234 at 2025-03-04 21:00:00 UTC. Rang for 00:00:09. Outcome: abandoned.',
        priority: 'high',
        requester_phone: '+12015550199',
        tags: 'switchboard,priority_caller,call_abandoned',
      },
      {
        call_id: 'zd-missed',
        subject: 'Missed call from +6591234567',
        comment_body: 'Missed call from +6591234567 to +6568001234 at 2025-03-04 17:00:00 UTC. Rang for 00:00:30. Outcome: missed.',
        priority: 'high',
        requester_phone: '+6591234567',
        tags: 'switchboard,priority_caller,call_missed',
      },
      {
        call_id: 'zd-voicemail',
        subject: 'Voicemail from +12015550199',
        comment_body: 'Voicemail from +12015550199 to +6568001234 at 2025-03-04 20:00:00 UTC. Rang for 00:01:05. Outcome: voicemail.',
        priority: 'urgent',
        requester_phone: '+12015550199',
        tags: 'switchboard,priority_caller,call_voicemail',
      },
    ]);
  });

  test('a comma-separated string works as the list too, and entries that are not E.164 are left out', async () => {
    const rows = await buildWith({ priority_callers: ' +6591234567, not-a-number' });
    assert.deepEqual(rows.map((r) => r.call_id), ['zd-missed']);
  });

  test('on every warehouse the E.164 entries become quoted literals beside the vip_callers seed, and nothing else gets into the SQL', async () => {
    const project = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));
    const model = project.models.get(MODEL);
    assert.ok(model !== undefined);
    assert.deepEqual(model.refs, ['calls', 'vip_callers']);
    for (const name of ['duckdb', 'postgres', 'bigquery', 'snowflake'] as DialectName[]) {
      const dialect = dialectFor(name);
      const compile = (vars: Record<string, unknown>) => compileModel(project, model, { targetSchema: 'analytics', sources: { raw: 'raw' }, vars, dialect });
      const sql = compile({ priority_callers: ['+65 9123 4567', "+1'); DROP TABLE calls; --", '(201) 555'] });
      assert.ok(sql.includes(`from ${dialect.tableName('analytics', 'vip_callers')} as v union all select '+6591234567') as p`), `${name}: ${sql}`);
      assert.ok(!sql.includes('DROP'), name);
      assert.ok(!compile({}).includes('union all select'), `${name}: an empty list adds nothing to the seed`);
    }
  });

  test('the vip_callers seed of a user folder and models.vars.priority_callers both count: tickets for the numbers of either', async () => {
    const user = mkdtempSync(join(tmpdir(), 'switchboard-vips-'));
    try {
      mkdirSync(join(user, 'seeds'));
      writeFileSync(join(user, 'seeds', 'vip_callers.csv'), 'phone,name\r\n+1 (201) 555-0199,"Doe, Jane"\r\n+6500000000,Nobody who called\r\n');
      const fromSeed = await buildWith({}, user);
      assert.deepEqual(fromSeed.map((r) => r.call_id), ['zd-abandoned', 'zd-voicemail'], 'the seed alone (spaces, brackets and dashes ignored)');
      const both = await buildWith({ priority_callers: ['+6591234567'] }, user);
      assert.deepEqual(both.map((r) => r.call_id), ['zd-abandoned', 'zd-missed', 'zd-voicemail'], 'the seed and the var together');
      const vips = await h.query(`SELECT phone, name FROM ${h.server.warehouse.dialect.tableName('analytics', 'vip_callers')} ORDER BY phone`);
      assert.deepEqual(vips, [{ phone: '+1 (201) 555-0199', name: 'Doe, Jane' }, { phone: '+6500000000', name: 'Nobody who called' }]);
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
    assert.deepEqual(await buildWith({}), [], 'the bundled seed is empty: no one is a priority');
  });
  describe('synced to Zendesk by the engine', () => {
    let zendesk: FakeZendesk;
    let destination: Destination;
    const definition: SyncDefinition = {
      name: 'missed_calls_to_zendesk',
      model: MODEL,
      key: 'call_id',
      destination: 'zendesk',
      object: 'tickets',
      mapping: { subject: 'subject', comment_body: 'comment_body', priority: 'priority', tags: 'tags' },
      mode: 'upsert',
      schedule: 'off',
      priority: 'bulk',
    };
    const sync = (through: Destination = destination) => runSync(h.server.warehouse, definition, through, { modelsSchema: 'analytics', sleep: async () => undefined });
    const VIPS = ['+6591234567', '+12015550199'];

    before(async () => {
      zendesk = await startFakeZendesk();
      destination = createZendeskDestination({ url: zendesk.url, email: zendesk.email }, { [ZENDESK_TOKEN_ENV]: zendesk.token }, { jobPolling: { intervalMs: 1, maxIntervalMs: 4 } });
    });
    after(async () => {
      await zendesk.close();
    });

    test('the first sync makes a ticket per row; a second sync sends nothing', async () => {
      await buildWith({ priority_callers: VIPS });
      const first = await sync();
      assert.equal(first.status, 'success', JSON.stringify(first.error));
      assert.deepEqual([first.planned.create, first.sent], [3, 3]);
      assert.equal(zendesk.count('POST', '/api/v2/tickets/create_many'), 1);
      const voicemail = zendesk.byExternalId('zd-voicemail');
      assert.equal(voicemail.length, 1);
      assert.deepEqual([voicemail[0]?.subject, voicemail[0]?.priority], ['Voicemail from +12015550199', 'urgent']);
      const writes = zendesk.requests.length;
      const again = await sync();
      assert.deepEqual([again.planned.create, again.planned.update, again.sent], [0, 0, 0]);
      assert.equal(zendesk.requests.length, writes, 'not even a look-up');
    });

    test('a change to one call sends exactly one update, to the same ticket', async () => {
      // Status events first: a missed call. Then its summary says the caller left a voicemail.
      await land(status('zd-late-1', 'CALL_INITIATED', '2025-03-04T22:00:00Z'), status('zd-late-2', 'CALL_DISCONNECTED', '2025-03-04T22:00:40Z'));
      await buildWith({ priority_callers: VIPS });
      const missed = await sync();
      assert.deepEqual([missed.planned.create, missed.planned.update, missed.sent], [1, 0, 1]);
      const before = zendesk.byExternalId('zd-late');
      assert.deepEqual(before.map((t) => [t.subject, t.priority]), [['Missed call from +6591234567', 'high']]);

      await land(session('zd-late', 'VOICEMAIL', '+6591234567', '2025-03-04T22:00:00Z', '2025-03-04T22:00:40Z'));
      await buildWith({ priority_callers: VIPS });
      const result = await sync();
      assert.deepEqual([result.planned.create, result.planned.update, result.sent], [0, 1, 1]);
      const after = zendesk.byExternalId('zd-late');
      assert.equal(after.length, 1, 'the same ticket');
      assert.deepEqual([after[0]?.id, after[0]?.subject, after[0]?.priority], [before[0]?.id, 'Voicemail from +6591234567', 'urgent']);
      assert.match(after[0]?.comments.at(-1)?.body ?? '', /^Voicemail from \+6591234567 .* Outcome: voicemail\.$/);
      assert.equal(zendesk.tickets.size, 4);
    });

    test('a crash between Zendesk\'s answer and the checkpoint: the next run finds the ticket and makes no other', async () => {
      await buildWith({ priority_callers: [...VIPS, '+6598765432'] });
      const crashing: Destination = {
        type: 'zendesk',
        batchSize: destination.batchSize,
        send: async (records, context) => {
          await destination.send(records, context);
          throw new Error('killed before the checkpoint');
        },
      };
      const crashed = await sync(crashing);
      assert.equal(crashed.status, 'failed');
      assert.equal(zendesk.byExternalId('zd-stranger').length, 1, 'the ticket was made');
      const posts = zendesk.count('POST', '/api/v2/tickets');
      const replay = await sync();
      assert.equal(replay.status, 'success', JSON.stringify(replay.error));
      assert.deepEqual([replay.planned.create, replay.sent], [1, 1], 'the engine sends the create again');
      assert.equal(zendesk.count('POST', '/api/v2/tickets'), posts, 'nothing is created twice');
      assert.equal(zendesk.byExternalId('zd-stranger').length, 1);
      assert.equal((await sync()).planned.create, 0, 'and the checkpoint now holds it');
      assert.equal(zendesk.tickets.size, 5);
    });
  });
});
