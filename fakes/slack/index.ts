/**
 * A local stand-in for the Slack Web API, for tests through the real @slack/web-api client
 * (`slackApiUrl: fake.url`). It follows the documented contract
 * (../shared/reference/clients-and-apis.md §3, https://docs.slack.dev/apis/web-api/):
 *
 * - `POST /api/<method>`, arguments as `application/x-www-form-urlencoded` (what the client
 *   sends, non-scalars as JSON text) or `application/json`; GET with a query string too.
 * - Auth: `Authorization: Bearer <token>` (or a `token` argument); none → `not_authed`,
 *   wrong → `invalid_auth`.
 * - Failures are HTTP 200 `{"ok":false,"error":"…"}`; only rate limits use a status:
 *   HTTP 429, `Retry-After: <seconds>`, body `{"ok":false,"error":"ratelimited"}`.
 * - Rate limits per method and workspace, by tier (https://docs.slack.dev/apis/web-api/rate-limits,
 *   https://api.slack.com/apis/rate-limits), token buckets on an injectable clock (`now`):
 *   - chat.update, chat.delete: Tier 3 (50+ per minute);
 *   - chat.postMessage: "1 message per second per channel", "short bursts" allowed
 *     (https://docs.slack.dev/reference/methods/chat.postMessage, Rate limiting): here 3 per
 *     3 s per channel [docs leave open the burst size and the workspace-wide limit];
 *   - conversations.history: for commercially distributed apps not approved for the
 *     Marketplace, 1 request per minute, and `limit` at most (and by default) 15
 *     (https://api.slack.com/changelog/2025-05-terms-rate-limit-update-and-faq); the default
 *     here (`historyTier: 'non-marketplace'`). Marketplace and internal apps: Tier 3, `limit`
 *     default 100, at most 999 (`historyTier: 'marketplace'`). [docs leave open whether a
 *     larger `limit` is refused or cut to 15: it is cut here, as the changelog's "maximum"
 *     reads];
 *   - over the limit: HTTP 429, `Retry-After: <seconds>`, `{"ok":false,"error":"ratelimited"}`.
 *   Override per method with `rateLimits`.
 * - Test controls: forced failures ({@link FakeSlack.failNext}: an HTTP status, an `ok:false`
 *   error, a 429, a slow answer), the store, and call counts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackApiError, SlackWorkspace, type Args, type FakeSlackChannel, type StoredMessage } from './workspace.js';

export type { Args, FakeSlackChannel, StoredMessage } from './workspace.js';

export interface RateLimit {
  /** Calls allowed at once (the burst), and per window… */
  limit: number;
  /** …of this many seconds (the bucket refills at limit / windowSeconds a second). */
  windowSeconds: number;
}

/** By method; chat.postMessage counts per channel. */
const TIER_LIMITS: Readonly<Record<string, RateLimit>> = {
  'chat.postMessage': { limit: 3, windowSeconds: 3 },
  'chat.update': { limit: 50, windowSeconds: 60 },
  'chat.delete': { limit: 50, windowSeconds: 60 },
  'auth.test': { limit: 100, windowSeconds: 60 },
};

/** conversations.history by kind of app (see the header). */
const HISTORY_TIERS = {
  'non-marketplace': { rate: { limit: 1, windowSeconds: 60 }, defaultLimit: 15, maxLimit: 15 },
  marketplace: { rate: { limit: 50, windowSeconds: 60 }, defaultLimit: 100, maxLimit: 999 },
} as const;

/** What the next call(s) of a method get instead of the normal answer. */
export type ForcedFailure =
  /** An HTTP status with a plain-text body (a 5xx from Slack's edge); optional Retry-After. */
  | { status: number; retryAfter?: number }
  /** HTTP 429 with `Retry-After: retryAfter` (omit it to send none) and `{"ok":false,"error":"ratelimited"}`. */
  | { rateLimited: true; retryAfter?: number }
  /** HTTP 200 `{"ok":false,"error":"<error>"}`. */
  | { error: string }
  /** The normal answer, `delayMs` late (for client timeouts). */
  | { delayMs: number };

export interface FakeSlackOptions {
  /** The bot token the fake accepts; default `xoxb-switchboard-test`. */
  token?: string;
  /** Default: one channel `C0ALERTS` (#alerts) with the app in it. */
  channels?: FakeSlackChannel[];
  /** Replaces the tier limit of a method. */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  /** conversations.history's limits: `non-marketplace` (default: 1 a minute, limit ≤ 15) or `marketplace` (Tier 3, limit ≤ 999). */
  historyTier?: keyof typeof HISTORY_TIERS;
  /** The rate limiter's clock, in ms (default Date.now): tests share a virtual clock with the destination. */
  now?: () => number;
}

