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
 * - Query [OAS parameters, CDR §2]: `pbxId` (a PBX name, a comma list, or `allpbxes`),
 *   `startTime`/`endTime` (`YYYY-MM-DD HH:MM:SS`, read in `timeZone`), `timeZone` (an IANA
 *   name, "Examples America/New_York, Europe/London"), `pageSize` (int32, "the maximum value is
 *   7000") are required on every request, else 400; `isConnectTime`/`isSimplified` are booleans.
 *   INFERRED: the 400 body for a bad parameter is not documented (the fake answers the SHA001
 *   shape with `details[].path` naming the parameter); that names are case-sensitive as in the
 *   tz database (Java's ZoneId, presumably behind it, is), so `america/new_york` is refused; that
 *   `pageSize` must be at least 1.
 * - Records are filtered by `startTimeUTC` in [startTime, endTime); legs by
 *   `disconnectedTimeUTC`, or `connectTimeUTC` with `isConnectTime=true` [OAS isConnectTime].
 *   OPEN: whether endTime is inclusive, and the sort order (the fake: ascending by time, callId, legId).
 * - Paging [CDR "Pagination"]: `{meta:{totalRecordCount, scrollId}, data}`; the page after the
 *   last answers `data: []`, `totalRecordCount: 0` and `scrollId: "No Data"`. The documented
 *   scrollIds change on every page and decode (base64) to `<tenant>_<callId>[_<legId>]_<startTimeUTC>`
 *   of the page's last record: a keyset cursor. So by default the fake is stateless: a scrollId
 *   names the last record served, and the same request with it answers the same next page.
 *   OPEN: that reading is ours. `scroll: 'server'` keeps the older model (one id whose position
 *   moves on every request) so the client can be tested against both. An undecodable or
 *   unknown scrollId is 400.
 * - Not documented, so not modelled: rate limits (reference §9.6); scripted faults (`fail()`),
 *   e.g. 429 with Retry-After, stand in for them.
 *
 * Everything is inspectable: `requests`, `tokensIssued`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';

export type WorkRecord = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Without the base path and query, e.g. `/v2/call-records`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** What the fake answered. */
  status: number;
}

/** A scripted failure: the next `times` requests that `match` get this answer instead. */
export interface Fault {
  status: number;
  /** Retry-After header value, e.g. `7`. */
  retryAfter?: string;
  body?: unknown;
  times?: number;
  match?: (request: { method: string; path: string }) => boolean;
}

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
const QUERY_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** The tenant the fake's scrollIds carry, as `supertenantcsm` in the docs' examples. */
const TENANT = 'acmetenant';
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
  const scrollMode = options.scroll ?? 'stateless';
  /** `server` scrolls: scrollId → what remains to serve. */
  const scrolls = new Map<string, { rows: WorkRecord[]; offset: number; pageSize: number }>();
  const faults: Fault[] = [];
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
      faults.push({ times: 1, ...fault });
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
      const fault = faults.find((f) => (f.times ?? 1) > 0 && (!f.match || f.match({ method: req.method ?? 'GET', path })));
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        send(fault.status, fault.body ?? { status: fault.status, error: fault.status === 429 ? 'Too Many Requests' : 'Error' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
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
        const outcome = page(path === '/v2/call-records' ? fake.records : fake.legs, path === '/v2/call-legs', url.searchParams, path);
        if (fake.pageDelayMs > 0) setTimeout(() => send(outcome.status, outcome.body), fake.pageDelayMs);
        else send(outcome.status, outcome.body);
        return;
      }
      send(404, { status: 404, error: 'Not Found' });
    });
  });

  const pbxes = (): Set<string> => new Set(options.pbxes ?? ['acmecorp', ...[...fake.records, ...fake.legs].map((r) => String(r['pbxId'] ?? 'acmecorp'))]);

  function page(rows: WorkRecord[], legs: boolean, query: URLSearchParams, path: string): { status: number; body: unknown } {
    // INFERRED: the shape of a bad-parameter 400 is not documented; the SHA001 one's, naming the parameter.
    const bad = (parameter: string, message: string) => ({
      status: 400,
      body: { status: 400, message, code: 'SHA002', details: [{ type: 'invalidValue', location: 'query', path: [parameter], hint: message }] },
    });
    const pageSizeText = query.get('pageSize') ?? '';
    const pageSize = Number(pageSizeText);
    // [OAS] pageSize: integer, int32, "the maximum value is 7000". INFERRED: at least 1.
    if (!/^\d+$/.test(pageSizeText) || pageSize < 1 || pageSize > 7000) return bad('pageSize', 'pageSize is required: a whole number from 1 to 7000');
    const pbxId = query.get('pbxId') ?? '';
    if (pbxId === '') return bad('pbxId', 'pbxId is required');
    // [CDR] "the pbxId (PBX Name) … or comma separated list of pbxIds or allpbxes"; [OAS 403] for one the user may not see.
    const denied = pbxId === 'allpbxes' ? undefined : pbxId.split(',').find((name) => !pbxes().has(name));
    if (denied !== undefined) {
      const message = `user(${username}) does not have access to pbxId(${denied}) to make this request.`;
      return { status: 403, body: { timeStamp: DateTime.utc().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ"), status: 403, error: 'Access Denied', exception: message, message, path: `/api/analytics/report/external${path}` } };
    }
    for (const flag of ['isConnectTime', 'isSimplified']) {
      const value = query.get(flag);
      if (value !== null && value !== 'true' && value !== 'false') return bad(flag, `${flag} must be true or false`); // [OAS] type boolean
    }
    const timeZone = query.get('timeZone') ?? '';
    const startTime = query.get('startTime') ?? '';
    const endTime = query.get('endTime') ?? '';
    if (!QUERY_TIME.test(startTime)) return bad('startTime', 'startTime must be YYYY-MM-DD HH:MM:SS');
    if (!QUERY_TIME.test(endTime)) return bad('endTime', 'endTime must be YYYY-MM-DD HH:MM:SS');
    if (!isIanaName(timeZone)) return bad('timeZone', `Unknown time zone ${timeZone}: use an IANA name such as America/New_York`);
    const start = DateTime.fromFormat(startTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    const end = DateTime.fromFormat(endTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    if (!start.isValid || !end.isValid) return bad('startTime', 'startTime and endTime must be valid times');

    const scrollId = query.get('scrollId');
    if (scrollMode === 'server' && scrollId) {
      const scroll = scrolls.get(scrollId);
      if (!scroll) return bad('scrollId', 'Unknown scrollId');
      return serve(scrollId, scroll);
    }
    const field = !legs ? 'startTimeUTC' : query.get('isConnectTime') === 'true' ? 'connectTimeUTC' : 'disconnectedTimeUTC';
    const key = (row: WorkRecord): [number, string, string] => [Number(row[field]), String(row['callId']), String(row['legId'] ?? '')];
    const selected = rows
      .filter((row) => {
        const at = Number(row[field]);
        return at >= start.toMillis() && at < end.toMillis() && (pbxId === 'allpbxes' || pbxId.split(',').includes(String(row['pbxId'] ?? 'acmecorp')));
      })
      .sort((a, b) => compareKeys(key(a), key(b)));
    if (scrollMode === 'server') {
      const id = Buffer.from(`${randomBytes(9).toString('hex')}:${legs ? 'legs' : 'calls'}`).toString('base64');
      const scroll = { rows: selected, offset: 0, pageSize };
      scrolls.set(id, scroll);
      return serve(id, scroll);
    }
    // Stateless: the scrollId is the last record served, `<tenant>_<callId>[_<legId>]_<time>` in base64 (as the docs' decode).
    let from = 0;
    if (scrollId) {
      const after = readScrollId(scrollId, legs);
      if (after === null) return bad('scrollId', 'Invalid scrollId');
      from = selected.findIndex((row) => compareKeys(key(row), after) > 0);
      if (from === -1) from = selected.length;
    }
    const data = selected.slice(from, from + pageSize);
    const last = data[data.length - 1];
    if (last === undefined) return { status: 200, body: { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data } };
    const [time, callId, legId] = key(last);
    const next = Buffer.from(legs ? `${TENANT}_${callId}_${legId}_${time}` : `${TENANT}_${callId}_${time}`).toString('base64').replace(/=+$/, '');
    return { status: 200, body: { meta: { totalRecordCount: selected.length, scrollId: next }, data } };
  }

  function serve(id: string, scroll: { rows: WorkRecord[]; offset: number; pageSize: number }): { status: number; body: unknown } {
    const data = scroll.rows.slice(scroll.offset, scroll.offset + scroll.pageSize);
    scroll.offset += data.length;
    if (data.length === 0) scrolls.delete(id);
    return { status: 200, body: { meta: { totalRecordCount: data.length === 0 ? 0 : scroll.rows.length, scrollId: data.length === 0 ? 'No Data' : id }, data } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE}`;
  return fake;
}

/** A scrollId the stateless fake issued, read back as the key of the record it names; null when it is not one. */
function readScrollId(scrollId: string, legs: boolean): [number, string, string] | null {
  const parts = Buffer.from(scrollId, 'base64').toString('utf8').split('_');
  const time = Number(parts.pop());
  const legId = legs ? parts.pop() : '';
  const callId = parts.pop();
  if (parts.join('_') !== TENANT || callId === undefined || legId === undefined || !Number.isFinite(time)) return null;
  return [time, callId, legId];
}

function compareKeys(a: [number, string, string], b: [number, string, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/**
 * A tz database name, spelled as the database spells it: known to Intl and not changed by its
 * case folding (`america/new_york` is refused), never a bare offset (`+05:00`).
 */
export function isIanaName(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  // Intl folds case and links (US/Eastern → America/New_York); the name itself must be spelled right.
  return zone.split('/').every((segment) => /^[A-Z]/.test(segment));
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface SeedOptions {
  /** How many calls. */
  count: number;
  /** The first call's start. */
  start: Date;
  /** The zone of the local `startTime` strings (the one the pull will request). */
  timeZone: string;
  /** Time between call starts. Default 10 minutes. */
  spacingMs?: number;
  pbxId?: string;
}

const CALLEES = ['1042', 'CallQueue', 'Voicemail (120088)', '+16175550199', '120088'];

/**
 * Realistic, messy calls and their legs: callers with and without `+`, callees that are
 * extensions, "CallQueue", "Voicemail (120088)" or numbers, `missed` as "Missed"/"-",
 * `startTime` with a colon-less offset beside `startTimeUTC` epoch ms, `talkTime` "HH:MM:SS",
 * `connectTime` "0" and `connectTimeUTC` 0 when never connected, `callLegCount` a string.
 */
export function seedWorkCalls(options: SeedOptions): { records: WorkRecord[]; legs: WorkRecord[] } {
  const spacing = options.spacingMs ?? 10 * 60_000;
  const records: WorkRecord[] = [];
  const legs: WorkRecord[] = [];
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: options.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
  const hms = (ms: number): string => {
    const s = Math.floor(ms / 1000);
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  };
  for (let i = 0; i < options.count; i++) {
    const start = options.start.getTime() + i * spacing + (i % 7) * 1_013;
    const missed = i % 4 === 3;
    const ring = 4_000 + (i % 5) * 1_500;
    const talk = missed ? 0 : 30_000 + (i % 9) * 47_321;
    const connect = missed ? 0 : start + ring;
    const disconnect = start + ring + talk;
    const callId = String(1_741_000_000_000 + start % 1_000_000_000 + i);
    const callee = CALLEES[i % CALLEES.length] as string;
    const caller = i % 2 === 0 ? `+1617555${String(1000 + i).slice(-4)}` : `1617555${String(1000 + i).slice(-4)}`;
    const record: WorkRecord = {
      callId,
      sipCallId: `${randomBytes(4).toString('hex')}-${i}@203.0.113.10`,
      pbxId: options.pbxId ?? 'acmecorp',
      startTimeUTC: start,
      startTime: local(start),
      connectTimeUTC: connect,
      connectTime: missed ? '0' : local(connect),
      disconnectedTimeUTC: disconnect,
      disconnectedTime: local(disconnect),
      talkTimeMS: talk,
      talkTime: hms(talk),
      callTime: disconnect - start,
      caller,
      callerName: i % 3 === 0 ? caller.replace('+', '') : 'JOHN DOE',
      callerId: `JOHN DOE,${caller}`,
      callee,
      calleeName: callee === 'CallQueue' ? 'Support Queue' : 'Priya Patel',
      dnis: '16175550100',
      direction: i % 5 === 4 ? 'Outgoing' : 'Incoming',
      missed: missed ? 'Missed' : '-',
      abandoned: '-',
      answered: missed ? '-' : 'Answered',
      answeredTime: missed ? 0 : ring,
      ringDuration: Math.round(ring / 1000),
      abandonedTime: 0,
      waitTimeMS: 0,
      waitTime: '00:00:00',
      calleeHoldDurationMS: 0,
      calleeHoldDuration: '00:00:00',
      lastLegDisposition: missed ? (callee.startsWith('Voicemail') ? 'Voicemail' : 'Missed') : 'Answered',
      callLegCount: '2',
      aaDestination: null,
      departments: ['Support'],
      branches: ['Boston'],
    };
    records.push(record);
    for (const legId of ['1', '2']) {
      legs.push({
        callId,
        legId,
        parentCallId: callId,
        startTimeUTC: start,
        startTime: local(start),
        connectTimeUTC: connect,
        connectTime: missed ? '0' : local(connect),
        disconnectedTimeUTC: disconnect,
        disconnectedTime: local(disconnect),
        caller,
        callee: legId === '1' ? 'CallQueue' : callee,
        status: 'Completed',
        cause: missed ? 'Ring No Answer' : 'Normal Clearing',
        talkTimeMS: legId === '1' ? 0 : talk,
        talkTime: legId === '1' ? '00:00:00' : hms(talk),
      });
    }
  }
  return { records, legs };
}
