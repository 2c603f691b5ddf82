/**
 * A local stand-in for PagerDuty's Events API v2, for tests of the PagerDuty alert route. It
 * follows the documented contract:
 *
 * - Overview and retry logic: https://developer.pagerduty.com/docs/events-api-v2/overview/
 *   (and the OpenAPI document it is generated from,
 *   https://github.com/PagerDuty/api-schema/blob/main/reference/events-v2/openapiv3.json):
 *   `POST /v2/enqueue`, a JSON body; "202 Accepted - The event has been accepted";
 *   "400 Bad Request - Check that the JSON is valid", not to be retried; "429 Too many API
 *   calls at a time", to be retried after some time; 5xx, to be retried.
 * - Send an event: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ —
 *   `routing_key` and `event_action` (`trigger`, `acknowledge`, `resolve`) required; a
 *   trigger needs `payload.summary`, `payload.source` and `payload.severity` (`critical`,
 *   `error`, `warning`, `info`); `dedup_key` optional on a trigger (PagerDuty makes one and
 *   returns it), at most 255 characters; `payload.summary` at most 1024 characters
 *   [? the docs say longer summaries are truncated; refused here, so a test notices].
 * - Resolve: https://developer.pagerduty.com/docs/events-api-v2/resolve-events/ — the same
 *   endpoint with `event_action: resolve` and the trigger's `dedup_key` (required).
 * - Answers: 202 `{"status":"success","message":"Event processed","dedup_key":"…"}`; 400
 *   `{"status":"invalid event","message":"Event object is invalid","errors":["…"]}` (the
 *   example error names the routing key's length: "should be 32 characters"); 429 with an
 *   empty body [? the docs show no body and no Retry-After for 429; a test may ask for one].
 * - An acknowledge or resolve for a dedup_key with no open alert is accepted and changes
 *   nothing [? the docs leave this open].
 *
 * Test controls: every accepted event is recorded ({@link FakePagerDuty.events}) with the
 * alert state per dedup_key ({@link FakePagerDuty.alerts}); {@link FakePagerDuty.failNext}
 * forces a 429, a 5xx, a 400 or a slow answer.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; timestamp?: string; component?: string; group?: string; class?: string; custom_details?: Record<string, unknown> };
  client?: string;
  client_url?: string;
}

/** One alert as PagerDuty would hold it: opened by a trigger, closed by a resolve. */
export interface FakeAlert {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  /** Triggers received while open (the first and its duplicates). */
  triggers: number;
}

export type ForcedAnswer = { status: 429; retryAfter?: number } | { status: 400 | 500 | 502 | 503 } | { delayMs: number };

export interface FakePagerDuty {
  /** The enqueue URL, e.g. `http://127.0.0.1:41234/v2/enqueue` (alerts.routes.pagerduty.url). */
  url: string;
  /** Every event accepted (202), in order. */
  events: PagerDutyEvent[];
  /** Every request received, accepted or not. */
  requests: number;
  /** The alert per dedup_key. */
  alerts: Map<string, FakeAlert>;
  /** The next `times` requests get this answer instead (a 429, a 5xx, a 400, or the normal answer `delayMs` late). */
  failNext(answer: ForcedAnswer, times?: number): void;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const forced: ForcedAnswer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let generated = 0;

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const invalid = (response: ServerResponse, errors: string[]): void => json(response, 400, { status: 'invalid event', message: 'Event object is invalid', errors });

  const accept = (text: string, response: ServerResponse): void => {
    let event: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid(response, ['Event object must be a JSON object']);
      event = parsed as Record<string, unknown>;
    } catch {
      return json(response, 400, { status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: ['JSON parse error'] });
    }
    const errors: string[] = [];
    const key = event.routing_key;
    if (typeof key !== 'string') errors.push("'routing_key' is missing or blank");
    else if (key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    const action = event.event_action;
    if (typeof action !== 'string' || !ACTIONS.includes(action)) errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
    const dedupKey = event.dedup_key;
    if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
    if (action !== 'trigger' && dedupKey === undefined) errors.push("'dedup_key' is required for acknowledge and resolve events");
    const payload = event.payload as Record<string, unknown> | undefined;
    if (action === 'trigger') {
      if (typeof payload !== 'object' || payload === null) errors.push("'payload' is missing");
      else {
        if (typeof payload.summary !== 'string' || payload.summary === '') errors.push("'payload.summary' is missing or blank");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
        if (typeof payload.source !== 'string' || payload.source === '') errors.push("'payload.source' is missing or blank");
        if (typeof payload.severity !== 'string' || !SEVERITIES.includes(payload.severity)) errors.push("'payload.severity' must be one of: critical, error, warning, info");
      }
    }
    if (errors.length > 0) return invalid(response, errors);
    const dedup = typeof dedupKey === 'string' ? dedupKey : `fake-${++generated}`;
    const recorded = { ...event, dedup_key: dedup } as unknown as PagerDutyEvent;
    fake.events.push(recorded);
    const alert = fake.alerts.get(dedup);
    if (recorded.event_action === 'trigger') {
      const summary = recorded.payload?.summary ?? '';
      const severity = recorded.payload?.severity ?? 'info';
      if (alert === undefined || alert.status === 'resolved') fake.alerts.set(dedup, { dedupKey: dedup, status: 'triggered', summary, severity, triggers: 1 });
      else Object.assign(alert, { summary, severity, triggers: alert.triggers + 1 });
    } else if (alert !== undefined && alert.status !== 'resolved') {
      alert.status = recorded.event_action === 'resolve' ? 'resolved' : 'acknowledged';
    }
    json(response, 202, { status: 'success', message: 'Event processed', dedup_key: dedup });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      fake.requests += 1;
      if (request.method !== 'POST' || request.url !== '/v2/enqueue') return json(response, 404, { status: 'Not Found', message: 'Not Found' });
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = forced.shift();
      if (answer === undefined) return accept(text, response);
      if ('delayMs' in answer) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) accept(text, response);
        }, answer.delayMs);
        timers.add(timer);
        return;
      }
      if (answer.status === 429) return json(response, 429, undefined, 'retryAfter' in answer && answer.retryAfter !== undefined ? { 'retry-after': String(answer.retryAfter) } : {});
      if (answer.status === 400) return invalid(response, ['forced by the test']);
      return json(response, answer.status, { status: 'Internal Server Error', message: 'forced by the test' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakePagerDuty = {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    events: [],
    requests: 0,
    alerts: new Map(),
    failNext(answer, times = 1) {
      for (let i = 0; i < times; i++) forced.push(answer);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
