/**
 * A local stand-in for the 8x8 Connect log exports of SMS, Chat Apps and Voice. Sources, in the
 * public repo `8x8Cloud/public-developer-docs` (snapshot 859e59a, 2026-07-23):
 * [SMS] `docs_oas/connect/sms_api.json`, [CA] `docs_oas/connect/business_messaging_api.json`,
 * [VOICE] `docs_oas/connect/voice_v1_api.json` (operations `start-log-export-job`,
 * `get-log-export-job-result`, `cancel-log-export-job` and their `-1`/`voice-` twins; the same
 * pages as `docs/connect/reference/*-log-export-job*.api.mdx`), and ../shared/reference/8x8.md
 * §1.8 and §2.7 (our notes on them).
 *
 * - One server, each product under its own base: `/sms/api/v1`, `/chatapps/api/v1`,
 *   `/voice/api/v1` (`baseUrl(product)`) [SMS/CA servers; VOICE shows voice.wavecell.com].
 * - `Authorization: Bearer <apiKey>` [security `apiKey`; connect/docs/authentication] or 401
 *   `{code: 1200, message, errorId, timestamp}` (INFERRED: 401 and its body are not in these
 *   operations; the ErrorResponse shape is [SMS 404]).
 * - `{subAccountId}` must match `^[A-Za-z0-9\-._&]{3,50}$` [SMS/CA/VOICE path parameter]; the
 *   fake refuses another with 400 code 1002 (OPEN: the status and code for it are not
 *   documented). A well-formed one that is not the account's is 404 `{code: 1001, message:
 *   "Provided subAccountId doesn't belongs to your account"}` [SMS 404 ErrorResponse example].
 * - `POST …/subaccounts/{sub}/messages/exports`, a JSON body `LogExportRequest` [SMS/CA/VOICE]:
 *   `from`/`to` as `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm:ssZ`, `yyyy-MM-ddTHH:mm:ss` (UTC) or
 *   `yyyy-MM-ddTHH:mm:ss±hh:mm` ("The API will automatically determine whether the datetime is
 *   UTC or local based on the format"), from < to ("The value should less than value of `to`");
 *   no fraction of a second (none of the listed formats has one; OPEN: the schema also says
 *   `format: date-time`, which would allow it); `limit` an integer, 0 = unlimited (INFERRED:
 *   negative refused); SMS `phoneNumber` digits ("E.164", example `6511111111`), SMS/CA
 *   `countries` two-letter codes, CA `channelUserId` `<ISO alpha-2>.<up to 128 alphanumerics>`;
 *   Voice takes only from/to/limit. Anything else is 400 code 1002 (OPEN: status, code and
 *   message of a refused body are not documented). Answers 202 `{jobId}`.
 * - `GET …/exports/{jobId}` [SMS/CA/VOICE 200]: `queued`, then `running`, then (after `polls`
 *   GETs) `succeeded` with `data` links and `expires` (a month later: "default expiry date of 1
 *   month"), or a scripted end (`failed`, `empty`, …); an unknown job is 404 `{code: 4018,
 *   message: "Invalid jobId"}` [404 example]; `DELETE` cancels (204) [cancel-log-export-job].
 * - The links are served by the fake itself: `…/messages/download/{token}` on the API host
 *   (bearer required) as in the docs' example link, or, with `separateDownloadHost`,
 *   `/files/{token}.csv` on a second server that refuses any Authorization header (like a
 *   pre-signed URL; INFERRED, links elsewhere are not documented); an expired link is 404 (API
 *   host) or 403 (file host) (INFERRED: not documented).
 * - The CSV: SMS has the documented columns [SMS 200 "SMS Logs files format"], Voice those of
 *   8x8.md §2.7, every field quoted (INFERRED), rows in [from, to) by `createdat` (SMS, Chat
 *   Apps) or `InitiatedAt` (Voice). Chat Apps columns are NOT documented [CA lists none]: the
 *   fake serves the SMS columns plus `channel` and `channeluserid` unless `chatappsColumns`
 *   says otherwise. `msisdn` and `body` are masked (`+63922110xxxx`, `**MASKED**`) unless
 *   `unmasked` ("sensitive data such as message content and phone numbers are masked by
 *   default" [SMS 200]; the mask's form is from the message-details example).
 * - Not documented, so not modelled: the export rate limits (8x8.md §1.8 gives 429 +
 *   Retry-After for the SMS API); scripted faults (`fail()`) stand in for them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';

export type Product = 'sms' | 'chatapps' | 'voice';
export type Row = Record<string, string>;
export type JobEnd = 'succeeded' | 'failed' | 'cancelled' | 'empty' | 'error';

/** The documented SMS log-export columns, in order (Chat Apps: "same shape"). */
export const SMS_COLUMNS = [
  'umid', 'subaccountid', 'direction', 'country', 'operator', 'mcc', 'mnc', 'status_value', 'status_details', 'status_errorcode', 'status_errormessage',
  'status_timestamp', 'msisdn', 'source', 'encoding', 'createdat', 'smscount', 'price_currency', 'price_persms', 'price_total', 'clientmessageid',
  'clientbatchid', 'batchid', 'body',
] as const;

