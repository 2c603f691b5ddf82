/**
 * A local stand-in for 8x8 Contact Center Historical Analytics (detailed reports) and the
 * XCaaS OAuth token endpoint, following the documented contract in
 * ../shared/reference/8x8.md §3.3 and §6:
 *
 * - `POST /oauth/v2/token` with `Authorization: Basic base64(key:secret)` and form
 *   `grant_type=client_credentials` answers `{access_token, token_type: "BearerToken",
 *   expires_in: "1799" (a string), issued_at: "<epoch ms>" (a string)}`; else 401;
 * - every other call needs a bearer token that has not expired (by the fake's clock, or
 *   `expireTokens()`), else 401; with `tenantId` set, also `X-Tenant-Info`, else 400;
 * - `POST …/detailed-reports` refuses (400, `Bad request: …`) what the docs refuse, and answers
 *   `{id: <integer>, status: "DONE"}` (or `"FAILED"`, scripted with `failNextReports`); the
 *   report holds the interactions whose `creationTime` is in [start, end], both ends included;
 *   with `includeParticipants: true` each row also carries a `participants` item (see
 *   `toRow` in rows.ts). Sources and what the docs leave open are cited at each check (here
 *   and in reports.ts, rows.ts); "the detailed-report page" is
 *   `docs/analytics/docs/cc-historical-analytics-detailed-report.md`
 *   in 8x8Cloud/public-developer-docs (snapshot 859e59a3);
 * - `GET …/detailed-reports/{id}/data?size=≤1000&lastDocumentId=…` answers rows
 *   `{total: null, items: [{key, label, value}]}` with `X-Page-Size`, `X-Total-Pages`,
 *   `X-Total-Elements`, `Link rel="next"` and `Last-Document-Id` (absent on the last page);
 *   `size` over 1000 or an unknown `lastDocumentId` is 400, an unknown report 404;
 * - times are rendered with the tenant's offset (`…T16:02:27.576+03:00`);
 * - scripted faults (`fail()`), e.g. 429 with Retry-After.
 *
 * Everything is inspectable: `requests`, `tokensIssued()`, `reportsCreated`.
 *
 * This file: the options and controls, the token endpoint, auth and scripted faults;
 * reports.ts creates reports and serves their pages, rows.ts renders an interaction as a row,
 * seed.ts makes realistic interactions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Reports } from './reports.js';
import type { CcInteraction } from './rows.js';
import { Faults, type Fault as SharedFault } from '../faults.js';

export { ccReportRow, type CcInteraction } from './rows.js';
export { seedCcInteractions, type SeedOptions } from './seed.js';

export interface RecordedRequest {
  method: string;
  /** Without the base path and query, e.g. `/detailed-reports` or `/oauth/v2/token`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** What the fake answered. */
  status: number;
}

export type Fault = SharedFault;

export interface FakeCcAnalyticsOptions {
  clientId?: string;
  clientSecret?: string;
  /** When set, every data call must carry `X-Tenant-Info: <tenantId>`. */
  tenantId?: string;
  /** The tenant's UTC offset times are rendered in, e.g. `+03:00` (the default). */
  tenantOffset?: string;
  /** Token lifetime in seconds. Default 1799, as 8x8 answers. */
  tokenTtlSeconds?: number;
  /** The fake's clock in epoch ms, for token expiry and `issued_at`. Default `Date.now`. */
  now?: () => number;
  interactions?: CcInteraction[];
}

export interface FakeCcAnalytics {
  /** e.g. `http://127.0.0.1:5123/analytics/cc/v8/historical-metrics/`. */
  baseUrl: string;
  /** e.g. `http://127.0.0.1:5123/oauth/v2/token`. */
  tokenUrl: string;
  /** What reports are built from; tests may push more. */
  interactions: CcInteraction[];
  requests: RecordedRequest[];
  /** Ids of the reports created, in order (8x8 answers integers; kept here as their decimal text). */
  reportsCreated: string[];
  /** The parsed bodies of the report creations the fake accepted, in order. */
  reportRequests: Record<string, unknown>[];
  tokensIssued(): number;
  /** Makes every token issued so far expire now (8x8 revoking or expiring early). */
  expireTokens(): void;
  /** The next `n` report creations answer `status: "FAILED"`. */
  failNextReports(n?: number): void;
  /** Forgets every report (8x8 expiring them): reading one answers 404. */
  dropReports(): void;
  fail(fault: Fault): void;
  close(): Promise<void>;
}

