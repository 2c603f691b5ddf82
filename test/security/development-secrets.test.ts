/**
 * Finding C: with server.trustProxy set and no secrets, the server started with a warning and
 * accepted events signed with the public development secrets (core/secrets.ts DEV_SECRETS)
 * and the Contact Center development key, sent through the proxy from an outside address.
 * Development credentials are now allowed only when the server binds to loopback, trusts no
 * proxy, and no secret is set at all; otherwise it refuses to start, naming every variable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '../../core/errors.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

const ALL_VARS = ['SWITCHBOARD_MESSAGING_AUTHORIZATION', 'SWITCHBOARD_VOICE_AUTH_HEADER', 'SWITCHBOARD_MEETINGS_WEBHOOK_SECRET'];

async function refusal(options: Parameters<typeof startHarness>[0]): Promise<SwitchboardError> {
  try {
    const h = await startHarness(options);
    await h.close();
  } catch (error) {
    assert.ok(error instanceof SwitchboardError, String(error));
    return error;
  }
  assert.fail('the server started');
}

describe('development secrets outside the loopback try-out', () => {
  test('with server.trustProxy set and no secret, the server refuses to start, naming every variable at once', async () => {
    const error = await refusal({ config: { server: { trustProxy: ['10.0.0.5'] } } });
    assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
    for (const name of ALL_VARS) assert.match(error.message, new RegExp(name));
    assert.match(error.message, /server\.trustProxy/);
  });

  test('bound beyond loopback with no secret, it refuses to start, naming every variable at once', async () => {
    const error = await refusal({ config: { server: { host: '0.0.0.0' } } });
    assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
    for (const name of ALL_VARS) assert.match(error.message, new RegExp(name));
  });

  test('on loopback with some secrets set, the others get no development value: it refuses to start naming them', async () => {
    const error = await refusal({ exactEnv: true, env: { SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_realsecretforproduction000' } });
    assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
    assert.match(error.message, /SWITCHBOARD_MESSAGING_AUTHORIZATION/);
    assert.match(error.message, /SWITCHBOARD_VOICE_AUTH_HEADER/);
    assert.doesNotMatch(error.message, /SWITCHBOARD_MEETINGS_WEBHOOK_SECRET/);
  });

  describe('the Contact Center development key behind a trusted proxy', () => {
    let h: Harness;
    let jwks: JwkServer;
    before(async () => {
      jwks = await startJwkServer(); // knows no key: the development kid is answered 404
      h = await startHarness({
        config: {
          server: { trustProxy: ['10.0.0.5'] },
          families: { messaging: { enabled: false }, voice: { enabled: false }, meetings: { enabled: false }, contactCenter: { jwkUrls: [jwks.urlTemplate] } },
        },
      });
    });
    after(async () => {
      await h.close();
      await jwks.close();
    });

    test('an event signed with the development key, from an outside address through the proxy, is refused', async () => {
      const res = await h.send('contact-center', { ip: '10.0.0.5', headers: { 'x-forwarded-for': '198.51.100.7' } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_UNKNOWN_KEY');
      assert.equal(h.config.secrets.development, false);
    });
  });

  describe('the loopback try-out (no proxy, no secret)', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
    });
    after(() => h.close());

    test('still lands events signed with the development credentials, for every family', async () => {
      assert.equal(h.config.secrets.development, true);
      for (const family of ['messaging', 'voice', 'contact-center', 'meetings'] as const) {
        assert.equal((await h.send(family)).statusCode, 200, family);
      }
    });
  });
});
