/**
 * A local stand-in for the Zendesk Support API (tickets and job statuses), following the
 * documented contract in ../shared/reference/clients-and-apis.md §2:
 *
 * - API token auth, `Authorization: Basic base64("{email}/token:{token}")`
 *   (https://developer.zendesk.com/api-reference/introduction/security-and-auth/); anything else
 *   is 401 `{"error":"Couldn't authenticate you"}` [docs leave open the exact 401 body; the
 *   reference §2.1 marks it unverified]; `forbidden` turns every call into 403;
 * - Tickets API (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/):
 *   List Tickets by `external_id`, show, show_many, create (201, with Idempotency-Key), update
 *   and delete: see tickets.ts; `POST /tickets/create_many` and `PUT /tickets/update_many`
 *   (≤100 tickets) answer a `queued` job status
 *   (https://developer.zendesk.com/api-reference/ticketing/ticket-management/job_statuses/)
 *   whose writes are made when the job runs: see bulk.ts and jobs.ts;
 * - validation errors as `422 {"error":"RecordInvalid","description":…,"details":{…}}`;
 * - rate limits (https://developer.zendesk.com/api-reference/introduction/rate-limits/):
 *   `X-Rate-Limit` / `X-Rate-Limit-Remaining` on every answer, 429 with Retry-After past
 *   `requestsPerMinute` (the plan's account limit), and scripted faults (`fail()`): 429 with a
 *   JSON or plain-text body, 500, 503 with Retry-After;
 * - List Tickets' own limit (same page, "List Tickets limits"; `ratelimit-*` and
 *   `zendesk-ratelimit-tickets-index` headers, 429 past `ticketsIndexPerMinute`): tickets.ts;
 * - the job limit (same page, "Job limit"): at most `maxJobs` (30) jobs queued or running per
 *   account, else 429 `TooManyJobs`: jobs.ts;
 * - `.json` after any path is accepted, as Zendesk does.
 *
 * Everything is inspectable: `tickets`, `requests`, `count()`.
 *
 * This file: the options and controls, auth, the account rate limit and scripted faults.
 * The endpoints: tickets.ts (single tickets, List Tickets and its own limit, Idempotency-Key),
 * bulk.ts (create_many, update_many), jobs.ts (job statuses and the job limit); the tickets
 * themselves and their validation: store.ts. Each cites the pages above next to what it does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleBulk } from './bulk.js';
import { readBody, type Exchange } from './exchange.js';
import { JobQueue } from './jobs.js';
import { failureDetails, isFailure, TicketStore, type FakeTicket } from './store.js';
import { TicketRoutes } from './tickets.js';
import { Faults, type Fault as SharedFault } from '../faults.js';

export type { FakeTicket } from './store.js';

export interface RecordedRequest {
  method: string;
  /** Without `.json` and the query, e.g. `/api/v2/tickets/create_many`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** What the fake answered. */
  status: number;
}

/** A scripted failure (fakes/faults.ts); `body` may be a string, sent as text/plain (Zendesk's 429s may be plain text, reference §2.4). */
export type Fault = SharedFault;

export interface FakeZendeskOptions {
  email?: string;
  token?: string;
  /** Polls a bulk job answers `working` before `completed`; default 1 (so queued → working → completed). */
  jobPolls?: number;
  /** A job also completes on its own this long after it was queued, polled or not, as Zendesk's do; default 500 ms (Infinity: never). */
  jobMs?: number;
  /** Past this many requests in a minute, 429 with Retry-After; default 700 (Enterprise). */
  requestsPerMinute?: number;
  /** List Tickets (`GET /tickets`, also with `external_id`) per minute, its own budget; default 100. */
  ticketsIndexPerMinute?: number;
  /** Jobs queued or running at once per account; default 30. */
  maxJobs?: number;
}

export interface FakeZendesk {
  /** `http://127.0.0.1:<port>`: the account URL (`/api/v2` below it). */
  url: string;
  email: string;
  token: string;
  tickets: Map<number, FakeTicket>;
  requests: RecordedRequest[];
  /** Requests by method and path (exact, or a RegExp), e.g. `count('POST', '/api/v2/tickets')`. */
  count(method: string, path: string | RegExp): number;
  byExternalId(externalId: string): FakeTicket[];
  /** A ticket made directly in the store (as an agent would), e.g. `{ external_id: 'call-1', subject: 'x' }`. */
  addTicket(fields: Partial<FakeTicket> & { subject: string }): FakeTicket;
  fail(fault: Fault): void;
  /** The next bulk job ends `failed` (or `killed`) without doing anything. */
  failNextJob(status?: 'failed' | 'killed'): void;
  /** Runs every queued job to completion now, as Zendesk would while nobody polls. */
  completeJobs(): void;
  /** Every call answers 403 while true. */
  forbidden: boolean;
  /** Queues `count` jobs of another integration that never finish on their own (`completeJobs()` ends them). */
  addForeignJobs(count: number): void;
  /** Called as each request arrives, before it is answered. */
  onRequest: ((method: string, path: string) => void) | undefined;
  /** See FakeZendeskOptions.jobMs; applies to jobs queued after the change. */
  jobMs: number;
  /** Forgets tickets, requests, jobs, faults and Idempotency-Keys: a fresh account. */
  reset(): void;
  jobPolls: number;
  close(): Promise<void>;
}

