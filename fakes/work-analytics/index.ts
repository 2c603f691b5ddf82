/**
 * A local stand-in for 8x8 Work Analytics (historical CDRs). Sources, in the public repo
 * `8x8Cloud/public-developer-docs` (snapshot 859e59a, 2026-07-23):
 * [OAS] `docs_oas/analytics/work_analytics_historical.json` (paths `/v1/oauth/token`,
 * `/v2/call-records`, `/v2/call-legs`), [CDR] `docs/analytics/docs/work-analytics-call-detail-records.md`,
 * and ../shared/reference/8x8.md §4.2 (our notes on both).
 *
 * - `POST /v1/oauth/token` with header `8x8-apikey` and form `username`/`password` answers
 *   `{access_token, token_type: "bearer", expires_in: 1800}` [OAS 200, CDR §1]. A wrong API
 *   key is **400** `{status: 400, message: "Invalid 8x8-apikey", code: "SHA001", details}`; wrong
 *   user credentials are **400** `{error: "invalid_grant", error_description}` [OAS 400: both
 *   examples]. OPEN: the docs show `USER_NOTFOUND_ERROR` only; what a wrong password for a
 *   known user says is not documented (the fake says `BAD_CREDENTIALS`).
 * - `GET /v2/call-records` and `/v2/call-legs` need `8x8-apikey` and `Authorization: Bearer`
 *   [OAS security, CDR §2]. A wrong API key is 400 SHA001 [OAS 400]; a missing, unknown or
 *   expired token (the fake's clock, or `expireTokens()`) is 401 `{error: "invalid_token",
 *   error_description}` [OAS 401]. A PBX the user may not see is 403 `{timeStamp, status: 403,
 *   error: "Access Denied", message: "user(…) does not have access to pbxId(…)…", path}` [OAS 403].
 * - Query checks [OAS parameters, CDR §2] (`pbxId`, `startTime`/`endTime` read in `timeZone`,
 *   `pageSize` ≤ 7000), the filter (records by `startTimeUTC`, legs by `disconnectedTimeUTC` or
 *   `connectTimeUTC` [OAS isConnectTime]) and paging by scrollId [CDR "Pagination"]: stateless
 *   by default, `scroll: 'server'` for the older model. See pages.ts for each rule, its source
 *   and what is INFERRED or OPEN.
 * - Not documented, so not modelled: rate limits (reference §9.6); scripted faults (`fail()`),
 *   e.g. 429 with Retry-After, stand in for them.
 *
 * Everything is inspectable: `requests`, `tokensIssued`.
 *
 * This file: the options and controls, the token endpoint, auth and scripted faults;
 * pages.ts checks the query and serves the pages, seed.ts makes realistic calls and legs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Pages, type WorkRecord } from './pages.js';
import { Faults, type Fault as SharedFault } from '../faults.js';

export { isIanaName, type WorkRecord } from './pages.js';
export { seedWorkCalls, type SeedOptions } from './seed.js';

export interface RecordedRequest {
  method: string;
  /** Without the base path and query, e.g. `/v2/call-records`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** What the fake answered. */
  status: number;
}

export type Fault = SharedFault;

export interface FakeWorkAnalyticsOptions {
  apiKey?: string;
  username?: string;
  password?: string;
  /** The fake's clock in epoch ms, for token expiry. Default `Date.now`. */
  now?: () => number;
  records?: WorkRecord[];
  legs?: WorkRecord[];
  /**
   * `stateless` (default, as the docs' scrollIds read): a scrollId names the last record
   * served; `server`: one id per scroll whose position moves on every request (8x8.md §4.2's
   * older reading), so a page fetched but not landed is gone.
   */
  scroll?: 'stateless' | 'server';
  /** The PBX names the user may see (`allpbxes` is all of them). Default: the records' and legs' `pbxId`s, and `acmecorp`. */
  pbxes?: string[];
}

