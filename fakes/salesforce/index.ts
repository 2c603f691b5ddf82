/**
 * A local Salesforce for tests and the sync benchmark, following the contract in
 * ../shared/reference/clients-and-apis.md §1 (what jsforce sends, what Salesforce answers):
 *
 * - OAuth token endpoint `POST /services/oauth2/token`: `client_credentials` and `password`
 *   grants; `invalid_client` / `invalid_grant` / `unsupported_grant_type` (400) otherwise.
 *   The answer's `instance_url` is this server, so jsforce sends everything here. Sources:
 *   Salesforce Help › OAuth Endpoints
 *   (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_endpoints.htm),
 *   RFC 6749 §5.1–5.2 for the body shapes, jsforce's TokenResponse type
 *   (https://jsforce.github.io/jsforce/types/oauth2.TokenResponse.html: `id` is required).
 * - REST under `/services/data/vNN.0/` (rest.ts): SOQL query with paging
 *   (`nextRecordsUrl`), sObject Collections (create, update, upsert by external ID, delete; 200
 *   records at most, per-record results in an HTTP 200), single-record upsert/get/update/delete,
 *   Bulk API 2.0 ingest jobs (bulk.ts), and `limits`, over an in-memory org (org.ts; its
 *   objects and fields: schema.ts). Every response carries `Sforce-Limit-Info: api-usage=N/15000`.
 * - Errors as Salesforce writes them: a JSON array of `{ message, errorCode }`; 401
 *   INVALID_SESSION_ID for a missing or expired token.
 *
 * Limits, as Salesforce documents them (API Request Limits and Allocations,
 * https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html):
 * - a **total allocation per rolling 24 hours** (`dailyApiRequests`, default 15,000): the call
 *   after it is refused with HTTP 403 `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":
 *   "TotalRequests Limit exceeded."}]` (reference §1.6) and **no Retry-After**: the allocation
 *   frees as calls age out of the window, and Salesforce says nothing about when. Refused calls
 *   do not use the allocation [? the docs leave it open].
 * - a **concurrency cap on long-running requests** (20 s or longer; 25 in production orgs, 5
 *   in Developer Edition): while that many are in flight, new calls are refused with the same
 *   403 REQUEST_LIMIT_EXCEEDED, message `ConcurrentPerOrgLongTxn Limit exceeded.` [? exact
 *   wording: reference §1.6; help article 000389067 quotes "ConcurrentRequests (Concurrent API
 *   Requests) Limit exceeded"]. The fake's own calls are never long: `occupyLongRequests(n)`
 *   stands for long requests of other integrations in the same org.
 * - there is **no per-second limit**: "There isn't a limit on the number of concurrent requests
 *   shorter than 20 seconds." The fake has none either.
 * - `Sforce-Limit-Info: api-usage=used/max` on every response, and `limits` →
 *   `DailyApiRequests { Max, Remaining }` (reference §1.6), from the same rolling window.
 *
 * Knobs for tests and the benchmark:
 * - `dailyApiRequests`, `concurrentLongRequests`, `now` (the clock of the 24-hour window).
 * - `failNext({ status, errorCode, kind, times, retryAfterSeconds })`: scripted whole-call
 *   failures (5xx, 429, REQUEST_LIMIT_EXCEEDED, …) for the next matching calls.
 * - `expireSessions()`: every issued token stops working (401 INVALID_SESSION_ID).
 * - `org`: the records (FakeOrg), per-record faults and validation rules.
 * - `stats`: `apiCalls` (every REST call, refused ones included), `limited`, `tokenRequests`,
 *   `byKind` (e.g. `collections:upsert`, `query`, `queryMore`, `bulk:upload`) and the API
 *   versions used.
 *
 * @example
 *   const sf = await startSalesforceServer({ dailyApiRequests: 100 });
 *   const conn = new jsforce.Connection({ oauth2: { loginUrl: sf.url, clientId: sf.clientId, clientSecret: sf.clientSecret }, version: '62.0' });
 *   await conn.authorize({ grant_type: 'client_credentials' });
 *   …; sf.stats.apiCalls; await sf.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeOrg, RequestError } from './org.js';
import { restApi } from './rest.js';

export interface SalesforceServerOptions {
  clientId?: string;
  clientSecret?: string;
  /** username → password with the security token appended, for the password grant. */
  users?: Record<string, string>;
  /** External-ID fields on Task; default `['Switchboard_Call_Id__c']`. */
  externalIdFields?: string[];
  /** The org's total API allocation per rolling 24 hours; default 15,000 (Developer Edition). */
  dailyApiRequests?: number;
  /** Long-running (≥ 20 s) requests allowed in flight; default 25 (production orgs). */
  concurrentLongRequests?: number;
  /** Records per query page (Salesforce: 2000). */
  queryPageSize?: number;
  /** Status requests a closed Bulk job answers InProgress before it completes; default 1. */
  bulkPollsBeforeComplete?: number;
  /** Bulk API 2.0 records per rolling 24 hours; default 150,000,000 (bulk.ts). */
  bulkDailyRecords?: number;
  /** Records per internal Bulk batch; default 10,000 (bulk.ts). */
  bulkInternalBatchSize?: number;
  /** Largest Bulk upload, measured base64-encoded; default 150 MB (bulk.ts). */
  bulkMaxUploadBytes?: number;
  /** The clock of the 24-hour windows (ms); tests move it. */
  now?: () => number;
}

