import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IpAllowlist } from '../../ingest/auth/ip-allowlist.js';
import { meetingsFamily, signJaas } from '../../ingest/families/meetings/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { Replayer } from '../../ingest/replay.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const OLD = 'whsec_old_secret';
const NEW = 'whsec_rotated_secret';

describe('replaying rejections', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: OLD, SWITCHBOARD_MESSAGING_AUTHORIZATION: 'Bearer right' },
      config: { server: { bodyLimitBytes: 4096 } },
    });
  });
  after(() => h.close());

  const adminGet = async (url: string) => (await h.admin({ method: 'GET', url })).json() as { rejections: Array<Record<string, unknown>> };
  const adminReplay = async (body: object) =>
    (await h.admin({ method: 'POST', url: '/rejections/replay', payload: body })).json() as {
      outcomes: Array<{ rejectionId: string; outcome: string; code?: string; message?: string; dedupeKey?: string }>;
    };

  test('a request signed with a rotated secret lands on replay once the new secret is configured', async () => {
    const t = Math.floor(Date.now() / 1000);
    const body = MEETINGS_SAMPLES['recording-uploaded'];
    const res = await h.send('meetings', { sample: 'recording-uploaded', headers: { 'x-jaas-signature': signJaas(NEW, t, body) } });
    assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_INVALID');
    await h.drain();

    // The same request replayed under the old config is refused again, and stays replayable.
    const before = await adminReplay({ family: 'meetings' });
    assert.deepEqual(before.outcomes.map((o) => [o.outcome, o.code]), [['rejected', 'SB_INGEST_SIGNATURE_INVALID']]);

    // The operator configures the rotated secret (here: a replayer built with it).
    const rotated = new Replayer(
      [{ family: meetingsFamily({ secrets: [OLD, NEW], toleranceSeconds: 300, authorization: null }), allowlist: new IpAllowlist(['any'], 'x') }],
      h.server.landing,
      h.server.warehouse,
      'raw',
    );
    const dry = await rotated.replay({ family: 'meetings' }, { dryRun: true });
    assert.equal(dry[0]?.outcome, 'landed');
    await h.drain();
    assert.equal((await h.query(`SELECT * FROM ${h.raw('meetings_events')}`)).length, 0, 'a dry run lands nothing');

    const outcomes = await rotated.replay({ family: 'meetings' });
    assert.deepEqual(outcomes.map((o) => [o.outcome, o.dedupeKey]), [['landed', 'jaas:2b7c1e4a-9d3f-4b6e-8a21-5c0d9e7f3a14']]);
    await h.drain();
    const rows = await h.query<{ body: string; verified_by: string }>(`SELECT body, verified_by FROM ${h.raw('meetings_events')}`);
    assert.deepEqual(rows, [{ body, verified_by: 'replay:hmac-sha256' }]);
    const marked = await h.query<{ replayed_as: string }>(`SELECT replayed_as FROM ${h.raw('rejections')} WHERE replayed_at IS NOT NULL`);
    assert.deepEqual(marked, [{ replayed_as: 'jaas:2b7c1e4a-9d3f-4b6e-8a21-5c0d9e7f3a14' }]);
    assert.equal((await rotated.replay({ family: 'meetings' })).length, 0, 'a replayed rejection is not selected again');
  });

  test('header-authenticated rejections land only with trust, and say why', async () => {
    assert.equal((await h.send('messaging', { headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
    await h.drain();
    const plain = await adminReplay({ family: 'messaging', code: 'SB_INGEST_AUTH_INVALID' });
    assert.equal(plain.outcomes[0]?.outcome, 'rejected');
    assert.match(plain.outcomes[0]?.message ?? '', /--trust/);
    const trusted = await adminReplay({ family: 'messaging', code: 'SB_INGEST_AUTH_INVALID', trust: true });
    assert.equal(trusted.outcomes[0]?.outcome, 'landed');
    await h.drain();
    const rows = await h.query<{ verified_by: string }>(`SELECT verified_by FROM ${h.raw('messaging_events')}`);
    assert.deepEqual(rows, [{ verified_by: 'replay:operator' }]);
  });

  test('a body that is not JSON, and a body never read, are skipped: neither can ever land', async () => {
    await h.send('meetings', { body: 'not json' });
    await h.send('meetings', { body: JSON.stringify({ pad: 'x'.repeat(8000) }) });
    await h.drain();
    const { outcomes } = await adminReplay({ family: 'meetings', trust: true });
    assert.deepEqual(outcomes.map((o) => `${o.outcome} ${o.code ?? '(no code)'}`).sort(), ['skipped (no code)', 'skipped SB_INGEST_BODY_NOT_JSON']);
    assert.match(outcomes.find((o) => o.code === 'SB_INGEST_BODY_NOT_JSON')?.message ?? '', /A replay cannot land it either/);
    assert.match(outcomes.find((o) => o.code === undefined)?.message ?? '', /cannot be replayed/);
  });

  test('a voice CALL_ACTION is skipped for what it is (call actions never land), not refused for credentials', async () => {
    assert.equal((await h.send('voice', { sample: 'call-action' })).statusCode, 422);
    await h.drain();
    for (const trust of [false, true]) {
      const { outcomes } = await adminReplay({ family: 'voice', code: 'SB_INGEST_VOICE_CALL_ACTION', trust });
      assert.deepEqual(outcomes.map((o) => [o.outcome, o.code]), [['skipped', 'SB_INGEST_VOICE_CALL_ACTION']], `trust: ${trust}`);
      assert.match(outcomes[0]?.message ?? '', /CALL_ACTION \(VCA\).*callflow.*A replay cannot land it either: the event itself is refused, whatever the config or --trust/s);
      assert.doesNotMatch(outcomes[0]?.message ?? '', /AUTH|credentials/i);
    }
    assert.equal((await h.query(`SELECT * FROM ${h.raw('voice_events')}`)).length, 0);
  });

  test('the operator API lists rejections with filters, and validates its input', async () => {
    const all = await adminGet('/rejections?includeReplayed=true');
    assert.ok(all.rejections.length >= 4);
    const replayed = all.rejections.filter((r) => r.replayed_at !== null);
    assert.equal(replayed.length, 2);
    const bad = await h.admin({ method: 'GET', url: '/rejections?family=fax' });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'SB_ADMIN_BAD_REQUEST');
  });
});
