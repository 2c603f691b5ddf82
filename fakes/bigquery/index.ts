/**
 * A local BigQuery (REST API v2, https://cloud.google.com/bigquery/docs/reference/rest) for the
 * BigQuery warehouse's tests, driven through the real @google-cloud/bigquery 8. It serves what
 * that library sends for query jobs, datasets, tables and streaming inserts, under
 * `/bigquery/v2/projects/{projectId}/`:
 *
 * | call | path | file |
 * |---|---|---|
 * | jobs.insert / get / cancel | `POST jobs`, `GET jobs/{id}`, `POST jobs/{id}/cancel` | jobs.ts |
 * | jobs.getQueryResults / jobs.query | `GET queries/{id}`, `POST queries` | jobs.ts |
 * | datasets.insert / get / list / delete | `datasets[/{d}]` | catalog.ts |
 * | tables.insert / get / list / patch / update / delete | `datasets/{d}/tables[/{t}]` | catalog.ts |
 * | tabledata.insertAll | `POST datasets/{d}/tables/{t}/insertAll` | catalog.ts |
 * | OAuth token endpoint | `POST /token` | credentials.ts |
 *
 * It never reads SQL: `respond(job => result)` decides each query's rows or error (jobs.ts).
 * Request errors carry BigQuery's error body (errors.ts); a call without a Bearer token the
 * fake issued answers 401 `authError` ("Invalid Credentials") [? the error table does not list
 * 401s; the body is the generic Google API one].
 *
 * Auth with no internet (credentials.ts): `writeFakeCredentials(dir, fake)` writes a credential
 * file whose token endpoint is this server, then
 * `new BigQuery({ projectId: fake.projectId, apiEndpoint: fake.url, keyFilename })`.
 *
 * Knobs and records:
 * - `requests`: every request (token ones too): method, path, query, body, headers, kind
 *   (`jobs.insert`, `tabledata.insertAll`, `token`, …) and the status answered.
 * - `jobs`: every query job the responder saw, decoded (query, params, configuration, labels,
 *   session, maximumBytesBilled), in order.
 * - `catalog`: datasets and tables (schema, timePartitioning, clustering) and streamed rows;
 *   `catalog.rejectRows(fn)` refuses rows of insertAll.
 * - `failNext({ status, reason, kind, times, afterProcessing })`: the next matching calls answer
 *   that error instead (fakes/faults.ts). `afterProcessing` runs the call first and loses its
 *   answer, as a timeout after the server acted does: a retried jobs.insert then meets its own
 *   job (409 duplicate) and is not run twice.
 *
 * @example
 *   const fake = await startFakeBigQuery();
 *   const keyFilename = await writeFakeCredentials(dir, fake);
 *   const bq = new BigQuery({ projectId: fake.projectId, apiEndpoint: fake.url, keyFilename });
 *   fake.respond((job) => ({ schema: [{ name: 'n', type: 'INT64' }], rows: [{ n: job.params.n }] }));
 *   const [rows] = await bq.query({ query: 'SELECT @n AS n', params: { n: 1 } });
 *   await fake.close();
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, type Fault } from '../faults.js';
import { FakeCatalog } from './catalog.js';
import { fakeCredentials, newOAuthClient, tokenResponse, writeFakeCredentials, type FakeOAuthClient } from './credentials.js';
import { BigQueryRequestError, errorBody, STATUS_REASON } from './errors.js';
import { FakeJobs, type QueryJob, type Responder } from './jobs.js';

export { FakeCatalog, type FakeDataset, type FakeTable, type RowRejector, type TableMetadata } from './catalog.js';
export { fakeCredentials, writeFakeCredentials, type FakeOAuthClient } from './credentials.js';
export { errorBody, REASON_STATUS, type ErrorProto } from './errors.js';
export type { QueryFailure, QueryJob, QueryResult, QueryRows, Responder } from './jobs.js';
export type { SchemaField } from './values.js';

export interface FakeBigQueryOptions {
  /** The project the catalog's helpers default to; default `switchboard-test`. */
  projectId?: string;
  /** Location of jobs and datasets created without one; default `US`. */
  location?: string;
  /** Rows / list items per page when the client sets no maxResults; default 1000 [? BigQuery sizes result pages by bytes (about 10 MB), the docs give no row count]. */
  pageSize?: number;
  /** Refuse calls without an issued Bearer token (401); default true. */
  requireAuth?: boolean;
  /** Clock for creationTime and friends (ms); default Date.now. */
  now?: () => number;
}