/** A scripted failure of whole calls. */
export interface ScriptedFailure {
  status: number;
  /** errorCode of the JSON error body; omit for a non-JSON body (`body`). */
  errorCode?: string;
  message?: string;
  /** A raw body instead of the JSON array, e.g. an HTML 503 page. */
  body?: string;
  retryAfterSeconds?: number;
  /** Only calls of this kind (see stats.byKind), e.g. `collections:upsert`; any call when absent. */
  kind?: string;
  /** How many calls fail; default 1. */
  times?: number;
}

export interface SalesforceStats {
  apiCalls: number;
  limited: number;
  tokenRequests: number;
  byKind: Record<string, number>;
  versions: Set<string>;
}

export interface SalesforceServer {
  /** Base URL: the login URL and the instance URL. */
  url: string;
  clientId: string;
  clientSecret: string;
  org: FakeOrg;
  stats: SalesforceStats;
  /** Every REST call: method, path (with query), kind and the status answered. */
  log: Array<{ method: string; path: string; kind: string; status: number }>;
  failNext(failure: ScriptedFailure): void;
  /** The next Bulk job that runs goes Failed after `afterRecords` records (its internal batches ran out of retries). */
  failNextBulkJob(failure: { afterRecords: number; errorMessage?: string }): void;
  /** Stands for `n` long-running requests of other integrations, until the returned function is called. */
  occupyLongRequests(n: number): () => void;
  expireSessions(): void;
  /** Clears stats and the log (not the records). */
  resetStats(): void;
  /** Drops scripted failures not used up yet. */
  clearFailures(): void;
  close(): Promise<void>;
}