export interface FakeWorkAnalytics {
  /** e.g. `http://127.0.0.1:5123/analytics/work`. */
  baseUrl: string;
  records: WorkRecord[];
  legs: WorkRecord[];
  requests: RecordedRequest[];
  /** How many tokens were issued. */
  tokensIssued(): number;
  /** Makes every token issued so far expire now (8x8 revoking or expiring early). */
  expireTokens(): void;
  /** While true, every bearer token is refused (a user whose Analytics access was removed). */
  refuseAllTokens: boolean;
  /** Data pages are answered after this many ms (so a test can kill a pull mid-range). */
  pageDelayMs: number;
  fail(fault: Fault): void;
  close(): Promise<void>;
}

const BASE = '/analytics/work';
/** [OAS 400] example, for a wrong 8x8-apikey. */
const INVALID_API_KEY = {
  status: 400,
  message: 'Invalid 8x8-apikey',
  code: 'SHA001',
  details: [{ type: 'invalidValue', location: 'header', path: ['8x8-apikey'], hint: "Please provide valid apikey. If you don't have one, please sign up and create a developer account" }],
};

export async function startFakeWorkAnalytics(options: FakeWorkAnalyticsOptions = {}): Promise<FakeWorkAnalytics> {
  const apiKey = options.apiKey ?? 'test-api-key';
  const username = options.username ?? 'analyst@example.com';
  const password = options.password ?? 'correct horse';
  const now = options.now ?? Date.now;
  /** token → expiry (epoch ms). */
  const tokens = new Map<string, number>();
  const faults = new Faults();
  const requests: RecordedRequest[] = [];

  const fake: FakeWorkAnalytics = {
    baseUrl: '',
    records: options.records ?? [],
    legs: options.legs ?? [],
    requests,
    tokensIssued: () => tokens.size,
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, now() - 1);
    },
    refuseAllTokens: false,
    pageDelayMs: 0,
    fail(fault) {
      faults.add(fault);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, status });
        reply(res, status, body, headers);
      };
      const fault = faults.take({ method: req.method ?? 'GET', path });
      if (fault) {
        send(fault.status, fault.body ?? { status: fault.status, error: fault.status === 429 ? 'Too Many Requests' : 'Error' }, fault.headers);
        return;
      }
      if (req.method === 'POST' && path === '/v1/oauth/token') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        // [OAS /v1/oauth/token 400]: the key is checked first, then the user.
        if (req.headers['8x8-apikey'] !== apiKey) {
          send(400, INVALID_API_KEY);
          return;
        }
        if (form.get('username') !== username || form.get('password') !== password) {
          send(400, { error_description: form.get('username') !== username ? 'USER_NOTFOUND_ERROR' : 'BAD_CREDENTIALS', error: 'invalid_grant' });
          return;
        }
        const token = `eyJ${randomBytes(24).toString('base64url')}`;
        tokens.set(token, now() + 1800 * 1000);
        send(200, { access_token: token, token_type: 'bearer', expires_in: 1800 });
        return;
      }
      if (req.method === 'GET' && (path === '/v2/call-records' || path === '/v2/call-legs')) {
        const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const expiry = bearer === undefined ? undefined : tokens.get(bearer);
        if (req.headers['8x8-apikey'] !== apiKey) {
          send(400, INVALID_API_KEY); // [OAS /v2/call-records 400]
          return;
        }
        if (expiry === undefined || expiry <= now() || fake.refuseAllTokens) {
          send(401, { error: 'invalid_token', error_description: bearer === undefined ? 'Full authentication is required' : 'Invalid or expired access token' }); // [OAS 401]
          return;
        }
        const outcome = pages.page(path === '/v2/call-records' ? fake.records : fake.legs, path === '/v2/call-legs', url.searchParams, path);
        if (fake.pageDelayMs > 0) setTimeout(() => send(outcome.status, outcome.body), fake.pageDelayMs);
        else send(outcome.status, outcome.body);
        return;
      }
      send(404, { status: 404, error: 'Not Found' });
    });
  });

  const pbxes = (): Set<string> => new Set(options.pbxes ?? ['acmecorp', ...[...fake.records, ...fake.legs].map((r) => String(r['pbxId'] ?? 'acmecorp'))]);
  const pages = new Pages(options.scroll ?? 'stateless', pbxes, username);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE}`;
  return fake;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
