/**
 * The @slack/web-api WebClient, configured so that no call can hang a sync run:
 *
 * - `retryConfig: { retries: 0 }`: the default policy (tenRetriesInAboutThirtyMinutes) can
 *   keep one call alive for ~30 minutes (clients-and-apis.md §8.3); the sync engine retries
 *   with its own backoff instead, and records every attempt.
 * - `rejectRateLimitedCalls: true`: on HTTP 429 the client would otherwise pause its whole
 *   queue for Retry-After and try again; this way the 429 reaches us at once, with
 *   `retryAfter`, and becomes the engine's backoff (slackapi/node-slack-sdk#599).
 * - `timeout`: v8 sends through fetch with `AbortSignal.timeout(timeout)`; 0 (the default)
 *   would wait forever on a stalled connection.
 */
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from 'pino';

export interface SlackClientOptions {
  /** e.g. `https://slack.com/api/`, or a local test server's `http://127.0.0.1:4030/api/`. */
  apiUrl: string;
  /** Per request, in ms. */
  timeoutMs: number;
  logger?: Logger;
}

export function createSlackClient(token: string, options: SlackClientOptions): WebClient {
  return new WebClient(token, {
    slackApiUrl: options.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs,
    // One record is one call and records go in order; nothing gains from parallel requests.
    maxRequestConcurrency: 1,
    logger: slackLogger(options.logger),
  });
}

/**
 * The client's own log lines (request failures, response warnings such as
 * `missing_charset`) into pino, under `component: 'slack'`. The client redacts the token
 * from what it logs at debug. Without a pino logger they are dropped: the default would
 * print to the console.
 */
function slackLogger(logger: Logger | undefined): SlackLogger {
  const child = logger?.child({ component: 'slack' });
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    child?.[level](parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' '));
  };
  let level = LogLevel.DEBUG;
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