export interface FakeSlack {
  /** For WebClient's `slackApiUrl` / `destinations.slack.apiUrl`: `http://127.0.0.1:<port>/api/`. */
  url: string;
  token: string;
  workspace: SlackWorkspace;
  /** A channel's messages, oldest first. */
  messages(channel: string): StoredMessage[];
  /** Requests received for a method (all of them, failed or not). */
  calls(method: string): number;
  /** Every request: method and arguments (the token left out). */
  requests: Array<{ method: string; contentType: string; args: Args }>;
  /** Called as each request arrives, before it is answered (e.g. to abort a run mid-call). */
  onRequest: ((method: string, args: Args) => void) | undefined;
  /** The next `times` calls of `method` fail this way. */
  failNext(method: string, failure: ForcedFailure, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = options.token ?? 'xoxb-switchboard-test';
  const workspace = new SlackWorkspace(options.channels ?? [{ id: 'C0ALERTS', name: 'alerts' }]);
  const history = HISTORY_TIERS[options.historyTier ?? 'non-marketplace'];
  workspace.historyLimit = { default: history.defaultLimit, max: history.maxLimit };
  const limits: Record<string, RateLimit> = { ...TIER_LIMITS, 'conversations.history': history.rate, ...options.rateLimits };
  const clock = options.now ?? Date.now;
  const counts = new Map<string, number>();
  const forced = new Map<string, ForcedFailure[]>();
  const requests: FakeSlack['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': 'chat:write,channels:history,groups:history', ...headers });
    response.end(JSON.stringify(body));
  };

  /**
   * Seconds until the method may be called again, or 0 when it may now (and the call is
   * counted). A token bucket per method (per method and channel for chat.postMessage):
   * `limit` calls at once, refilled at `limit` per `windowSeconds`, which is how Slack
   * describes its tiers ("per minute", "bursts allowed") [docs leave open the exact algorithm].
   */
  const buckets = new Map<string, { tokens: number; at: number }>();
  const throttled = (method: string, args: Args): number => {
    const limit = limits[method];
    if (limit === undefined) return 0;
    const key = method === 'chat.postMessage' ? `${method}:${String(args.channel)}` : method;
    const now = clock();
    const perMs = limit.limit / (limit.windowSeconds * 1000);
    const bucket = buckets.get(key) ?? { tokens: limit.limit, at: now };
    bucket.tokens = Math.min(limit.limit, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    bucket.tokens -= 1;
    return 0;
  };

  const answer = (method: string, args: Args, request: IncomingMessage, response: ServerResponse, late = false): void => {
    const failure = late ? undefined : forced.get(method)?.shift();
    if (failure !== undefined && 'status' in failure) {
      response.writeHead(failure.status, { 'content-type': 'text/plain', ...(failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) }) });
      response.end(`${failure.status} from the fake Slack edge`);
      return;
    }
    if (failure !== undefined && 'rateLimited' in failure) {
      json(response, 429, { ok: false, error: 'ratelimited' }, failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) });
      return;
    }
    if (failure !== undefined && 'delayMs' in failure) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) answer(method, args, request, response, true);
      }, failure.delayMs);
      timers.add(timer);
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    if (bearer === undefined) return json(response, 200, { ok: false, error: 'not_authed' });
    if (bearer !== token) return json(response, 200, { ok: false, error: 'invalid_auth' });
    if (failure !== undefined) return json(response, 200, { ok: false, error: failure.error });
    const wait = throttled(method, args);
    if (wait > 0) return json(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
    try {
      json(response, 200, { ok: true, ...workspace.call(method, args) });
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      json(response, 200, { ok: false, error: error.error, ...error.extra });
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake-slack');
      const method = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname)?.[1];
      if (method === undefined) return json(response, 404, { ok: false, error: 'unknown_method' });
      counts.set(method, (counts.get(method) ?? 0) + 1);
      const contentType = request.headers['content-type'] ?? '';
      let args: Args;
      try {
        args = { ...Object.fromEntries(url.searchParams), ...parseBody(contentType, Buffer.concat(chunks).toString('utf8')) };
      } catch {
        return json(response, 200, { ok: false, error: 'invalid_json' });
      }
      const { token: _token, ...logged } = args;
      requests.push({ method, contentType, args: logged });
      fake.onRequest?.(method, logged);
      answer(method, args, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeSlack = {
    onRequest: undefined,
    url: `http://127.0.0.1:${port}/api/`,
    token,
    workspace,
    messages: (channel) => workspace.messages(channel),
    calls: (method) => counts.get(method) ?? 0,
    requests,
    failNext(method, failure, times = 1) {
      const queue = forced.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      forced.set(method, queue);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** Form bodies (what @slack/web-api sends) or JSON bodies (which Slack also accepts with a Bearer header). */
function parseBody(contentType: string, body: string): Args {
  if (body === '') return {};
  if (contentType.startsWith('application/json')) return JSON.parse(body) as Args;
  return Object.fromEntries(new URLSearchParams(body));
}
