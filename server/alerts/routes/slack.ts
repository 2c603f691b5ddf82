/**
 * Slack, through the Slack destination's client (sync/destinations/slack/client.ts: the
 * official @slack/web-api WebClient with its own retries off, so delivery.ts's back-off is
 * the only one, and 429s reach us with their Retry-After), with the same app and token
 * (SWITCHBOARD_SLACK_BOT_TOKEN), posting to `alerts.routes.slack.channel`:
 *
 * - fire: `chat.postMessage` (https://docs.slack.dev/reference/methods/chat.postMessage);
 *   its answer's `channel` and `ts` are kept in `_alerts.deliveries`;
 * - re-notify: a reply in the message's thread, also sent to the channel (`thread_ts`,
 *   `reply_broadcast`);
 * - resolve: `chat.update` of the first message (https://docs.slack.dev/reference/methods/chat.update),
 *   so the channel shows it resolved where it fired; a message deleted meanwhile
 *   (`message_not_found`) gets a new one instead.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { createSlackClient } from '../../../sync/destinations/slack/client.js';
import { classifySlackError, SLACK_TOKEN_ENV } from '../../../sync/destinations/slack/errors.js';
import { slackText, testAlert, type NotificationKind } from '../message.js';
import { RouteFailure, type AlertRoute, type AlertView, type RouteRef } from './route.js';

export interface SlackRouteOptions {
  token: string;
  /** A channel ID, e.g. `C0ALERTS` (alerts.routes.slack.channel). */
  channel: string;
  apiUrl: string;
  timeoutMs: number;
  source: string;
  logger?: Logger;
  now?: () => Date;
}

export class SlackRoute implements AlertRoute {
  readonly name = 'slack' as const;
  private readonly client: WebClient;
  private readonly now: () => Date;

  constructor(private readonly options: SlackRouteOptions) {
    this.client = createSlackClient(options.token, { apiUrl: options.apiUrl, timeoutMs: options.timeoutMs, ...(options.logger === undefined ? {} : { logger: options.logger }) });
    this.now = options.now ?? (() => new Date());
  }

  async fire(alert: AlertView): Promise<RouteRef> {
    return this.post(alert, 'fire');
  }

  async renotify(alert: AlertView, ref: RouteRef): Promise<RouteRef> {
    if (ref.ts === undefined) return this.post(alert, 'renotify');
    await this.call('chat.postMessage', { channel: ref.channel ?? this.options.channel, thread_ts: ref.ts, reply_broadcast: true, text: slackText(alert, 'renotify', this.now()), unfurl_links: false });
    return ref;
  }

  async resolve(alert: AlertView, ref: RouteRef): Promise<RouteRef> {
    if (ref.ts === undefined || ref.channel === undefined) return this.post(alert, 'resolve');
    try {
      await this.call('chat.update', { channel: ref.channel, ts: ref.ts, text: slackText(alert, 'resolve', this.now()) });
      return ref;
    } catch (error) {
      if ((error as { slackCode?: string }).slackCode !== 'message_not_found') throw error;
      return this.post(alert, 'resolve'); // someone deleted the alert: say it resolved anyway
    }
  }

  async test(): Promise<string> {
    const ref = await this.post(testAlert(this.options.source, this.now()), 'test');
    return `Slack posted a test message in ${ref.channel ?? this.options.channel} (ts ${ref.ts ?? '?'})`;
  }

  private async post(alert: AlertView, kind: NotificationKind): Promise<RouteRef> {
    const answer = await this.call('chat.postMessage', { channel: this.options.channel, text: slackText(alert, kind, this.now()), unfurl_links: false });
    return { channel: String(answer.channel ?? this.options.channel), ts: String(answer.ts) };
  }

  private async call(method: 'chat.postMessage' | 'chat.update', args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const channel = String(args.channel);
    try {
      return (await this.client.apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (error) {
      const failure = classifySlackError(error, { method, channel });
      if (failure.kind === 'transient') throw new RouteFailure('slack', `Slack ${method} in ${channel}: ${failure.error.message}`, true, failure.error.retryAfterMs, { cause: error });
      const code = failure.kind === 'permanent' ? (failure.error as { code?: string }).code ?? 'error' : failure.code;
      const refused = new RouteFailure('slack', `Slack ${method} in ${channel}: ${code}. ${HINTS[code] ?? 'Check the app, its scopes (chat:write) and alerts.routes.slack.channel.'}`, false, undefined, { cause: error });
      throw Object.assign(refused, { slackCode: code });
    }
  }
}

/** How to fix what Slack refuses, for alerts. */
const HINTS: Readonly<Record<string, string>> = {
  not_authed: `Set ${SLACK_TOKEN_ENV} to the app's Bot User OAuth Token (xoxb-…).`,
  invalid_auth: `Slack refused the token: set ${SLACK_TOKEN_ENV} to the app's Bot User OAuth Token (xoxb-…).`,
  token_revoked: `The token was revoked: reinstall the app and update ${SLACK_TOKEN_ENV}.`,
  token_expired: `The token expired: update ${SLACK_TOKEN_ENV}.`,
  missing_scope: 'The app needs the chat:write scope: add it, reinstall the app, update the token.',
  channel_not_found: 'alerts.routes.slack.channel must be a channel ID (C0123ABCD, at the bottom of the channel\'s details); for a private channel, invite the app first.',
  not_in_channel: 'Invite the app to the channel (/invite @your-app).',
  is_archived: 'The channel is archived: unarchive it or set another alerts.routes.slack.channel.',
  message_not_found: 'The alert message was deleted in Slack.',
};
