/**
 * A local stand-in for 8x8 Work Analytics (historical CDRs), following the documented
 * contract in ../shared/reference/8x8.md §4.2:
 *
 * - `POST /v1/oauth/token` with header `8x8-apikey` and form `username`/`password` answers
 *   `{access_token, token_type: "bearer", expires_in: 1800}`; anything else is 401;
 * - `GET /v2/call-records` and `/v2/call-legs` need `Authorization: Bearer` with a token
 *   that has not expired (by the fake's clock, or `expireTokens()`) AND `8x8-apikey`, else 401;
 * - `pbxId`, `startTime`/`endTime` (`YYYY-MM-DD HH:MM:SS`, read in the IANA `timeZone`),
 *   and `pageSize` (≤ 7000) are required, else 400;
 * - records are filtered by `startTimeUTC` in [startTime, endTime); legs by
 *   `disconnectedTimeUTC`, or `connectTimeUTC` with `isConnectTime=true`;
 * - `{meta:{totalRecordCount, scrollId}, data}` pages; the page after the last answers
 *   `data: []` and `scrollId: "No Data"`; an unknown scrollId is 400;
 * - scripted faults (`fail()`), e.g. 429 with Retry-After.
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

export async function startFakeWorkAnalytics(options: FakeWorkAnalyticsOptions = {}): Promise<FakeWorkAnalytics> {
  const apiKey = options.apiKey ?? 'test-api-key';
  const username = options.username ?? 'analyst@example.com';
  const password = options.password ?? 'correct horse';
  const now = options.now ?? Date.now;
  /** token → expiry (epoch ms). */
  const tokens = new Map<string, number>();
  /** scrollId → what remains to serve. */
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
        if (req.headers['8x8-apikey'] !== apiKey || form.get('username') !== username || form.get('password') !== password) {
          send(401, { error: 'invalid_grant', error_description: 'Bad credentials' });
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
        if (req.headers['8x8-apikey'] !== apiKey || expiry === undefined || expiry <= now() || fake.refuseAllTokens) {
          send(401, { status: 401, error: 'Unauthorized', message: 'Invalid or expired token' });
          return;
        }
        const outcome = page(path === '/v2/call-records' ? fake.records : fake.legs, path === '/v2/call-legs', url.searchParams);
        if (fake.pageDelayMs > 0) setTimeout(() => send(outcome.status, outcome.body), fake.pageDelayMs);
        else send(outcome.status, outcome.body);
        return;
      }
      send(404, { status: 404, error: 'Not Found' });
    });
  });

  function page(rows: WorkRecord[], legs: boolean, query: URLSearchParams): { status: number; body: unknown } {
    const bad = (message: string) => ({ status: 400, body: { status: 400, error: 'Bad Request', message } });
    const pageSize = Number(query.get('pageSize'));
    if (!query.get('pageSize') || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 7000) return bad('pageSize is required (1..7000)');
    const scrollId = query.get('scrollId');
    if (scrollId) {
      const scroll = scrolls.get(scrollId);
      if (!scroll) return bad('Unknown scrollId');
      return serve(scrollId, scroll);
    }
    const timeZone = query.get('timeZone') ?? '';
    const startTime = query.get('startTime') ?? '';
    const endTime = query.get('endTime') ?? '';
    if (!query.get('pbxId')) return bad('pbxId is required');
    if (!QUERY_TIME.test(startTime) || !QUERY_TIME.test(endTime)) return bad('startTime and endTime must be YYYY-MM-DD HH:MM:SS');
    const start = DateTime.fromFormat(startTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    const end = DateTime.fromFormat(endTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    if (!timeZone || !start.isValid || !end.isValid) return bad('timeZone must be an IANA time zone');
    const field = !legs ? 'startTimeUTC' : query.get('isConnectTime') === 'true' ? 'connectTimeUTC' : 'disconnectedTimeUTC';
    const selected = rows.filter((row) => {
      const at = Number(row[field]);
      return at >= start.toMillis() && at < end.toMillis();
    });
    const id = Buffer.from(`${randomBytes(9).toString('hex')}:${legs ? 'legs' : 'calls'}`).toString('base64');
    const scroll = { rows: selected, offset: 0, pageSize };
    scrolls.set(id, scroll);
    return serve(id, scroll);
  }

  function serve(id: string, scroll: { rows: WorkRecord[]; offset: number; pageSize: number }): { status: number; body: unknown } {
    const data = scroll.rows.slice(scroll.offset, scroll.offset + scroll.pageSize);
    scroll.offset += data.length;
    if (data.length === 0) scrolls.delete(id);
    return { status: 200, body: { meta: { totalRecordCount: scroll.rows.length, scrollId: data.length === 0 ? 'No Data' : id }, data } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE}`;
  return fake;
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
