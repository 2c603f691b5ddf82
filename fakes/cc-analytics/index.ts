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
 *   `toRow`). Sources and what the docs leave open are cited at each check below;
 *   "the detailed-report page" is `docs/analytics/docs/cc-historical-analytics-detailed-report.md`
 *   in 8x8Cloud/public-developer-docs (snapshot 859e59a3);
 * - `GET …/detailed-reports/{id}/data?size=≤1000&lastDocumentId=…` answers rows
 *   `{total: null, items: [{key, label, value}]}` with `X-Page-Size`, `X-Total-Pages`,
 *   `X-Total-Elements`, `Link rel="next"` and `Last-Document-Id` (absent on the last page);
 *   `size` over 1000 or an unknown `lastDocumentId` is 400, an unknown report 404;
 * - times are rendered with the tenant's offset (`…T16:02:27.576+03:00`);
 * - scripted faults (`fail()`), e.g. 429 with Retry-After.
 *
 * Everything is inspectable: `requests`, `tokensIssued()`, `reportsCreated`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';

/** An interaction as a flat object (`{interactionId, creationTime, …}`); the fake turns it into items. */
export type CcInteraction = Record<string, unknown>;

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

/** A scripted failure: the next `times` requests that `match` get this answer instead. */
export interface Fault {
  status: number;
  /** Retry-After header value, e.g. `7`. */
  retryAfter?: string;
  body?: unknown;
  times?: number;
  match?: (request: { method: string; path: string }) => boolean;
}

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
/** Keys whose values are instants, rendered with the tenant's offset. */
const TIME_KEYS = new Set([
  'creationTime', 'finishedTime', 'time', 'queueTime',
  'participantOfferTime', 'participantOfferActionTime', 'participantHandlingEndTime', 'participantWrapUpEndTime', 'participantAssignTime',
]);
/**
 * The fields a participant row carries (the detailed-report page, "includeParticipants", plus
 * `participantAssignReason`/`participantAssignTime`/`participantHandlingOutcome`, which the
 * glossary calls per participant row). The interaction row repeats `participantId`,
 * `participantName`, `participantType` and `participantOfferAction` as ARRAYS (the page's
 * second sample: `"participantId": ["agsN41dY9PQtyhLSd9_xqQeg"]`, `"participantOfferAction":
 * ["Accepted", "OfferTimeout"]`). Whether those arrays hold each participant row's value or
 * only the distinct values is not documented (the sample has two rows of one agent and one
 * id): the fake lists distinct values in assign order.
 */
