/**
 * 8x8 documents an XML rendering of the SMS delivery receipt
 * (8x8Cloud/public-developer-docs docs/connect/docs/delivery-receipts-for-outbound-sms.md).
 * Refusing it as "not JSON" loses the receipt after 8x8's four retries (1, 10, 30, 90 s, same
 * page), so it lands: body exactly as received, dedupe key from its fields as for JSON,
 * `body_json` holding the JSON rendering models read. Verification is unchanged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMS_RECEIPT_XML } from '../../ingest/families/messaging/samples.js';
import { parseXmlEvent } from '../../ingest/xml-event.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const KEY = 'SMS:receipt:9e09ac86-bd74-5465-851d-1eb5a5fdbb9a:undelivered:rejected_by_operator:2016-01-01T00:00:00Z';
const XML = { 'content-type': 'text/xml; charset=utf-8' };

describe('XML delivery receipts', () => {
  test('the documented XML reads as the documented JSON, with text for numbers', () => {
    const event = parseXmlEvent(SMS_RECEIPT_XML) as { payload: { status: Record<string, string>; smsCount: string; price: Record<string, string> } };
    assert.equal(JSON.stringify(event).includes('"namespace":"SMS"'), true);
    assert.deepEqual({ ...event.payload.status }, {
      state: 'undelivered', detail: 'rejected_by_operator', timestamp: '2016-01-01T00:00:00Z', errorCode: '15', errorMessage: 'Invalid destination',
    });
    assert.equal(event.payload.smsCount, '3');
    assert.equal(parseXmlEvent('<root><a>x &amp; &#x41;</a><b/><c><![CDATA[<y>]]></c></root>')?.a, 'x & A');
    assert.deepEqual(JSON.parse(JSON.stringify(parseXmlEvent('<root><i>1</i><i>2</i><i>3</i></root>'))), { i: ['1', '2', '3'] });
    for (const bad of ['<root><a>1</root>', '<!DOCTYPE r [<!ENTITY x "y">]><root>&x;</root>', '<root>text<a>1</a></root>', '<root><a>&bogus;</a></root>']) {
      assert.equal(parseXmlEvent(bad), null, bad);
    }
  });

  describe('on the messaging route', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(() => h.close());

    test('an XML receipt is accepted with a dedupe key from its fields, and its retry is the same event', async () => {
      const first = await h.send('messaging', { body: SMS_RECEIPT_XML, headers: XML });
      assert.equal(first.statusCode, 200, JSON.stringify(first.json));
      assert.equal(first.json.dedupeKey, KEY);
      const retry = await h.send('messaging', { body: SMS_RECEIPT_XML, headers: XML });
      assert.equal(retry.statusCode, 200);
      assert.equal(retry.json.dedupeKey, KEY);
    });

    test('it lands once, body exactly as received, body_json its JSON rendering', async () => {
      await h.drain();
      const rows = await h.query<{ body: string; body_json: string; delivery_count: number; event_type: string; verified_by: string }>(
        `SELECT body, body_json, delivery_count, event_type, verified_by FROM ${h.raw('messaging_events')} WHERE dedupe_key = '${KEY}'`,
      );
      assert.equal(rows.length, 1);
      const row = rows[0]!;
      assert.equal(row.body, SMS_RECEIPT_XML);
      assert.equal(Number(row.delivery_count), 2);
      assert.equal(row.event_type, 'SMS.outbound_message_status_changed');
      assert.equal(row.verified_by, 'static-authorization');
      assert.equal((JSON.parse(row.body_json) as { payload: { status: { state: string } } }).payload.status.state, 'undelivered');
    });

    test('verification is unchanged: an XML receipt without credentials is refused', async () => {
      const res = await h.send('messaging', { body: SMS_RECEIPT_XML, headers: { ...XML, authorization: 'Basic d3Jvbmc=' } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_AUTH_INVALID');
    });

    test('malformed XML, or XML with a DOCTYPE, is refused as unreadable', async () => {
      for (const body of ['<root><payload></root>', '<?xml version="1.0"?><!DOCTYPE root [<!ENTITY e SYSTEM "file:///etc/passwd">]><root>&e;</root>']) {
        const res = await h.send('messaging', { body, headers: XML });
        assert.equal(res.statusCode, 400, body);
        assert.equal(res.json.error?.code, 'SB_INGEST_BODY_NOT_JSON');
      }
    });

    test('other routes still take JSON only', async () => {
      const res = await h.send('voice', { body: '<root><namespace>VOICE</namespace></root>', headers: XML });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json.error?.code, 'SB_INGEST_BODY_NOT_JSON');
    });
  });
});