/** The documented Voice log-export columns, in order. */
export const VOICE_COLUMNS = [
  'SessionId', 'CallId', 'AccountId', 'SubAccountId', 'Direction', 'SourceCountryCode', 'SourceCountry', 'SourceOperator', 'SourceMCC', 'SourceMNC',
  'SourceEndpoint', 'DestinationCountryCode', 'DestinationCountry', 'DestinationOperator', 'DestinationMCC', 'DestinationMNC', 'DestinationEndpoint',
  'InitiatedAt', 'ConnectedAt', 'DisconnectedAt', 'DurationInSec', 'Product', 'BillingUnit', 'BillingIncrement', 'BillableDurationInSec', 'UnitPrice',
  'UnitPriceCurrency', 'TotalPriceOfCall', 'CallType', 'SipStatus', 'SessionStatus', 'CallStatus', 'TTSLength', 'MOS', 'Content',
] as const;

/** The default Chat Apps columns: an assumption, not documented (see `chatappsColumns`). */
export const CHATAPPS_COLUMNS = [...SMS_COLUMNS, 'channel', 'channeluserid'] as const;

export const COLUMNS: Readonly<Record<Product, readonly string[]>> = { sms: SMS_COLUMNS, chatapps: CHATAPPS_COLUMNS, voice: VOICE_COLUMNS };
/** The column a product's rows are filtered on. */
export const TIME_COLUMN: Readonly<Record<Product, string>> = { sms: 'createdat', chatapps: 'createdat', voice: 'InitiatedAt' };

export interface RecordedRequest {
  method: string;
  /** The full path, e.g. `/sms/api/v1/subaccounts/acme_sms/messages/exports`. */
  path: string;
  product: Product | undefined;
  /** `api` (the API host) or `files` (the separate download host). */
  host: 'api' | 'files';
  headers: IncomingMessage['headers'];
  /** The parsed JSON body of a POST. */
  body: unknown;
  status: number;
}

/** A scripted failure: the next `times` requests that `match` get this answer instead. */
export interface Fault {
  status: number;
  retryAfter?: string;
  body?: unknown;
  times?: number;
  match?: (request: { method: string; path: string; product: Product | undefined }) => boolean;
}

/** How the next started job behaves: GETs answering queued/running first (default `polls`), then `end`. */
export interface JobScript {
  end?: JobEnd;
  polls?: number;
}

export interface FakeJob {
  id: string;
  product: Product;
  subAccountId: string;
  from: Date;
  to: Date;
  /** GETs so far. */
  gets: number;
  polls: number;
  end: JobEnd;
  status: 'queued' | 'running' | JobEnd;
  /** Download tokens, one per file, and the CSV text each serves. */
  files: { token: string; csv: string; rows: number }[];
}

