/**
 * The Slack destination (@slack/web-api 8): escalation alerts posted to a channel and edited
 * in place when their row changes. See destination.ts for what each record turns into,
 * message.ts for the fields it reads, client.ts for the retry settings.
 *
 * @example
 *   const slack = createSlackDestination(config.file.destinations.slack, process.env, { logger });
 *   await slack.send(records, { sync: 'escalations_to_slack', object: 'C0123ABCD', signal });
 */
import type { Logger } from 'pino';
import { SwitchboardError } from '../../../core/errors.js';
import type { Destination } from '../../destination.js';
import { createSlackClient } from './client.js';
import { SlackDestination, type SlackClock } from './destination.js';
import { SLACK_TOKEN_ENV } from './errors.js';

export { SLACK_TOKEN_ENV } from './errors.js';
export type { SlackClock } from './destination.js';
export { ALERT_EVENT_TYPE, formatRef, parseRef, type SlackMessageRef } from './message.js';

/** `destinations.slack` in the config; everything but `apiUrl` has a default here. */
export interface SlackSettings {
  /** Default `https://slack.com/api/`; a local server in tests. */
  apiUrl: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Records per send(); each is one API call. Default 20. */
  batchSize?: number;
  /** How far back to look for an alert posted before a crash; default 3 days (a weekend outage). */
  lookupWindowSeconds?: number;
  /** Most conversations.history pages (historyPageSize messages each) read per batch for that; default 1. */
  lookupMaxPages?: number;
  /** conversations.history `limit`; default 15, the most Slack allows apps outside the Marketplace. */
  historyPageSize?: number;
  /** Least seconds between two conversations.history calls; default 60 (1 a minute outside the Marketplace). */
  historyIntervalSeconds?: number;
  /** Least ms between two posts to one channel; default 1000 (Slack: about 1 a second per channel). */
  postIntervalMs?: number;
}

export const SLACK_DEFAULTS = {
  apiUrl: 'https://slack.com/api/',
  timeoutMs: 10_000,
  batchSize: 20,
  lookupWindowSeconds: 3 * 86_400,
  lookupMaxPages: 1,
  historyPageSize: 15,
  historyIntervalSeconds: 60,
  postIntervalMs: 1000,
} as const;

/**
 * @param settings `config.file.destinations.slack` (undefined: all defaults)
 * @param env where the bot token is read: SWITCHBOARD_SLACK_BOT_TOKEN (`xoxb-…`)
 * @throws SwitchboardError SB_SYNC_SLACK_SECRET_MISSING when the token is not set
 */
export function createSlackDestination(
  settings: Partial<SlackSettings> | undefined,
  env: NodeJS.ProcessEnv,
  options: { logger?: Logger; clock?: SlackClock } = {},
): Destination {
  const token = env[SLACK_TOKEN_ENV];
  if (token === undefined || token.trim() === '') {
    throw new SwitchboardError(
      'SB_SYNC_SLACK_SECRET_MISSING',
      `${SLACK_TOKEN_ENV} is not set, but a sync sends to Slack (destinations.slack). ` +
        `Set it to the Slack app's Bot User OAuth Token (xoxb-…, from the app's OAuth & Permissions page; scopes chat:write and channels:history).`,
      { configKey: 'destinations.slack' },
    );
  }
  const s = { ...SLACK_DEFAULTS, ...definedOnly(settings ?? {}) };
  const logger = options.logger?.child({ destination: 'slack' });
  return new SlackDestination({
    client: createSlackClient(token.trim(), { apiUrl: s.apiUrl, timeoutMs: s.timeoutMs, ...(logger === undefined ? {} : { logger }) }),
    batchSize: s.batchSize,
    lookupWindowSeconds: s.lookupWindowSeconds,
    lookupMaxPages: s.lookupMaxPages,
    historyPageSize: s.historyPageSize,
    historyIntervalMs: s.historyIntervalSeconds * 1000,
    postIntervalMs: s.postIntervalMs,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(logger === undefined ? {} : { logger }),
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