const PARTICIPANT_ARRAY_KEYS = ['participantId', 'participantName', 'participantType', 'participantOfferAction'] as const;
/** The documented title characters: "letters from A to Z, a to z, 0 to 9, whitespaces or ! - _ . * ' ( )" (detailed-report page, §4 Body). */
const TITLE = /^[A-Za-z0-9\s!\-_.*'()]+$/;
/** "The entered values should follow the ISO 8061 standard (YYYY-MM-DDTHH:MM:SS.SSSZ)" (detailed-report page, §4 Body). */
const DATE_RANGE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LABELS: Record<string, string> = {
  interactionId: 'Interaction ID',
  creationTime: 'Creation Time',
  finishedTime: 'Finished Time',
  queueWaitDuration: 'Queue Wait Time',
  interactionDuration: 'Interaction Duration',
  mediaType: 'Media Type',
};

interface Report {
  rows: { docId: string; interaction: CcInteraction }[];
  includeParticipants: boolean;
}

export async function startFakeCcAnalytics(options: FakeCcAnalyticsOptions = {}): Promise<FakeCcAnalytics> {
  const clientId = options.clientId ?? 'cc-app-key';
  const clientSecret = options.clientSecret ?? 'cc-app-secret';
  const ttl = options.tokenTtlSeconds ?? 1799;
  const zone = `UTC${options.tenantOffset ?? '+03:00'}`;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, number>();
  const reports = new Map<string, Report>();
  const faults: Fault[] = [];
  let failedReports = 0;
  // The page's sample ids are integers (`{"id": 2710192, "status": "DONE"}`; the OpenAPI says integer, int64).
  let nextReportId = 2_710_192;

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
      failedReports += n;
    },
    dropReports() {
      reports.clear();
    },
    fail(fault) {
      faults.push({ times: 1, ...fault });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

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
      const fault = faults.find((f) => (f.times ?? 1) > 0 && (!f.match || f.match({ method, path })));
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        send(fault.status, fault.body ?? { status: fault.status, error: fault.status === 429 ? 'Too Many Requests' : 'Internal Server Error' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
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
        const outcome = create(body);
        send(outcome.status, outcome.body);
        return;
      }
      const data = DATA.exec(path);
      if (method === 'GET' && data) {
        const outcome = page(decodeURIComponent(data[1] ?? ''), url);
        send(outcome.status, outcome.body, outcome.headers);
        return;
      }
      send(404, { status: 404, error: 'Not Found' });
    });
  });

  const bad = (message: string) => ({ status: 400, body: { status: 400, error: 'Bad Request', message }, headers: {} });

  /**
   * The documented body (detailed-report page, §4 "Creating a report", Body table, and the
   * OpenAPI `DetailedReportDefinitionRequest`): `type` and `title` required, `dateRange`
   * required with `start`/`end` as `YYYY-MM-DDTHH:MM:SS.SSSZ`; `timezone` an IANA zone;
   * `includeParticipants` and the `reportSettings` flags booleans; `metrics` an array of
   * strings; `searchQuery` an array. The page documents no error body for these refusals
   * (the OpenAPI lists `400: Bad request` without a schema); the only documented wording is
   * the X-Tenant-Info one, "HTTP 400 … Bad request: <reason>.", which the fake follows.
   * Open: whether 8x8 also refuses `end` before `start`, and which zones a tenant allows.
   */
  function create(text: string): { status: number; body: unknown } {
    let json: {
      type?: unknown;
      title?: unknown;
      dateRange?: { start?: unknown; end?: unknown };
      timezone?: unknown;
      includeParticipants?: unknown;
      metrics?: unknown;
      searchQuery?: unknown;
      reportSettings?: Record<string, unknown>;
    };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      return bad('Bad request: body is not JSON.');
    }
    if (json.type !== 'detailed-reports-interaction-details') return bad(`Bad request: unsupported report type ${String(json.type)}.`);
    if (typeof json.title !== 'string' || json.title.trim() === '') return bad('Bad request: title is required.');
    if (!TITLE.test(json.title)) return bad("Bad request: title allows only letters A-Z a-z, digits 0-9, whitespace and ! - _ . * ' ( ).");
    const startText = json.dateRange?.start;
    const endText = json.dateRange?.end;
    if (typeof startText !== 'string' || typeof endText !== 'string' || !DATE_RANGE.test(startText) || !DATE_RANGE.test(endText)) {
      return bad('Bad request: dateRange.start and dateRange.end must be YYYY-MM-DDTHH:MM:SS.SSSZ.');
    }
    const start = DateTime.fromISO(startText);
    const end = DateTime.fromISO(endText);
    if (!start.isValid || !end.isValid || end < start) return bad('Bad request: dateRange.start must not be after dateRange.end.');
    if (json.timezone !== undefined && (typeof json.timezone !== 'string' || !IANAZone.isValidZone(json.timezone))) return bad('Bad request: timezone must be an IANA time zone.');
    if (json.includeParticipants !== undefined && typeof json.includeParticipants !== 'boolean') return bad('Bad request: includeParticipants must be a boolean.');
    if (json.metrics !== undefined && !(Array.isArray(json.metrics) && json.metrics.every((m) => typeof m === 'string'))) return bad('Bad request: metrics must be an array of metric names.');
    if (json.searchQuery !== undefined && !Array.isArray(json.searchQuery)) return bad('Bad request: searchQuery must be an array.');
    for (const flag of ['showOngoingInteractions', 'showInteractionsStateInTime']) {
      const value = json.reportSettings?.[flag];
      if (value !== undefined && typeof value !== 'boolean') return bad(`Bad request: reportSettings.${flag} must be a boolean.`);
    }
    const id = nextReportId++;
    fake.reportsCreated.push(String(id));
    fake.reportRequests.push(json as Record<string, unknown>);
    if (failedReports > 0) {
      failedReports -= 1;
      return { status: 200, body: { id, status: 'FAILED' } };
    }
    // "only events and records on or after [start]" and "on or before [end]" (Body table): both ends are included.
    const selected = fake.interactions
      .map((interaction) => ({ interaction, at: instant(interaction['creationTime']) }))
      .filter(({ at }) => at !== null && at >= start.toMillis() && at <= end.toMillis())
      .sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
    reports.set(String(id), {
      rows: selected.map(({ interaction }) => ({ docId: randomBytes(12).toString('hex'), interaction })),
      includeParticipants: json.includeParticipants === true,
    });
    return { status: 200, body: { id, status: 'DONE' } };
  }

  function page(id: string, url: URL): { status: number; body: unknown; headers: Record<string, string> } {
    const report = reports.get(id);
    if (!report) return { status: 404, body: { status: 404, error: 'Not Found', message: `Report ${id} not found` }, headers: {} };
    const size = Number(url.searchParams.get('size') ?? '100');
    if (!Number.isInteger(size) || size < 1 || size > 1000) return bad('size must be between 1 and 1000');
    const last = url.searchParams.get('lastDocumentId');
    let offset = 0;
    if (last) {
      const at = report.rows.findIndex((row) => row.docId === last);
      if (at < 0) return bad(`Unknown lastDocumentId ${last}`);
      offset = at + 1;
    }
    const rows = report.rows.slice(offset, offset + size);
    const headers: Record<string, string> = {
      'x-page-size': String(size),
      'x-total-pages': String(Math.ceil(report.rows.length / size)),
      'x-total-elements': String(report.rows.length),
    };
    const lastRow = rows[rows.length - 1];
    if (offset + rows.length < report.rows.length && lastRow) {
      headers['last-document-id'] = lastRow.docId;
      const next = new URL(url.href.replace('http://fake', fake.baseUrl.replace(/\/analytics\/.*$/, '')));
      next.searchParams.set('lastDocumentId', lastRow.docId);
      headers['link'] = `<${next.href}>; rel="next"`;
    }
    return { status: 200, body: rows.map(({ interaction }) => toRow(interaction, zone, report.includeParticipants)), headers };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.baseUrl = `${origin}${BASE}/`;
  fake.tokenUrl = `${origin}${TOKEN_PATH}`;
  return fake;
}

