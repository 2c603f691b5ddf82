/**
 * JaaS retries "with an exponential back off", count undocumented
 * (8x8Cloud/public-developer-docs docs/jaas/docs/webhooks-overview.md; 8x8.md §5.3), and the
 * docs do not say whether a retry is signed with a new t=. A retry that reuses the original t
 * ages past families.meetings.toleranceSeconds. So every JaaS delivery, accepted or refused,
 * keeps its signature's age (arrival − t), a histogram counts them, and an expired one is
 * refused with SB_INGEST_SIGNATURE_EXPIRED saying how old it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';

const AGE = 'x-switchboard-signature-age-seconds';

describe('JaaS signature age', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const body = (key: string) =>
    JSON.stringify({
      idempotencyKey: key, customerId: 'c0ffee', appId: 'vpaas-magic-cookie-c0ffee', eventType: 'PARTICIPANT_JOINED',
      sessionId: 's-1', timestamp: 1741091405512, fqn: 'vpaas-magic-cookie-c0ffee/room', data: { id: 'u-1', participantId: 'p-1' },
    });

  test('a retry that reuses its original t= past the tolerance is refused as expired, with its age', async () => {
    const first = await h.send('meetings', { body: body('k-retry'), now: new Date(Date.now() - 20_000) });
    assert.equal(first.statusCode, 200);
    const late = await h.send('meetings', { body: body('k-late'), now: new Date(Date.now() - 400_000) });
    assert.equal(late.statusCode, 401);
    assert.equal(late.json.error?.code, 'SB_INGEST_SIGNATURE_EXPIRED');
    assert.match(late.json.error?.message ?? '', /valid but \d+ s old/);
    assert.match(late.json.error?.message ?? '', /families\.meetings\.toleranceSeconds/);
  });

  test('the raw row and the rejection both keep the signature age', async () => {
    await h.drain();
    const events = await h.query<{ dedupe_key: string; headers: string }>(`SELECT dedupe_key, headers FROM ${h.raw('meetings_events')}`);
    const accepted = events.find((r) => r.dedupe_key === 'jaas:k-retry');
    assert.ok(accepted !== undefined);
    const acceptedAge = Number(headersOf(accepted.headers)[AGE]);
    assert.ok(acceptedAge >= 19 && acceptedAge <= 300, `accepted age ${acceptedAge}`);

    const rejections = await h.query<{ error_code: string; headers: string }>(
      `SELECT error_code, headers FROM ${h.raw('rejections')} WHERE family = 'meetings'`,
    );
    const expired = rejections.find((r) => r.error_code === 'SB_INGEST_SIGNATURE_EXPIRED');
    assert.ok(expired !== undefined, JSON.stringify(rejections));
    assert.ok(Number(headersOf(expired.headers)[AGE]) >= 400);
  });

  test('a histogram counts signature ages by outcome', async () => {
    const res = await h.admin({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /switchboard_webhook_signature_age_seconds_count\{family="meetings",outcome="verified"\} [1-9]/);
    assert.match(res.body, /switchboard_webhook_signature_age_seconds_count\{family="meetings",outcome="expired"\} [1-9]/);
  });
});

function headersOf(value: string | object): Record<string, string> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, string>;
}