export async function startSalesforceServer(options: SalesforceServerOptions = {}): Promise<SalesforceServer> {
  const clientId = options.clientId ?? 'switchboard-test-client';
  const clientSecret = options.clientSecret ?? 'switchboard-test-secret';
  const users = options.users ?? {};
  const now = options.now ?? Date.now;
  const org = new FakeOrg(options.externalIdFields);
  const api = restApi(org, options.queryPageSize ?? 2000, {
    pollsBeforeComplete: options.bulkPollsBeforeComplete ?? 1,
    dailyRecords: options.bulkDailyRecords ?? 150_000_000,
    internalBatchSize: options.bulkInternalBatchSize ?? 10_000,
    maxUploadBytes: options.bulkMaxUploadBytes ?? 150 * 1024 * 1024,
    now,
  });
  const tokens = new Set<string>();
  const failures: ScriptedFailure[] = [];
  const dailyMax = options.dailyApiRequests ?? 15_000;
  const longMax = options.concurrentLongRequests ?? 25;
  /** Start times of the calls counted against the allocation, oldest first. */
  const counted: number[] = [];
  let longInFlight = 0;
  const stats: SalesforceStats = { apiCalls: 0, limited: 0, tokenRequests: 0, byKind: {}, versions: new Set() };
  const log: SalesforceServer['log'] = [];
  let url = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/csv' : 'application/json;charset=UTF-8';
    res.writeHead(status, { ...(text === '' ? {} : { 'content-type': type }), 'sforce-limit-info': `api-usage=${used()}/${dailyMax}`, ...headers });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, errorCode: string, message: string, headers: Record<string, string> = {}): void =>
    send(res, status, [{ message, errorCode }], headers);

  // ---- OAuth ---------------------------------------------------------------------------------

  const token = (res: ServerResponse, form: URLSearchParams): void => {
    stats.tokenRequests += 1;
    const oauthError = (code: string, description: string) => {
      res.writeHead(400, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify({ error: code, error_description: description }));
    };
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials' && grant !== 'password') return oauthError('unsupported_grant_type', 'grant type not supported');
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return oauthError('invalid_client', 'invalid client credentials');
    if (grant === 'password') {
      const username = form.get('username') ?? '';
      if (users[username] === undefined || users[username] !== form.get('password')) return oauthError('invalid_grant', 'authentication failure');
    }
    const accessToken = `00DFAKE!${randomBytes(12).toString('hex')}`;
    tokens.add(accessToken);
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(
      JSON.stringify({
        access_token: accessToken,
        instance_url: url,
        id: `${url}/id/00D000000000001AAA/005000000000001AAA`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: 'fake',
        scope: 'api',
      }),
    );
  };

  // ---- REST ----------------------------------------------------------------------------------

  /** Names the call for stats and scripted failures. */
  const kindOf = (method: string, parts: string[]): string => {
    const [first, second, third, fourth] = parts;
    if (first === 'query' || first === 'queryAll') return parts.length > 1 ? 'queryMore' : 'query';
    if (first === 'limits') return 'limits';
    if (first === 'composite' && second === 'sobjects') {
      if (method === 'PATCH') return third === undefined ? 'collections:update' : 'collections:upsert';
      return method === 'POST' ? 'collections:create' : method === 'DELETE' ? 'collections:delete' : 'collections:other';
    }
    if (first === 'sobjects') {
      if (parts.length === 4) return 'sobject:upsert';
      return method === 'POST' ? 'sobject:create' : `sobject:${method === 'GET' ? 'get' : method === 'PATCH' ? 'update' : 'delete'}`;
    }
    if (first === 'jobs' && second === 'ingest') {
      if (third === undefined) return 'bulk:create';
      if (fourth === 'batches') return 'bulk:upload';
      if (fourth !== undefined) return 'bulk:results';
      return method === 'PATCH' ? 'bulk:state' : method === 'DELETE' ? 'bulk:delete' : 'bulk:status';
    }
    return 'other';
  };

  /** Calls counted in the rolling 24 hours ending now. */
  const used = (): number => {
    const t = now();
    while (counted.length > 0 && (counted[0] as number) <= t - 24 * 3600_000) counted.shift();
    return counted.length;
  };

  const rest = (req: IncomingMessage, res: ServerResponse, path: URL, text: string): string => {
    const match = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(path.pathname);
    const method = req.method ?? 'GET';
    if (match === null) {
      error(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return 'other';
    }
    const version = match[1] as string;
    const parts = (match[2] as string).split('/').filter((p) => p !== '');
    const kind = kindOf(method, parts);
    stats.apiCalls += 1;
    stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
    stats.versions.add(version);

    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice('Bearer '.length))) {
      error(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      return kind;
    }
    // Both limits answer 403 REQUEST_LIMIT_EXCEEDED without Retry-After (see the header comment).
    if (longInFlight >= longMax) {
      stats.limited += 1;
      error(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
      return kind;
    }
    if (used() >= dailyMax) {
      stats.limited += 1;
      error(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      return kind;
    }
    counted.push(now());
    const scripted = failures.find((f) => (f.times ?? 1) > 0 && (f.kind === undefined || f.kind === kind));
    if (scripted !== undefined) {
      scripted.times = (scripted.times ?? 1) - 1;
      if (scripted.times <= 0) failures.splice(failures.indexOf(scripted), 1);
      const headers: Record<string, string> = scripted.retryAfterSeconds === undefined ? {} : { 'retry-after': String(scripted.retryAfterSeconds) };
      if (scripted.body !== undefined) {
        res.writeHead(scripted.status, { 'content-type': 'text/html', ...headers });
        res.end(scripted.body);
      } else {
        error(res, scripted.status, scripted.errorCode ?? 'UNKNOWN_EXCEPTION', scripted.message ?? 'scripted failure', headers);
      }
      return kind;
    }
    const answer = api({ method, parts, version, search: path.searchParams, text, apiUsage: { used: used(), max: dailyMax } });
    send(res, answer.status, answer.body);
    return kind;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', url);
      let kind = 'other';
      try {
        if (path.pathname === '/services/oauth2/token' && req.method === 'POST') return token(res, new URLSearchParams(text));
        kind = rest(req, res, path, text);
      } catch (e) {
        if (res.headersSent) return;
        if (e instanceof RequestError) error(res, e.status, e.errorCode, e.message);
        else error(res, 500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred in the fake: ${(e as Error).message}`);
      } finally {
        if (path.pathname.startsWith('/services/data/')) log.push({ method: req.method ?? 'GET', path: `${path.pathname}${path.search}`, kind, status: res.statusCode });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    clientSecret,
    org,
    stats,
    log,
    failNext: (failure) => failures.push({ ...failure }),
    failNextBulkJob: (failure) => api.bulk.failNext(failure),
    occupyLongRequests: (n) => {
      longInFlight += n;
      let released = false;
      return () => {
        if (!released) longInFlight -= n;
        released = true;
      };
    },
    expireSessions: () => tokens.clear(),
    clearFailures: () => {
      failures.splice(0);
    },
    resetStats: () => {
      Object.assign(stats, { apiCalls: 0, limited: 0, tokenRequests: 0, byKind: {}, versions: new Set() });
      counted.splice(0);
      log.splice(0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e === undefined ? resolve() : reject(e)));
      }),
  };
}
