/**
 * The routes `alerts.routes` configures, with their secrets from the environment, and the
 * secrets serve checks at start-up (server/serve-config.ts): a configured route whose
 * secret is missing is named in SB_CONFIG_SECRET_MISSING with the others.
 *
 * - Slack: SWITCHBOARD_SLACK_BOT_TOKEN (the Slack destination's app);
 * - email: SWITCHBOARD_ALERTS_SMTP_PASSWORD, only when `alerts.routes.email.user` is set;
 * - PagerDuty: SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY.
 */
import type { Logger } from 'pino';
import type { AlertRouteName } from '../../../core/config-alerts.js';
import type { ConfigFile } from '../../../core/config-schema.js';
import type { SecretNeed } from '../../../core/secrets.js';
import { SLACK_TOKEN_ENV } from '../../../sync/destinations/slack/secrets.js';
import { EmailRoute } from './email.js';
import { PagerDutyRoute } from './pagerduty.js';
import type { AlertRoute } from './route.js';
import { SlackRoute } from './slack.js';

export const SMTP_PASSWORD_ENV = 'SWITCHBOARD_ALERTS_SMTP_PASSWORD';
export const PAGERDUTY_ROUTING_KEY_ENV = 'SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY';

/** The variables the configured routes need (none when alerts are off). */
export function alertSecrets(file: ConfigFile): SecretNeed[] {
  const { enabled, routes } = file.alerts;
  if (!enabled) return [];
  const needs: SecretNeed[] = [];
  if (routes.slack !== undefined) needs.push({ env: SLACK_TOKEN_ENV, configKey: 'alerts.routes.slack', purpose: "alerts to Slack: the app's Bot User OAuth Token (xoxb-…)" });
  if (routes.email?.user !== undefined) needs.push({ env: SMTP_PASSWORD_ENV, configKey: 'alerts.routes.email.user', purpose: `alerts by email: the SMTP password of ${routes.email.user}` });
  if (routes.pagerduty !== undefined) needs.push({ env: PAGERDUTY_ROUTING_KEY_ENV, configKey: 'alerts.routes.pagerduty', purpose: 'alerts to PagerDuty: the Events API v2 integration key' });
  return needs;
}

/**
 * The configured routes. A route whose secret is missing (the loopback try-out only: serve
 * refuses to start otherwise) is left out, with a warning.
 * @param source this node's name, for PagerDuty's `source`
 */
export function routesFor(file: ConfigFile, env: NodeJS.ProcessEnv, source: string, logger: Logger): Map<AlertRouteName, AlertRoute> {
  const routes = new Map<AlertRouteName, AlertRoute>();
  const { slack, email, pagerduty } = file.alerts.routes;
  const secret = (name: string, route: string): string | null => {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
    logger.warn({ route, env: name }, `alerts to ${route} are off: ${name} is not set (alerts.routes.${route})`);
    return null;
  };
  if (slack !== undefined) {
    const token = secret(SLACK_TOKEN_ENV, 'slack');
    if (token !== null) routes.set('slack', new SlackRoute({ token, channel: slack.channel, apiUrl: slack.apiUrl, timeoutMs: slack.timeoutMs, source, logger }));
  }
  if (email !== undefined) {
    const password = email.user === undefined ? undefined : secret(SMTP_PASSWORD_ENV, 'email');
    if (password !== null) routes.set('email', new EmailRoute({ ...email, password, source }));
  }
  if (pagerduty !== undefined) {
    const routingKey = secret(PAGERDUTY_ROUTING_KEY_ENV, 'pagerduty');
    if (routingKey !== null) routes.set('pagerduty', new PagerDutyRoute({ url: pagerduty.url, routingKey, timeoutMs: pagerduty.timeoutMs, source }));
  }
  return routes;
}
