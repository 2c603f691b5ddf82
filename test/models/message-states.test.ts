/**
 * Every documented message state and detail has its place in `messages`, on DuckDB and
 * Postgres. States: docs/connect/docs/message-status-references.md (queued, rejected, sent,
 * delivered, undelivered, read; details delivered_to_operator, delivered_to_recipient,
 * rejected_by_operator, undelivered_to_recipient) and the SMS API's message schema
 * docs_oas/connect/sms_api.json (also unknown, failed, ok, error; `failed` = "rejected by the
 * api and will not be processed"). The models' accepted_values tests run in every build.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { SMS_RECEIPT_XML } from '../../ingest/families/messaging/samples.js';

/** 8x8's XML delivery receipt (docs/connect/docs/delivery-receipts-for-outbound-sms.md), and its retry. */
const XML_UMID = '9e09ac86-bd74-5465-851d-1eb5a5fdbb9a';

const receipt = (umid: string, state: string, timestamp: string, detail?: string) =>
  JSON.stringify({
    namespace: 'SMS', eventType: 'outbound_message_status_changed',
    payload: { umid, source: 'ACME', destination: '+6598765432', status: { state, timestamp, ...(detail === undefined ? {} : { detail }) }, smsCount: 1 },
  });

const RECEIPTS: string[] = [
  receipt('st-failed-only', 'failed', '2025-03-04T10:00:00Z'),
  receipt('st-failed', 'queued', '2025-03-04T10:00:00Z'),
  receipt('st-failed', 'failed', '2025-03-04T10:00:01Z'),
  receipt('st-error', 'sent', '2025-03-04T10:00:00Z'),
  receipt('st-error', 'error', '2025-03-04T10:00:02Z'),
  receipt('st-ok', 'queued', '2025-03-04T10:00:00Z'),
  receipt('st-ok', 'ok', '2025-03-04T10:00:01Z'),
  receipt('st-unknown', 'unknown', '2025-03-04T10:00:03Z'),
  receipt('st-unknown', 'sent', '2025-03-04T10:00:01Z'),
  receipt('st-unknown-only', 'unknown', '2025-03-04T10:00:00Z'),
  receipt('st-rejected', 'queued', '2025-03-04T10:00:00Z'),
  receipt('st-rejected', 'rejected', '2025-03-04T10:00:01Z'),
  // The recipient's receipt arrives first; the operator's, later, must not demote it.
  receipt('st-delivered', 'delivered', '2025-03-04T10:00:05Z', 'delivered_to_recipient'),
  receipt('st-delivered', 'delivered', '2025-03-04T10:00:02Z', 'delivered_to_operator'),
  receipt('st-operator', 'delivered', '2025-03-04T10:00:02Z', 'delivered_to_operator'),
  receipt('st-undelivered', 'undelivered', '2025-03-04T10:00:04Z', 'rejected_by_operator'),
  receipt('st-target', 'undelivered', '2025-03-04T10:00:04Z', 'undelivered_to_recipient'),
];

const EXPECTED: Record<string, [string, string | null]> = {
  'st-failed-only': ['failed', null],
  'st-failed': ['failed', null],
  'st-error': ['error', null],
  'st-ok': ['ok', null],
  'st-unknown': ['sent', null],
  'st-unknown-only': ['unknown', null],
  'st-rejected': ['rejected', null],
  'st-delivered': ['delivered', 'delivered_to_recipient'],
  'st-operator': ['delivered', 'delivered_to_operator'],
  'st-undelivered': ['undelivered', 'rejected_by_operator'],
  'st-target': ['undelivered', 'undelivered_to_recipient'],
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`message states on ${warehouse}`, () => {
    let h: Harness;
    let settings: ProjectSettings;
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';

    before(async () => {
      h = await startHarness({ warehouse });
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: '' }, lookbackSeconds: 3600 };
      for (const body of RECEIPTS) {
        const response = await h.send('messaging', { body });
        assert.equal(response.statusCode, 200, JSON.stringify(response.json));
      }
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await h.send('messaging', { body: SMS_RECEIPT_XML, headers: { 'content-type': 'text/xml' } });
        assert.equal(response.statusCode, 200, JSON.stringify(response.json));
      }
      await h.drain();
    });
    after(async () => {
      if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.quoteIdent(analytics)} CASCADE`);
      await h.close();
    });

    test('every documented state and detail reaches messages, and the accepted_values tests pass', async () => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings });
      const failures = results.results.filter((r) => r.status !== 'success' && r.status !== 'pass');
      assert.deepEqual(failures, [], 'every model builds and every data test passes');
      const tested = results.results.filter((r) => r.kind === 'test').map((r) => r.node).join(' ');
      assert.match(tested, /accepted_values_messages_status_detail/);

      const table = h.server.warehouse.dialect.tableName(analytics, 'messages');
      const rows = await h.query<{ message_id: string; status: string; status_detail: string | null }>(
        `SELECT message_id, status, status_detail FROM ${table} WHERE message_id LIKE 'st-%' ORDER BY message_id`,
      );
      const actual = Object.fromEntries(rows.map((r) => [r.message_id, [r.status, r.status_detail ?? null]]));
      assert.deepEqual(actual, EXPECTED);
    });

    test('an XML delivery receipt and its retry are one staged event and show their state in messages', async () => {
      const staged = await h.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${h.server.warehouse.dialect.tableName(analytics, 'stg_message_events')} WHERE message_id = '${XML_UMID}'`,
      );
      assert.equal(Number(staged[0]?.n), 1);
      const table = h.server.warehouse.dialect.tableName(analytics, 'messages');
      const rows = await h.query<{ status: string; status_detail: string; error_code: string; segments: number; price_total: number; to_e164: string; sender_id: string }>(
        `SELECT status, status_detail, error_code, segments, price_total, to_e164, sender_id FROM ${table} WHERE message_id = '${XML_UMID}'`,
      );
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.deepEqual(
        { ...row, segments: Number(row.segments), price_total: Number(row.price_total) },
        { status: 'undelivered', status_detail: 'rejected_by_operator', error_code: '15', segments: 3, price_total: 0.0375, to_e164: '+12025550293', sender_id: '8x8' },
      );
    });
  });
}
