/**
 * Finds alerts this sync already posted, for records the engine hands over without an
 * externalRef. That happens after a crash between Slack's answer and the engine's
 * checkpoint: the engine sends the same change again, and posting it would duplicate the
 * alert. Every alert carries message metadata `{event_type: 'switchboard_alert',
 * event_payload: {sync, key}}`, and conversations.history returns it when asked with
 * `include_all_metadata=true` (https://docs.slack.dev/reference/methods/conversations.history).
 *
 * The search is bounded, so it costs a few calls per batch at most: only messages newer
 * than the window (`oldest`), at most `maxPages` pages of `pageSize`, newest first, stopping
 * as soon as every key is found. conversations.history is Tier 3 (50+ per minute, `limit`
 * up to 999) for Marketplace and internal apps, but 1 request a minute with `limit` at most
 * 15 for commercially distributed apps outside the Marketplace
 * (https://api.slack.com/changelog/2025-05-terms-rate-limit-update-and-faq): the caller
 * paces each call (`pace`) and picks the page size (destinations.slack.historyPageSize,
 * historyIntervalSeconds).
 */
import type { WebClient } from '@slack/web-api';
import { alertOf, type SlackMessageRef } from './message.js';

export interface LookupOptions {
  /** The channel ID to search, e.g. `C0123ABCD`. */
  channel: string;
  sync: string;
  keys: ReadonlySet<string>;
  /** How far back, in seconds. */
  windowSeconds: number;
  /** Most conversations.history pages to read. */
  maxPages: number;
  /** Messages per page (`limit`), e.g. 15. */
  pageSize: number;
  /** Waits until the next conversations.history call is allowed; runs before each. */
  pace: () => Promise<void>;
  /** Runs each call; the destination races it against the run's AbortSignal. */
  call: <T>(request: () => Promise<T>) => Promise<T>;
}

/** key → the alert found for it (the newest, should there ever be two). */
export async function findAlerts(client: WebClient, options: LookupOptions): Promise<Map<string, SlackMessageRef>> {
  const found = new Map<string, SlackMessageRef>();
  if (options.keys.size === 0) return found;
  const oldest = (Math.floor(Date.now() / 1000) - options.windowSeconds).toString();
  let cursor: string | undefined;
  for (let page = 0; page < options.maxPages; page++) {
    await options.pace();
    const response = await options.call(() =>
      client.conversations.history({
        channel: options.channel,
        oldest,
        limit: options.pageSize,
        include_all_metadata: true,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    for (const message of response.messages ?? []) {
      const alert = alertOf(message as Parameters<typeof alertOf>[0]);
      if (alert === null || alert.sync !== options.sync || !options.keys.has(alert.key) || typeof message.ts !== 'string') continue;
      if (!found.has(alert.key)) found.set(alert.key, { channel: options.channel, ts: message.ts });
    }
    cursor = response.response_metadata?.next_cursor;
    if (response.has_more !== true || cursor === undefined || cursor === '' || found.size === options.keys.size) break;
  }
  return found;
}
