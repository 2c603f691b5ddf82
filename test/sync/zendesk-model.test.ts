/**
 * models/sync/zendesk_missed_call_tickets.sql: built with the bundled models on real DuckDB
 * from voice events landed through the webhook route, it holds one row per missed call,
 * voicemail or abandoned call from a priority caller (models.vars.priority_callers), and
 * none without a list. Its rows, mapped as a sync would, make tickets in the local Zendesk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { loadProject } from '../../sql/models/project.js';
import { compileModel } from '../../sql/models/compile.js';
import { build, type ProjectSettings } from '../../sql/models/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/models/from-config.js';
import { dialectFor, type DialectName } from '../../sql/warehouses/index.js';
import type { ChangeRecord } from '../../sync/destination.js';
import { createZendeskDestination, ZENDESK_TOKEN_ENV } from '../../sync/destinations/zendesk/index.js';
import { startFakeZendesk } from '../servers/zendesk.js';

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

  const buildWith = async (vars: Record<string, unknown>) => {
    const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
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
    for (const body of EVENTS) {
      const response = await h.send('voice', { body });
      assert.equal(response.statusCode, 200, JSON.stringify(response.json));
    }
    await h.drain();
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

  test('a comma-separated string works as the list too', async () => {
    const rows = await buildWith({ priority_callers: '+6591234567' });
    assert.deepEqual(rows.map((r) => r.call_id), ['zd-missed']);
  });

  test('its rows, mapped as a sync maps them, become tickets in Zendesk', async () => {
    const rows = await buildWith({ priority_callers: ['+6591234567', '+12015550199'] });
    const zendesk = await startFakeZendesk();
    try {
      const destination = createZendeskDestination({ url: zendesk.url, email: zendesk.email }, { [ZENDESK_TOKEN_ENV]: zendesk.token }, { jobPolling: { intervalMs: 1, maxIntervalMs: 4 } });
      const records: ChangeRecord[] = rows.map((row) => ({
        key: String(row.call_id),
        action: 'create',
        fields: { subject: row.subject as string, comment_body: row.comment_body as string, priority: row.priority as string, tags: row.tags as string },
        externalRef: null,
        idempotencyKey: `missed_calls_to_zendesk:${String(row.call_id)}:1`,
      }));
      const outcomes = await destination.send(records, { sync: 'missed_calls_to_zendesk', object: 'tickets', signal: new AbortController().signal });
      assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent', 'sent']);
      const voicemail = zendesk.byExternalId('zd-voicemail')[0];
      assert.equal(voicemail?.priority, 'urgent');
      assert.equal(voicemail?.subject, 'Voicemail from +12015550199');
      assert.ok(voicemail?.tags.includes('call_voicemail'));
    } finally {
      await zendesk.close();
    }
  });

  test('on every warehouse the E.164 entries become quoted literals, and nothing else gets into the SQL', async () => {
    const project = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));
    const model = project.models.get(MODEL);
    assert.ok(model !== undefined);
    for (const name of ['duckdb', 'postgres', 'bigquery', 'snowflake'] as DialectName[]) {
      const compile = (vars: Record<string, unknown>) => compileModel(project, model, { targetSchema: 'analytics', sources: { raw: 'raw' }, vars, dialect: dialectFor(name) });
      const sql = compile({ priority_callers: ['+65 9123 4567', "+1'); DROP TABLE calls; --", '(201) 555'] });
      assert.ok(sql.includes(`in ('+6591234567')`), `${name}: ${sql}`);
      assert.ok(!sql.includes('DROP'), name);
      assert.ok(compile({}).includes('where 1 = 0'), `${name}: an empty list selects nothing`);
    }
  });
});
