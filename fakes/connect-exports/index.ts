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
 * - `POST …/subaccounts/{sub}/messages/exports`, a JSON body `LogExportRequest` [SMS/CA/VOICE]
 *   of the documented fields and forms (see request.ts), from < to ("The value should less
 *   than value of `to`"); anything else is 400 code 1002 (OPEN: status, code and message of a
 *   refused body are not documented). Answers 202 `{jobId}`.
 * - `GET …/exports/{jobId}` [SMS/CA/VOICE 200]: `queued`, then `running`, then (after `polls`
 *   GETs) `succeeded` with `data` links and `expires` (a month later: "default expiry date of 1
 *   month"), or a scripted end (`failed`, `empty`, …); an unknown job is 404 `{code: 4018,
 *   message: "Invalid jobId"}` [404 example]; `DELETE` cancels (204) [cancel-log-export-job].
 * - The links are served by the fake itself: `…/messages/download/{token}` on the API host
 *   (bearer required) as in the docs' example link, or, with `separateDownloadHost`,
 *   `/files/{token}.csv` on a second server that refuses any Authorization header (like a
 *   pre-signed URL; INFERRED, links elsewhere are not documented); an expired link is 404 (API
 *   host) or 403 (file host) (INFERRED: not documented).
 * - The CSV: rows in [from, to) by `createdat` (SMS, Chat Apps) or `InitiatedAt` (Voice). Its
 *   columns (SMS documented [SMS 200], Voice from 8x8.md §2.7, Chat Apps NOT documented [CA]),
 *   the quoting and the masking of `msisdn` and `body` unless `unmasked`: see rows.ts.
 * - Not documented, so not modelled: the export rate limits (8x8.md §1.8 gives 429 +
 *   Retry-After for the SMS API); scripted faults (`fail()`) stand in for them.
 *
 * This file: the options and controls, routes, auth, jobs and downloads; request.ts checks a
 * start-export request, rows.ts holds the columns, the CSV, the masking and seeded rows.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { readTime, refuseBody, SUBACCOUNT } from './request.js';
import { CHATAPPS_COLUMNS, COLUMNS, mask, smsRow, TIME_COLUMN, toCsv, voiceRow, type Product, type Row } from './rows.js';
import { Faults, type Fault as SharedFault } from '../faults.js';

export {
  CHATAPPS_COLUMNS,
  COLUMNS,
  seedSmsRows,
  seedVoiceRows,
  smsRow,
  SMS_COLUMNS,
  TIME_COLUMN,
  toCsv,
  voiceRow,
  VOICE_COLUMNS,
  type Product,
  type Row,
  type SeedOptions,
} from './rows.js';

export type JobEnd = 'succeeded' | 'failed' | 'cancelled' | 'empty' | 'error';

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

export type Fault = SharedFault<{ method: string; path: string; product: Product | undefined }>;

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

export async function startFakeConnectExports(options: FakeConnectExportsOptions = {}): Promise<FakeConnectExports> {
  const apiKey = options.apiKey ?? 'test-connect-key';
  const subAccountId = options.subAccountId ?? 'acme_sub';
  const faults = new Faults<{ method: string; path: string; product: Product | undefined }>();
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
    fail: (fault) => faults.add(fault),
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

      const fault = faults.take({ method, path, product });
      if (fault) {
        send(fault.status, fault.body ?? { code: fault.status === 429 ? 1003 : 1000, message: fault.status === 429 ? 'Too many requests' : 'Internal error' }, fault.headers);
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