export interface FakeConnectExportsOptions {
  apiKey?: string;
  subAccountId?: string;
  /** GETs answering queued/running before a job ends. Default 2 (queued, running, then the end). */
  polls?: number;
  /** Rows per CSV file; 0 (default) puts a job's rows in one file. */
  rowsPerFile?: number;
  unmasked?: boolean;
  /**
   * The Chat Apps CSV header. Not documented (see the file comment); default the SMS columns
   * plus `channel` and `channeluserid` (INFERRED from the ChatApps webhook and export filter).
   * A test passes another set, e.g. one without `umid`.
   */
  chatappsColumns?: readonly string[];
  /** Serve downloads from a second server (another origin) that refuses bearer headers. */
  separateDownloadHost?: boolean;
  /** Planted rows, merged onto realistic defaults. */
  sms?: Partial<Row>[];
  chatapps?: Partial<Row>[];
  voice?: Partial<Row>[];
}

export interface FakeConnectExports {
  baseUrl(product: Product): string;
  rows: Record<Product, Row[]>;
  requests: RecordedRequest[];
  jobs: FakeJob[];
  /** The next jobs started follow these scripts, in order. */
  scriptJobs(...scripts: JobScript[]): void;
  fail(fault: Fault): void;
  /** Every download link issued so far stops working. */
  expireLinks(): void;
  /** 8x8 forgets every job so far (GET answers 404). */
  forgetJobs(): void;
  /** Every answer waits this many ms (so a test can kill a pull mid-download). */
  delayMs: number;
  close(): Promise<void>;
}

const ROUTE = /^\/(sms|chatapps|voice)\/api\/v1\/subaccounts\/([^/]+)\/messages\/(exports|download)(?:\/([^/]+))?$/;
/** [SMS/CA/VOICE] `LogExportRequest.from`/`to`: a date, or a datetime to the second, UTC (`Z` or none) or with an offset. */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?)?$/;
/** [SMS/CA/VOICE] the `subAccountId` path parameter's pattern. */
const SUBACCOUNT = /^[A-Za-z0-9\-._&]{3,50}$/;
/** The body fields each product documents. */
const BODY_FIELDS: Readonly<Record<Product, readonly string[]>> = {
  sms: ['from', 'to', 'phoneNumber', 'countries', 'limit'],
  chatapps: ['from', 'to', 'phoneNumber', 'countries', 'limit', 'channelUserId'],
  voice: ['from', 'to', 'limit'],
};