export async function startFakeZendesk(options: FakeZendeskOptions = {}): Promise<FakeZendesk> {
  const email = options.email ?? 'agent@example.com';
  const token = options.token ?? 'zendesk-test-token';
  const expectedAuth = `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
  const store = new TicketStore();
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const limit = options.requestsPerMinute ?? 700;
  let window = { start: Date.now(), used: 0 };
  let baseUrl = '';

  const fake: FakeZendesk = {
    url: '',
    email,
    token,
    tickets: store.tickets,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length,
    byExternalId: (externalId) => store.byExternalId(externalId),
    addTicket: (fields) => {
      const created = store.create({ comment: { body: fields.description ?? 'Made by an agent' }, ...fields });
      if (isFailure(created)) throw new Error(failureDetails(created));
      Object.assign(created, { ...fields, id: created.id });
      return created;
    },
    fail: (fault) => faults.add(fault),
    failNextJob: (status = 'failed') => {
      jobs.failNext(status);
    },
    completeJobs: () => {
      jobs.completeAll();
    },
    forbidden: false,
    onRequest: undefined,
    addForeignJobs: (count) => {
      jobs.addForeign(count);
    },
    reset: () => {
      store.tickets.clear();
      requests.length = 0;
      faults.clear();
      jobs.reset();
      tickets.reset();
      fake.forbidden = false;
      fake.onRequest = undefined;
      window = { start: Date.now(), used: 0 };
      fake.jobPolls = options.jobPolls ?? 1;
      fake.jobMs = options.jobMs ?? 500;
    },
    jobMs: options.jobMs ?? 500,
    jobPolls: options.jobPolls ?? 1,
    close: () => {
      jobs.stopTimers();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  const jobs = new JobQueue(fake, options.maxJobs ?? 30, () => baseUrl);
  const tickets = new TicketRoutes(store, options.ticketsIndexPerMinute ?? 100, { limit, used: () => window.used }, () => baseUrl);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\.json$/, '');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = null;
    const record: RecordedRequest = { method, path, query: url.searchParams, headers: req.headers, body, status: 0 };
    requests.push(record);
    fake.onRequest?.(method, path);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): true => {
      record.status = status;
      const rate = { 'x-rate-limit': String(limit), 'x-rate-limit-remaining': String(Math.max(0, limit - window.used)) };
      if (payload === null) {
        res.writeHead(status, { ...rate, ...headers }).end();
      } else if (typeof payload === 'string') {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...rate, ...headers }).end(payload);
      } else {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...rate, ...headers }).end(JSON.stringify(payload));
      }
      return true;
    };

    if (req.headers.authorization !== expectedAuth) return send(401, { error: "Couldn't authenticate you" });
    if (fake.forbidden) return send(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
    // A fixed one-minute window, as Zendesk's per-minute account limit (reference §2.4).
    if (Date.now() - window.start >= 60_000) window = { start: Date.now(), used: 0 };
    window.used += 1;
    if (window.used > limit) {
      const seconds = Math.max(1, Math.ceil((window.start + 60_000 - Date.now()) / 1000));
      return send(429, { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' }, { 'retry-after': String(seconds) });
    }
    const fault = faults.take({ method, path });
    if (fault !== undefined) {
      return send(fault.status, fault.body ?? { error: 'ServerError', description: `Scripted ${fault.status}` }, fault.headers);
    }
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
        record.body = body;
      } catch {
        return send(400, { error: 'InvalidJSON', description: 'The request body is not valid JSON' });
      }
    }
    const exchange: Exchange = {
      req,
      method,
      path,
      url,
      raw,
      input: (body ?? {}) as Record<string, unknown>,
      send,
      notFound: () => send(404, { error: 'RecordNotFound', description: 'Not found' }),
    };
    return tickets.handle(exchange) || handleBulk(exchange, store, jobs) || jobs.handle(exchange) || send(404, { error: 'InvalidEndpoint', description: 'Not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'InternalError', description: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = baseUrl;
  return fake;
}