/**
 * A flat interaction as 8x8 answers it: items with labels, instants in the tenant's offset.
 * An interaction may hold `participants` (participant rows, flat objects). The row then
 * carries the interaction-level `participant*` fields as arrays (see PARTICIPANT_ARRAY_KEYS),
 * and, only when the report asked for `includeParticipants`, a `participants` item whose
 * value is the participant rows (detailed-report page, "includeParticipants": "the report
 * response return also the `participants` field", sample `{"key": "participants", "value":
 * [{"participantAssignNumber": 1, …}, {"participantAssignNumber": 2, …}]}`). A row without
 * participants gets `"participants": []`, as in the page's second sample row.
 */
function toRow(interaction: CcInteraction, zone: string, includeParticipants: boolean): { total: null; items: { key: string; label: string; value: unknown }[] } {
  const { participants, ...fields } = interaction;
  const rows = Array.isArray(participants) ? (participants as Record<string, unknown>[]) : undefined;
  const flat: Record<string, unknown> = { ...fields };
  if (rows !== undefined) {
    for (const key of PARTICIPANT_ARRAY_KEYS) {
      if (!(key in flat)) flat[key] = [...new Set(rows.map((row) => row[key]).filter((v) => v !== undefined && v !== null && v !== ''))];
    }
  }
  const items = Object.entries(flat).map(([key, value]) => ({ key, label: LABELS[key] ?? key, value: TIME_KEYS.has(key) ? renderTime(value, zone) : value }));
  if (includeParticipants) {
    const value = (rows ?? []).map((row) => Object.fromEntries(Object.entries(row).map(([key, v]) => [key, TIME_KEYS.has(key) ? renderTime(v, zone) : v])));
    items.unshift({ key: 'participants', label: 'Participants', value });
  }
  return { total: null, items };
}

/**
 * One interaction as the data endpoint would answer it (the same rendering as the fake's
 * pages), for tests that land rows without running a pull.
 */
export function ccReportRow(interaction: CcInteraction, options: { tenantOffset?: string; includeParticipants?: boolean } = {}): ReturnType<typeof toRow> {
  return toRow(interaction, `UTC${options.tenantOffset ?? '+03:00'}`, options.includeParticipants ?? true);
}

/** `creationTime` is an ISO string; `finishedTime` an object `{value: ISO, ongoing}`. */
function renderTime(value: unknown, zone: string): unknown {
  if (typeof value === 'string') {
    const at = DateTime.fromISO(value, { setZone: true });
    return at.isValid ? at.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ") : value;
  }
  if (value !== null && typeof value === 'object' && 'value' in value) return { ...value, value: renderTime((value as { value: unknown }).value, zone) };
  return value;
}

function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const at = DateTime.fromISO(value);
  return at.isValid ? at.toMillis() : null;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface SeedOptions {
  count: number;
  /** The first interaction's creation. */
  start: Date;
  /** Time between creations. Default 10 minutes. */
  spacingMs?: number;
  /** The tenant offset the seeded times carry, e.g. `+03:00` (the default). */
  tenantOffset?: string;
}