export async function startFakeConnectExports(options: FakeConnectExportsOptions = {}): Promise<FakeConnectExports> {
  const apiKey = options.apiKey ?? 'test-connect-key';
  const subAccountId = options.subAccountId ?? 'acme_sub';
  const faults: Fault[] = [];
  const scripts: JobScript[] = [];
  const expired = new Set<string>();
  const forgotten = new Set<string>();
  let apiOrigin = '';
  let filesOrigin = '';

  const fake: FakeConnectExports = {
    baseUrl: (product) => `${apiOrigin}/${product}/api/v1`,
    rows: {
      sms: (options.sms ?? []).map((row, i) => smsRow(row, i, subAccountId)),
      chatapps: (options.chatapps ?? []).map((row, i) => ({ channel: 'whatsapp', channeluserid: `BR.4821337701928${String(4431 + i)}`, ...smsRow(row, i, subAccountId) })),
      voice: (options.voice ?? []).map((row, i) => voiceRow(row, i, subAccountId)),
    },
    requests: [],
    jobs: [],
    scriptJobs: (...more) => void scripts.push(...more),
    fail: (fault) => void faults.push({ times: 1, ...fault }),
    expireLinks: () => fake.jobs.forEach((job) => job.files.forEach((f) => expired.add(f.token))),
    forgetJobs: () => fake.jobs.forEach((job) => forgotten.add(job.id)),
    delayMs: 0,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };

  const handler = (host: 'api' | 'files') => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const route = ROUTE.exec(path);
      const product = route?.[1] as Product | undefined;
      let body: unknown;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        fake.requests.push({ method, path, product, host, headers: req.headers, body, status });
        const text = typeof payload === 'string' ? payload : payload === undefined ? '' : JSON.stringify(payload);
        const answer = (): void => {
          res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/csv; charset=utf-8' : 'application/json', ...headers });
          res.end(text);
        };
        if (fake.delayMs > 0) setTimeout(answer, fake.delayMs);
        else answer();
      };
      const error = (status: number, code: number, message: string): void => send(status, { code, message, errorId: randomUUID(), timestamp: new Date().toISOString().replace('Z', '0000+00:00') });

      const fault = faults.find((f) => (f.times ?? 1) > 0 && (!f.match || f.match({ method, path, product })));
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        send(fault.status, fault.body ?? { code: fault.status === 429 ? 1003 : 1000, message: fault.status === 429 ? 'Too many requests' : 'Internal error' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        return;
      }
      if (host === 'files') {
        const token = /^\/files\/([^/]+)\.csv$/.exec(path)?.[1];
        if (req.headers.authorization !== undefined) return error(400, 1001, 'Only one auth mechanism allowed: the link is pre-signed');
        return serveFile(token, 403, send, error);
      }
      if (!route) return error(404, 1004, 'Not found');
      if (req.headers.authorization !== `Bearer ${apiKey}`) return error(401, 1200, 'Request was not authenticated properly');
      const sub = decodeURIComponent(route[2] ?? '');
      if (!SUBACCOUNT.test(sub)) return error(400, 1002, `Invalid subAccountId "${sub}": 3 to 50 of A-Z a-z 0-9 - . _ &`);
      if (sub !== subAccountId) return error(404, 1001, "Provided subAccountId doesn't belongs to your account");
      const [, , , kind, id] = route as unknown as [string, Product, string, string, string | undefined];
      if (kind === 'download') return method === 'GET' ? serveFile(id, 404, send, error) : error(405, 1005, 'Method not allowed');
      if (id === undefined) {
        if (method !== 'POST') return error(405, 1005, 'Method not allowed');
        const refused = refuseBody(product as Product, body);
        if (refused !== null) return error(400, 1002, refused);
        const query = (body ?? {}) as { from?: unknown; to?: unknown };
        const from = readTime(query.from);
        const to = readTime(query.to);
        if (!from || !to) return error(400, 1002, `Invalid ${!from ? 'from' : 'to'} date: use yyyy-MM-dd, yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss+hh:mm`);
        if (from >= to) return error(400, 1002, 'from must be before to');
        const script = scripts.shift() ?? {};
        const job: FakeJob = { id: randomBytes(32).toString('base64url'), product: product as Product, subAccountId, from, to, gets: 0, polls: script.polls ?? options.polls ?? 2, end: script.end ?? 'succeeded', status: 'queued', files: [] };
        fake.jobs.push(job);
        return send(202, { jobId: job.id });
      }
      const job = fake.jobs.find((j) => j.id === id && j.product === product && !forgotten.has(j.id));
      if (!job) return error(404, 4018, 'Invalid jobId');
      if (method === 'DELETE') {
        if (job.status === 'queued' || job.status === 'running') job.status = 'cancelled';
        return send(204, undefined);
      }
      if (method !== 'GET') return error(405, 1005, 'Method not allowed');
      job.gets += 1;
      if (job.status === 'queued' || job.status === 'running') job.status = job.gets > job.polls ? finish(job) : job.gets === 1 ? 'queued' : 'running';
      if (job.status !== 'succeeded') return send(200, { status: job.status });
      const links = job.files.map((f) => (options.separateDownloadHost ? `${filesOrigin}/files/${f.token}.csv` : `${fake.baseUrl(job.product)}/subaccounts/${job.subAccountId}/messages/download/${f.token}`));
      return send(200, { status: 'succeeded', data: links, expires: DateTime.utc().plus({ months: 1 }).toISO() });
    });
  };

  /** Builds the job's files when it ends; `succeeded` with no rows ends `empty`, as 8x8 does. */
  function finish(job: FakeJob): JobEnd {
    if (job.end !== 'succeeded') return job.end;
    const column = TIME_COLUMN[job.product];
    const rows = fake.rows[job.product]
      .filter((row) => {
        const at = Date.parse(row[column] ?? '');
        return at >= job.from.getTime() && at < job.to.getTime();
      })
      .sort((a, b) => Date.parse(a[column] ?? '') - Date.parse(b[column] ?? ''));
    if (rows.length === 0) return 'empty';
    const per = options.rowsPerFile || rows.length;
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per).map((row) => (options.unmasked || job.product === 'voice' ? row : mask(row)));
      const columns = job.product === 'chatapps' ? (options.chatappsColumns ?? CHATAPPS_COLUMNS) : COLUMNS[job.product];
      job.files.push({ token: randomBytes(24).toString('base64url'), csv: toCsv(columns, part), rows: part.length });
    }
    return 'succeeded';
  }

  function serveFile(token: string | undefined, expiredStatus: number, send: (status: number, payload: unknown) => void, error: (status: number, code: number, message: string) => void): void {
    const file = fake.jobs.flatMap((job) => job.files).find((f) => f.token === token);
    if (!file || expired.has(file.token)) return error(expiredStatus, 4019, 'The link has expired');
    send(200, file.csv);
  }

  const servers: Server[] = [createServer(handler('api'))];
  if (options.separateDownloadHost) servers.push(createServer(handler('files')));
  const origins = await Promise.all(
    servers.map(async (server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }),
  );
  apiOrigin = origins[0] as string;
  filesOrigin = origins[1] ?? apiOrigin;
  return fake;
}

