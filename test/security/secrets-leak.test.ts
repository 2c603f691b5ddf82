/**
 * Finding B: no configured secret, issued OAuth token or Contact Center signature may be
 * found anywhere Switchboard writes: the raw tables (events and rejections), the logs,
 * /metrics and /readyz. Before, a voice secret under a custom header name
 * (families.voice.auth.header: X-Voice-Token) was stored in clear in raw.rejections, and
 * x-8x8-signature was stored verbatim.
 *
 * Every family gets its own distinct secret; each sends accepted and refused deliveries
 * (right and wrong credentials, right credentials with a bad body, a secret in the wrong
 * header or on the wrong route), on DuckDB and on Postgres, in both messaging auth modes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { signDetached, signedPayload } from '../../ingest/families/contact-center/signature.js';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';
import { captureLogger, type LogLine } from '../helpers/logs.js';

/** The operator API's headers (add the bearer token here once the admin API requires one). */

const SECRETS = {
  SWITCHBOARD_MESSAGING_AUTHORIZATION: 'Bearer leak-messaging-static-7f3a9c',
  SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET: 'leak-oauth-client-secret-91bd2e',
  SWITCHBOARD_VOICE_AUTH_HEADER: 'leak-voice-token-c0ffee11',
  SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_leakmeetingssecret42424242',
  SWITCHBOARD_MEETINGS_AUTHORIZATION: 'Bearer leak-meetings-authz-5e5e5e',
};
const CLIENT_ID = 'leak-client';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  for (const messagingMode of ['static', 'oauth'] as const) {
    describe(`no secret leaks (${warehouse}, messaging ${messagingMode})`, () => {
      let h: Harness;
      let jwks: JwkServer;
      let lines: LogLine[];
      /** Everything that must never be found: secrets, tokens issued, signatures sent. */
      const needles = new Set<string>(Object.values(SECRETS));

      before(async () => {
        jwks = await startJwkServer();
        const captured = captureLogger('trace');
        lines = captured.lines;
        h = await startHarness({
          warehouse,
          env: SECRETS,
          logger: captured.logger,
          config: {
            families: {
              messaging: { auth: { mode: messagingMode, clientId: CLIENT_ID } },
              voice: { auth: { mode: 'header', header: 'X-Voice-Token' } },
              contactCenter: { jwkUrls: [jwks.urlTemplate] },
            },
          },
        });
      });
      after(async () => {
        await h.close();
        await jwks.close();
      });

      const post = async (url: string, headers: Record<string, string>, payload: string) =>
        (await h.server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload, remoteAddress: '127.0.0.1' })).statusCode;

      test('accepted and refused deliveries for every family', async () => {
        // Messaging.
        let bearer = SECRETS.SWITCHBOARD_MESSAGING_AUTHORIZATION;
        if (messagingMode === 'oauth') {
          const form = (secret: string) => `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${secret}`;
          const token = async (headers: Record<string, string>, payload: string) =>
            h.server.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload, remoteAddress: '127.0.0.1' });
          const viaForm = await token({}, form(SECRETS.SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET));
          const viaBasic = await token(
            { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${SECRETS.SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET}`).toString('base64')}` },
            'grant_type=client_credentials',
          );
          assert.equal((await token({}, form('wrong-secret'))).statusCode, 401);
          const issued = [viaForm, viaBasic].map((r) => (r.json() as { access_token: string }).access_token);
          for (const t of issued) needles.add(t);
          bearer = `Bearer ${issued[0] ?? ''}`;
          assert.equal((await h.send('messaging', { bearerToken: issued[1] })).statusCode, 200);
        } else {
          assert.equal((await h.send('messaging')).statusCode, 200);
        }
        const messaging = '/webhooks/8x8/messaging';
        assert.equal(await post(messaging, { authorization: 'Bearer wrong' }, '{}'), 401);
        assert.equal(await post(messaging, { authorization: bearer }, 'not json'), 400); // verified, then refused
        // A secret in a header nobody declared, and a secret on another family's route.
        assert.equal(await post(messaging, { authorization: bearer, 'x-debug': SECRETS.SWITCHBOARD_VOICE_AUTH_HEADER }, 'not json'), 400);
        assert.equal(await post('/webhooks/8x8/voice', { authorization: bearer }, '{}'), 401);

        // Voice, with a custom header name.
        assert.equal((await h.send('voice')).statusCode, 200);
        const voice = '/webhooks/8x8/voice';
        assert.equal(await post(voice, { 'x-voice-token': 'wrong-voice-token' }, '{}'), 401);
        assert.equal(await post(voice, { 'x-voice-token': SECRETS.SWITCHBOARD_VOICE_AUTH_HEADER }, 'not json'), 400);
        assert.equal(await post(voice, { 'X-Voice-Token': SECRETS.SWITCHBOARD_VOICE_AUTH_HEADER, 'x-8x8-signature': 'x' }, '[1]'), 400);
        assert.equal(await post('/webhooks/8x8/meetings', { 'x-voice-token': SECRETS.SWITCHBOARD_VOICE_AUTH_HEADER }, '{}'), 401);

        // Meetings: the webhook secret and the Authorization value.
        assert.equal((await h.send('meetings')).statusCode, 200);
        const meetings = '/webhooks/8x8/meetings';
        assert.equal((await h.send('meetings', { headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
        assert.equal((await h.send('meetings', { headers: { 'x-jaas-signature': 't=1,v1=AAAA' } })).statusCode, 401);
        assert.equal(await post(meetings, { authorization: SECRETS.SWITCHBOARD_MEETINGS_AUTHORIZATION, 'x-leak': SECRETS.SWITCHBOARD_MEETINGS_WEBHOOK_SECRET }, '{}'), 401);

        // Contact Center: signatures are single-use proofs; none may be found either.
        const key = await jwks.addKey('leak-key');
        const ccSend = async (body: string, sent: string) => {
          const headers: Record<string, string> = {
            'x-8x8-customer-id': 'acme', 'x-8x8-tenant-id': 'acme', 'x-8x8-event-id': `evt-${Math.random().toString(36).slice(2)}`,
            'x-8x8-retry': '0', 'x-8x8-transmission-time': String(Date.now()),
          };
          headers['x-8x8-signature'] = await signDetached(signedPayload(Buffer.from(body), headers), key.privateKey, key.kid);
          needles.add(headers['x-8x8-signature']);
          needles.add(headers['x-8x8-signature'].split('.')[2] ?? '');
          return post('/webhooks/8x8/contact-center', headers, sent);
        };
        const body = CONTACT_CENTER_SAMPLES['chat-message'];
        assert.equal(await ccSend(body, body), 200);
        assert.equal(await ccSend(body, `${body} `), 401);
        assert.equal(await ccSend('not json', 'not json'), 400);

        await h.drain();
      });

      test('no raw table, no rejection, no log line, /metrics, /readyz or /status holds any of them, nor the operator token', async () => {
        const schema = h.raw('x').split('.')[0]?.replaceAll('"', '') ?? 'raw';
        const tables = await h.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`,
        );
        assert.ok(tables.some((t) => t.table_name === 'rejections'));
        const places: Array<[string, string]> = [];
        for (const { table_name: table } of tables) {
          const rows = await h.query(`SELECT * FROM ${h.raw(table)}`);
          places.push([`${schema}.${table}`, JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))]);
        }
        const rejections = places.find(([name]) => name.endsWith('.rejections'))?.[1] ?? '';
        assert.match(rejections, /x-voice-token/, 'the voice rejections were recorded (with the header redacted)');
        assert.ok(lines.some((l) => l.level >= 40), 'refusals were logged (so the log search is not vacuous)');
        places.push(['logs', JSON.stringify(lines)]);
        places.push(['/metrics', (await h.admin({ method: 'GET', url: '/metrics' })).body]);
        places.push(['/status', (await h.admin({ method: 'GET', url: '/status' })).body]);
        places.push(['/readyz', (await h.server.app.inject({ method: 'GET', url: '/readyz' })).body]);

        const found: string[] = [];
        // The operator API's token too: every request above was made with it, and audited.
        for (const needle of [...needles, h.adminToken]) {
          if (needle.length < 8) continue;
          for (const [place, text] of places) if (text.includes(needle)) found.push(`${place} holds ${needle.slice(0, 12)}…`);
        }
        assert.deepEqual(found, []);
        assert.ok(!/\[redacted: \d+ chars\]/.test(rejections), 'redaction keeps no length');
      });
    });
  }
}
