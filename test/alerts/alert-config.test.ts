/**
 * The alerts' config and secrets: a configured route whose secret is missing is named at
 * start-up with every other missing secret (SB_CONFIG_SECRET_MISSING); a rule that names a
 * route not configured is a config error naming the key; every rule is on by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServeConfig } from '../../server/serve-config.js';
import { parseConfig } from '../../server/config.js';
import { ALERT_RULE_IDS } from '../../core/config-alerts.js';
import { TEST_SECRETS } from '../helpers/harness.js';

const ROUTES = [
  'alerts:',
  '  routes:',
  '    slack: { channel: C0ALERTS }',
  '    email: { host: smtp.acme.com, user: alerts@acme.com, from: switchboard@acme.com, to: [oncall@acme.com] }',
  '    pagerduty: {}',
].join('\n');

function withConfig<T>(yaml: string, run: (cwd: string) => T): T {
  const cwd = mkdtempSync(join(tmpdir(), 'switchboard-alert-config-'));
  try {
    writeFileSync(join(cwd, 'switchboard.yaml'), yaml);
    return run(cwd);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

test('on 0.0.0.0, serve refuses to start without the secrets of the configured alert routes, naming each', () => {
  withConfig(`server:\n  host: 0.0.0.0\n${ROUTES}\n`, (cwd) => {
    assert.throws(
      () => loadServeConfig({ cwd, env: { ...TEST_SECRETS } }),
      (error: { code: string; message: string }) => {
        assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
        assert.match(error.message, /^3 secrets are not set/);
        assert.match(error.message, /^ {2}- SWITCHBOARD_SLACK_BOT_TOKEN: alerts to Slack.*\(alerts\.routes\.slack\)$/m);
        assert.match(error.message, /^ {2}- SWITCHBOARD_ALERTS_SMTP_PASSWORD: alerts by email: the SMTP password of alerts@acme\.com \(alerts\.routes\.email\.user\)$/m);
        assert.match(error.message, /^ {2}- SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY: alerts to PagerDuty.*\(alerts\.routes\.pagerduty\)$/m);
        return true;
      },
    );
    const env = { ...TEST_SECRETS, SWITCHBOARD_SLACK_BOT_TOKEN: 'xoxb-1', SWITCHBOARD_ALERTS_SMTP_PASSWORD: 'p', SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY: 'k'.repeat(32) };
    assert.deepEqual(loadServeConfig({ cwd, env }).warnings, []);
  });
  withConfig(`server:\n  host: 0.0.0.0\nalerts:\n  enabled: false\n${ROUTES.split('\n').slice(1).join('\n')}\n`, (cwd) => {
    assert.doesNotThrow(() => loadServeConfig({ cwd, env: { ...TEST_SECRETS } }), 'alerts off: their secrets are not needed');
  });
  withConfig('server:\n  host: 0.0.0.0\nalerts:\n  routes:\n    email: { host: relay.internal, from: a@acme.com, to: [b@acme.com] }\n', (cwd) => {
    assert.doesNotThrow(() => loadServeConfig({ cwd, env: { ...TEST_SECRETS } }), 'an SMTP relay without a user needs no password');
  });
});

test('every rule is on by default, and a rule routed to a route that is not configured names the key to fix', () => {
  const { alerts } = parseConfig({});
  assert.deepEqual(ALERT_RULE_IDS.filter((id) => !alerts.rules[id].enabled), []);
  assert.equal(alerts.enabled, true);
  assert.throws(
    () => parseConfig({ alerts: { rules: { drainStalled: { routes: ['email'] } } } }),
    /alerts\.rules\.drainStalled\.routes: names email, but alerts\.routes\.email is not configured/,
  );
  assert.throws(() => parseConfig({ alerts: { routes: { slack: { channel: '#alerts' } } } }), /alerts\.routes\.slack\.channel: must be a Slack channel ID/);
});