/** Why a start-export body is refused, or null: only documented fields, each of its documented type and form. */
function refuseBody(product: Product, body: unknown): string | null {
  if (body === undefined) return null; // "required": false; from/to then default (OPEN: the fake still needs them)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object';
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !BODY_FIELDS[product].includes(name));
  if (unknown !== undefined) return `Unknown field ${unknown}`;
  const limit = fields['limit'];
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)) return 'limit must be a whole number, 0 for unlimited';
  const phone = fields['phoneNumber'];
  if (phone !== undefined && (typeof phone !== 'string' || !/^\+?[1-9]\d{6,14}$/.test(phone))) return 'phoneNumber must be a phone number in E.164 format';
  const countries = fields['countries'];
  if (countries !== undefined && (!Array.isArray(countries) || !countries.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c)))) return 'countries must be two-letter ISO 3166 codes';
  const user = fields['channelUserId'];
  if (user !== undefined && (typeof user !== 'string' || !/^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/.test(user))) return 'channelUserId must be <ISO alpha-2>.<up to 128 alphanumerics>';
  return null;
}

function readTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !TIME.test(value)) return null;
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  return parsed.isValid ? parsed.toJSDate() : null;
}

function mask(row: Row): Row {
  const msisdn = row['msisdn'] ?? '';
  return { ...row, msisdn: msisdn.length > 4 ? `${msisdn.slice(0, -4)}xxxx` : msisdn, body: '**MASKED**' };
}

