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
 * - Rate limits per method and workspace, by tier (https://docs.slack.dev/apis/web-api/rate-limits):
 *   Tier 3 (50+/min) for chat.update, chat.delete and conversations.history; chat.postMessage
 *   about one per second per channel, bursts allowed (here 60 per minute per channel).
 *   Override per method with `rateLimits`.
 * - Test controls: forced failures ({@link FakeSlack.failNext}: an HTTP status, an `ok:false`
 *   error, a 429, a slow answer), the store, and call counts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackApiError, SlackWorkspace, type Args, type FakeSlackChannel, type StoredMessage } from './slack-workspace.js';

export type { Args, FakeSlackChannel, StoredMessage } from './slack-workspace.js';

export interface RateLimit {
  /** Calls allowed per window… */
  limit: number;
  /** …of this many seconds (a sliding window). */
  windowSeconds: number;
}

/** Per minute, by method; chat.postMessage counts per channel. */
const TIER_LIMITS: Readonly<Record<string, RateLimit>> = {
  'chat.postMessage': { limit: 60, windowSeconds: 60 },
  'chat.update': { limit: 50, windowSeconds: 60 },
  'chat.delete': { limit: 50, windowSeconds: 60 },
  'conversations.history': { limit: 50, windowSeconds: 60 },
  'auth.test': { limit: 100, windowSeconds: 60 },
};

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
  const limits = { ...TIER_LIMITS, ...options.rateLimits };
  const recent = new Map<string, number[]>();
  const counts = new Map<string, number>();
  const forced = new Map<string, ForcedFailure[]>();
  const requests: FakeSlack['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': 'chat:write,channels:history,groups:history', ...headers });
    response.end(JSON.stringify(body));
  };

  /** Seconds until the method may be called again, or 0 when it may now. */
  const throttled = (method: string, args: Args): number => {
    const limit = limits[method];
    if (limit === undefined) return 0;
    const bucket = method === 'chat.postMessage' ? `${method}:${String(args.channel)}` : method;
    const now = Date.now();
    const windowMs = limit.windowSeconds * 1000;
    const calls = (recent.get(bucket) ?? []).filter((t) => t > now - windowMs);
    if (calls.length >= limit.limit) {
      recent.set(bucket, calls);
      return Math.max(1, Math.ceil(((calls[0] as number) + windowMs - now) / 1000));
    }
    calls.push(now);
    recent.set(bucket, calls);
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