const MEDIA = ['Phone', 'Chat', 'Email', 'VoiceMail'] as const;
/** Documented `outcome` values (detailed-report page, glossary `outcome` = the `interactionLabels` enumeration). */
const OUTCOMES = ['Handled', 'Abandoned', 'Handled', 'ForwardedToVoicemail'] as const;
const AGENTS = [
  { id: 'ag1Xk2mP3qR4sT5uV6wY7z', name: 'Priya Patel' },
  { id: 'ag9Lm8Nb7Vc6Xz5As4Df3g', name: 'John Doe' },
];

/**
 * Realistic interactions in the documented shapes (detailed-report page, glossary and
 * samples): mixed media and directions, phone numbers without `+`, times with the tenant's
 * offset, durations as `{value: ms, ongoing}`, `interactionLabels` an ARRAY of label names
 * (sample: `["Queued", "Handled"]`), `recordingFileNames` a comma-separated STRING ("Multiple
 * recordings are comma-separated"), and one participant row for the agent who handled it
 * (none when nobody answered). Durations add up as the glossary defines them:
 * `interactionDuration` = `ivrTreatmentDuration` + `queueWaitDuration` + handling; wrap-up
 * is separate and not in it.
 */
export function seedCcInteractions(options: SeedOptions): CcInteraction[] {
  const spacing = options.spacingMs ?? 10 * 60_000;
  const zone = `UTC${options.tenantOffset ?? '+03:00'}`;
  const iso = (ms: number): string => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
  const rows: CcInteraction[] = [];
  for (let i = 0; i < options.count; i++) {
    const created = options.start.getTime() + i * spacing + (i % 7) * 1_013;
    const media = MEDIA[i % MEDIA.length] as (typeof MEDIA)[number];
    const outcome = OUTCOMES[i % OUTCOMES.length] as (typeof OUTCOMES)[number];
    const inbound = i % 5 !== 4;
    const ivr = 4_000 + (i % 3) * 1_250;
    const wait = 2_000 + (i % 6) * 3_517;
    const handling = outcome === 'Handled' ? 45_000 + (i % 9) * 21_773 : 0;
    const wrapUp = outcome === 'Handled' ? 8_000 : 0;
    const duration = ivr + wait + handling;
    const agent = AGENTS[i % AGENTS.length] as (typeof AGENTS)[number];
    const customer = `1669333${String(5000 + i).slice(-4)}`;
    const accepted = created + ivr + wait;
    const participants =
      outcome === 'Handled'
        ? [
            {
              participantAssignNumber: 1,
              participantAssignReason: 'Offered',
              participantType: 'Agent',
              participantId: agent.id,
              participantName: agent.name,
              participantOfferTime: iso(accepted - 3_000),
              participantOfferAction: 'Accepted',
              participantOfferActionTime: iso(accepted),
              participantOfferDuration: { value: 3_000, ongoing: false },
              participantHandlingEndTime: iso(accepted + handling),
              participantHandlingDuration: { value: handling, ongoing: false },
              participantWrapUpEndTime: iso(accepted + handling + wrapUp),
              participantWrapUpDuration: { value: wrapUp, ongoing: false },
              participantHandlingOutcome: 'WrapUp',
            },
          ]
        : [];
    rows.push({
      interactionId: `int-${(created % 1e10).toString(36)}-${i}`,
      journeyId: `jrn-${randomBytes(6).toString('hex')}`,
      transactionId: String(880_000 + i),
      mediaType: media,
      direction: inbound ? 'InboundDir' : 'OutboundDir',
      origination: inbound ? customer : '18005550199',
      destination: inbound ? '16693335195' : customer,
      customerPhone: media === 'Phone' || media === 'VoiceMail' ? customer : '',
      creationTime: iso(created),
      finishedTime: { value: iso(created + duration + wrapUp), ongoing: false },
      queueName: i % 3 === 0 ? 'Billing' : 'Support EN',
      queueTime: iso(created + ivr),
      ivrTreatmentDuration: { value: ivr, ongoing: false },
      queueWaitDuration: { value: wait, ongoing: false },
      interactionDuration: { value: duration, ongoing: false },
      outcome,
      interactionLabels: ['Queued', outcome],
      recordingFileNames: media === 'Phone' && outcome === 'Handled' ? `rec-${880_000 + i}-1.wav,rec-${880_000 + i}-2.wav` : '',
      participants,
    });
  }
  return rows;
}