const BASE = '/analytics/cc/v8/historical-metrics';
const TOKEN_PATH = '/oauth/v2/token';
const DATA = /^\/detailed-reports\/([^/]+)\/data$/;

export async function startFakeCcAnalytics(options: FakeCcAnalyticsOptions = {}): Promise<FakeCcAnalytics> {
  const clientId = options.clientId ?? 'cc-app-key';
  const clientSecret = options.clientSecret ?? 'cc-app-secret';
  const ttl = options.tokenTtlSeconds ?? 1799;
  const zone = `UTC${options.tenantOffset ?? '+03:00'}`;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, number>();
  const faults = new Faults();

  const fake: FakeCcAnalytics = {
    baseUrl: '',
    tokenUrl: '',
    interactions: options.interactions ?? [],
    requests: [],
    reportsCreated: [],
    reportRequests: [],
    tokensIssued: () => tokens.size,
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, now() - 1);
    },
    failNextReports(n = 1) {
      reports.failNext(n);
    },
    dropReports() {
      reports.drop();
    },
    fail(fault) {
      faults.add(fault);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const reports = new Reports(fake, zone);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
      const method = req.method ?? 'GET';
      const send = (status: number, answer: unknown, headers: Record<string, string> = {}): void => {
        fake.requests.push({ method, path, query: url.searchParams, headers: req.headers, body, status });
        reply(res, status, answer, headers);
      };
      const fault = faults.take({ method, path });
      if (fault) {
        send(fault.status, fault.body ?? { status: fault.status, error: fault.status === 429 ? 'Too Many Requests' : 'Internal Server Error' }, fault.headers);
        return;
      }
      if (method === 'POST' && path === TOKEN_PATH) {
        const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
        if (req.headers.authorization !== expected || new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
          send(401, { ErrorCode: 'invalid_client', Error: 'Client credentials are invalid' });
          return;
        }
        const token = randomBytes(21).toString('base64url');
        tokens.set(token, now() + ttl * 1000);
        send(200, { access_token: token, token_type: 'BearerToken', issued_at: String(now()), expires_in: String(ttl), status: 'approved', api_product_list: '[Analytics]' });
        return;
      }
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const expiry = bearer === undefined ? undefined : tokens.get(bearer);
      if (expiry === undefined || expiry <= now()) {
        send(401, { status: 401, error: 'Unauthorized', message: 'Invalid access token' });
        return;
      }
      // Detailed-report page §2: "HTTP 400 … Bad request: X-Tenant-Info header is missing." / "… Invalid value for X-Tenant-Info header."
      if (options.tenantId !== undefined && req.headers['x-tenant-info'] !== options.tenantId) {
        const message = req.headers['x-tenant-info'] === undefined ? 'Bad request: X-Tenant-Info header is missing.' : 'Bad request: Invalid value for X-Tenant-Info header.';
        send(400, { status: 400, error: 'Bad Request', message });
        return;
      }
      if (method === 'POST' && path === '/detailed-reports') {
        const outcome = reports.create(body);
        send(outcome.status, outcome.body);
        return;
      }
      const data = DATA.exec(path);
      if (method === 'GET' && data) {
        const outcome = reports.page(decodeURIComponent(data[1] ?? ''), url);
        send(outcome.status, outcome.body, outcome.headers);
        return;
      }
      send(404, { status: 404, error: 'Not Found' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.baseUrl = `${origin}${BASE}/`;
  fake.tokenUrl = `${origin}${TOKEN_PATH}`;
  return fake;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