/** One HTTP request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/bigquery/v2/projects/p/jobs`. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (the form, as an object, for /token); undefined when empty. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The REST method's name, e.g. `jobs.insert`, `tables.get`, `token`; `unknown` otherwise. */
  kind: string;
  status: number;
}

/** What a fault matches on. */
export interface BigQueryCall {
  method: string;
  path: string;
  kind: string;
}

/** A scripted failure: the next `times` matching calls answer `status` with a BigQuery error body. */
export interface BigQueryFault extends Fault<BigQueryCall> {
  /** Only calls of this kind, e.g. `jobs.insert`; any call when absent (and no `match`). */
  kind?: string;
  /** ErrorProto reason; default by status (503 backendError, 429 rateLimitExceeded, …). */
  reason?: string;
  message?: string;
  /** Run the call, then answer the failure instead of its result (the answer was lost). */
  afterProcessing?: boolean;
}

export interface FakeBigQuery {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the library's `apiEndpoint`. */
  url: string;
  projectId: string;
  oauth: FakeOAuthClient;
  catalog: FakeCatalog;
  requests: RecordedRequest[];
  jobs: QueryJob[];
  /** Access tokens the token endpoint issued. */
  issuedTokens: Set<string>;
  /** Sets the responder that decides every query's result; default: no rows, numDmlAffectedRows "0". */
  respond(responder: Responder): void;
  failNext(fault: BigQueryFault): void;
  clearFaults(): void;
  /** The credential file's JSON (see credentials.ts). */
  credentials(): Record<string, string>;
  /** Writes the credential file into `dir`; returns its path for `keyFilename`. */
  writeCredentials(dir: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeBigQuery(options: FakeBigQueryOptions = {}): Promise<FakeBigQuery> {
  const projectId = options.projectId ?? 'switchboard-test';
  const location = options.location ?? 'US';
  const pageSize = options.pageSize ?? 1000;
  const now = options.now ?? Date.now;
  const oauth = newOAuthClient();
  const catalog = new FakeCatalog(projectId, location, now);
  const jobs = new FakeJobs(location, now);
  const before = new Faults<BigQueryCall>();
  const after = new Faults<BigQueryCall>();
  const issuedTokens = new Set<string>();
  const requests: RecordedRequest[] = [];
  let url = '';

  /** Routes one BigQuery call; returns status and body. */
  const route = (method: string, projectId: string, parts: string[], search: URLSearchParams, body: Record<string, unknown>): { status: number; body?: unknown } => {
    const [first, id, action] = parts;
    if (first === 'jobs' && method === 'POST' && id === undefined) return { status: 200, body: jobs.insert(projectId, body) };
    if (first === 'jobs' && id !== undefined && method === 'GET' && action === undefined) return { status: 200, body: jobs.get(projectId, id, search.get('location')) };
    if (first === 'jobs' && id !== undefined && method === 'POST' && action === 'cancel') return { status: 200, body: jobs.cancel(projectId, id, search.get('location')) };
    if (first === 'queries' && method === 'POST' && id === undefined) return { status: 200, body: jobs.query(projectId, body, pageSize) };
    if (first === 'queries' && method === 'GET' && id !== undefined && action === undefined) return { status: 200, body: jobs.results(projectId, id, search, pageSize) };
    const answer = catalog.handle({ method, projectId, parts, search, body }, pageSize);
    if (answer !== undefined) return answer;
    throw new BigQueryRequestError('notFound', `Not found: ${method} ${parts.join('/')} is not served by the fake BigQuery`, 404);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const target = new URL(req.url ?? '/', url);
      const method = req.method ?? 'GET';
      const record: RecordedRequest = { method, path: target.pathname, query: Object.fromEntries(target.searchParams), body: undefined, headers: req.headers, kind: 'unknown', status: 0 };
      requests.push(record);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        record.status = status;
        const payload = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { ...(payload === '' ? {} : { 'content-type': 'application/json; charset=UTF-8' }), ...headers });
        res.end(payload);
      };
      try {
        if (target.pathname === '/token' && method === 'POST') {
          const form = new URLSearchParams(text);
          record.kind = 'token';
          record.body = Object.fromEntries(form);
          const answer = tokenResponse(oauth, req.headers.authorization, form);
          if (answer.accessToken !== undefined) issuedTokens.add(answer.accessToken);
          return send(answer.status, answer.body);
        }
        const match = /^\/bigquery\/v2\/projects\/([^/]+)\/?(.*)$/.exec(target.pathname);
        if (match === null) throw new BigQueryRequestError('notFound', `Not found: ${target.pathname}`, 404);
        const project = decodeURIComponent(match[1] as string);
        const parts = (match[2] as string).split('/').filter((p) => p !== '').map(decodeURIComponent);
        record.kind = kindOf(method, parts);
        record.body = text === '' ? undefined : JSON.parse(text);
        const auth = req.headers.authorization ?? '';
        if (options.requireAuth !== false && !(auth.startsWith('Bearer ') && issuedTokens.has(auth.slice(7)))) {
          const body = errorBody(401, [{ reason: 'authError', message: 'Invalid Credentials', location: 'Authorization' }]);
          return send(401, body, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
        }
        const call: BigQueryCall = { method, path: target.pathname, kind: record.kind };
        const early = before.take(call);
        if (early !== undefined) return send(early.status, early.body, early.headers);
        const answer = route(method, project, parts, target.searchParams, (record.body ?? {}) as Record<string, unknown>);
        const late = after.take(call);
        if (late !== undefined) return send(late.status, late.body, late.headers);
        send(answer.status, answer.body);
      } catch (e) {
        if (e instanceof BigQueryRequestError) return send(e.status, errorBody(e.status, [e.proto]));
        if (e instanceof SyntaxError) return send(400, errorBody(400, [{ reason: 'parseError', message: `Invalid JSON payload received. ${e.message}` }]));
        send(500, errorBody(500, [{ reason: 'internalError', message: `An internal error occurred in the fake BigQuery: ${(e as Error).message}` }]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeBigQuery = {
    url,
    projectId,
    oauth,
    catalog,
    requests,
    jobs: jobs.log,
    issuedTokens,
    respond: (responder) => jobs.respond(responder),
    failNext: (fault) => {
      const { kind, reason, message, afterProcessing, match, ...rest } = fault;
      const body = fault.body ?? errorBody(fault.status, [{ reason: reason ?? STATUS_REASON[fault.status] ?? 'backendError', message: message ?? `Scripted failure ${fault.status} from the fake BigQuery` }]);
      const matcher = (call: BigQueryCall): boolean => (kind === undefined || call.kind === kind) && (match?.(call) ?? true);
      (afterProcessing === true ? after : before).add({ ...rest, body, match: matcher });
    },
    clearFaults: () => {
      before.clear();
      after.clear();
    },
    credentials: () => fakeCredentials(fake),
    writeCredentials: (dir) => writeFakeCredentials(dir, fake),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e === undefined ? resolve() : reject(e)));
      }),
  };
  return fake;
}

/** The REST method a request is, for records and faults. */
function kindOf(method: string, parts: string[]): string {
  const [first, id, tables, tableId, action] = parts;
  if (first === 'jobs') return id === undefined ? (method === 'POST' ? 'jobs.insert' : 'jobs.list') : id !== undefined && tables === 'cancel' ? 'jobs.cancel' : 'jobs.get';
  if (first === 'queries') return id === undefined ? 'jobs.query' : 'jobs.getQueryResults';
  if (first !== 'datasets') return 'unknown';
  const verb = (collection: string, item: string | undefined): string => {
    if (item === undefined) return `${collection}.${method === 'POST' ? 'insert' : 'list'}`;
    return `${collection}.${{ GET: 'get', DELETE: 'delete', PATCH: 'patch', PUT: 'update' }[method] ?? method.toLowerCase()}`;
  };
  if (tables === undefined) return verb('datasets', id);
  if (action === 'insertAll') return 'tabledata.insertAll';
  return verb('tables', tableId);
}