/** RFC 4180 CSV, every field quoted (8x8's files quote; commas and newlines in bodies survive). */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
  return [columns.map(quote).join(','), ...rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

const BODIES = ['Your code is 482913', 'Hi Ana, your order #1042 has shipped, track it at https://acme.example/t/1042', 'Line one\nline two, with "quotes"', 'Reply STOP to opt out'];

const iso = (ms: number): string => new Date(ms).toISOString();

/** An SMS / Chat Apps export row: realistic defaults under `planted`. */
export function smsRow(planted: Partial<Row>, i: number, subAccountId = 'acme_sub'): Row {
  const created = Date.parse(planted['createdat'] ?? '2026-03-07T05:00:00.123Z');
  const outbound = i % 3 !== 2;
  const parts = String(1 + (i % 2));
  const defaults: Row = {
    umid: randomUUID(), subaccountid: subAccountId, direction: outbound ? '1' : '0', country: 'PH', operator: 'Globe Telecom', mcc: '515', mnc: '02',
    status_value: outbound ? 'delivered' : 'received', status_details: outbound ? 'delivered_to_recipient' : '', status_errorcode: '0', status_errormessage: '',
    status_timestamp: iso(created + 2_317), msisdn: `+63922110${String(1000 + (i % 9000)).padStart(4, '0')}`, source: outbound ? 'ACME' : '+6531580000',
    encoding: 'GSM7', createdat: iso(created), smscount: parts, price_currency: 'EUR', price_persms: '0.0154', price_total: (0.0154 * Number(parts)).toFixed(4),
    clientmessageid: i % 2 === 0 ? `order-${1000 + i}` : '', clientbatchid: '', batchid: '', body: BODIES[i % BODIES.length] as string,
  };
  return { ...defaults, ...(planted as Row) };
}

/** A Voice export row: realistic defaults under `planted`. */
export function voiceRow(planted: Partial<Row>, i: number, subAccountId = 'acme_sub'): Row {
  const initiated = Date.parse(planted['InitiatedAt'] ?? '2026-03-07T05:00:00.123Z');
  const answered = i % 4 !== 3;
  const duration = answered ? 30 + (i % 9) * 47 : 0;
  const defaults: Row = {
    SessionId: randomUUID(), CallId: answered ? randomUUID() : '', AccountId: 'acme', SubAccountId: subAccountId, Direction: i % 2 === 0 ? 'outbound' : 'inbound',
    SourceCountryCode: '65', SourceCountry: 'Singapore', SourceOperator: 'Singtel', SourceMCC: '525', SourceMNC: '01', SourceEndpoint: '+6531580000',
    DestinationCountryCode: '63', DestinationCountry: 'Philippines', DestinationOperator: 'Globe Telecom', DestinationMCC: '515', DestinationMNC: '02',
    DestinationEndpoint: `+63922110${String(1000 + (i % 9000)).padStart(4, '0')}`, InitiatedAt: iso(initiated), ConnectedAt: answered ? iso(initiated + 6_042) : '',
    DisconnectedAt: iso(initiated + 6_042 + duration * 1000), DurationInSec: String(duration), Product: 'Voice Messaging', BillingUnit: 'minute', BillingIncrement: '60+60',
    BillableDurationInSec: String(Math.ceil(duration / 60) * 60), UnitPrice: '0.0410', UnitPriceCurrency: 'USD', TotalPriceOfCall: (Math.ceil(duration / 60) * 0.041).toFixed(4),
    CallType: 'PSTN', SipStatus: answered ? '200' : '480', SessionStatus: answered ? 'COMPLETED' : 'NO_ANSWER', CallStatus: answered ? 'COMPLETED' : 'NO_ANSWER',
    TTSLength: answered ? '112' : '0', MOS: answered ? '4.3' : '', Content: answered ? 'Hello, this is Acme: your appointment is tomorrow at 10' : '',
  };
  return { ...defaults, ...(planted as Row) };
}

export interface SeedOptions {
  count: number;
  /** The first row's time. */
  start: Date;
  /** Time between rows. Default 10 minutes. */
  spacingMs?: number;
}

/** `count` SMS (or Chat Apps) rows from `start`, `spacingMs` apart, with ms like 8x8's. */
export function seedSmsRows(options: SeedOptions): Row[] {
  return Array.from({ length: options.count }, (_, i) => smsRow({ createdat: iso(options.start.getTime() + i * (options.spacingMs ?? 600_000) + (i % 7) * 113) }, i));
}

/** `count` Voice rows from `start`, `spacingMs` apart. */
export function seedVoiceRows(options: SeedOptions): Row[] {
  return Array.from({ length: options.count }, (_, i) => voiceRow({ InitiatedAt: iso(options.start.getTime() + i * (options.spacingMs ?? 600_000) + (i % 7) * 113) }, i));
}
