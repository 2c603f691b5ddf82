/**
 * A client for 8x8 Contact Center Historical Analytics, detailed interaction reports, per
 * ../shared/reference/8x8.md §3.3, https://developer.8x8.com/analytics/docs/cc-historical-analytics-detailed-report
 * and https://developer.8x8.com/analytics/docs/oauth-authentication-for-8x8-xcaas-apis:
 *
 * - auth is XCaaS OAuth client credentials: `POST https://api.8x8.com/oauth/v2/token` with
 *   `Authorization: Basic base64(key:secret)` and form `grant_type=client_credentials`;
 *   the answer's `expires_in` is a STRING of seconds ("1799") and `issued_at` epoch ms;
 * - the base path depends on the tenant's region (US, EU `/eu`, APAC `/au`, Canada `/ca`);
 *   multi-tenant orgs send `X-Tenant-Info: <tenantId>`;
 * - `POST detailed-reports` creates a report that is done on creation (`{id, status}`; no
 *   polling), then `GET detailed-reports/{id}/data?size=≤1000&lastDocumentId=…` pages it;
 *   the `Last-Document-Id` response header is the next page's cursor and is absent on the
 *   last page.
 *
 * The client makes one request per call and never sleeps: a 429/5xx/timeout becomes a
 * transient CcAnalyticsError with `retryAfterMs`, and the caller decides when to retry.
 */
import { IANAZone } from 'luxon';
import { retryAfterMs as retryAfterMsOf } from '../../../core/retry-after.js';
import { CcAnalyticsError } from './errors.js';
import { readText, sendOnce, TokenCache, type Answer, type Token } from '../http.js';
import type { CcRow } from './records.js';

/** The env vars that hold the credentials (named in auth errors). */
export const CC_ANALYTICS_ENV = {
  clientId: 'SWITCHBOARD_CC_ANALYTICS_CLIENT_ID',
  clientSecret: 'SWITCHBOARD_CC_ANALYTICS_CLIENT_SECRET',
} as const;

/** The documented base path per tenant region (API version 8, as of August 2025). */
export const CC_REGION_BASE_URLS = {
  us: 'https://api.8x8.com/analytics/cc/v8/historical-metrics/',
  eu: 'https://api.8x8.com/eu/analytics/cc/v8/historical-metrics/',
  au: 'https://api.8x8.com/au/analytics/cc/v8/historical-metrics/',
  ca: 'https://api.8x8.com/ca/analytics/cc/v8/historical-metrics/',
} as const;

export type CcRegion = keyof typeof CC_REGION_BASE_URLS;

export const CC_TOKEN_URL = 'https://api.8x8.com/oauth/v2/token';

/** The largest `size` the data endpoint accepts. */
export const CC_MAX_PAGE_SIZE = 1000;

/**
 * The characters a report `title` may hold: "letters from A to Z, a to z, 0 to 9, whitespaces
 * or ! - _ . * ' ( )" (cc-historical-analytics-detailed-report.md §4, Body). 8x8 refuses any
 * other (a `:` of a timestamp, the `…` Switchboard used to send) with 400.
 */
export const CC_REPORT_TITLE_PATTERN = /^[A-Za-z0-9\s!\-_.*'()]+$/;

/** The only report type this client creates. */
export const CC_REPORT_TYPE = 'detailed-reports-interaction-details';

export interface CcAnalyticsClientOptions {
  /** The tenant's region (`pulls.ccInteractions.region`); ignored when `baseUrl` is set. Default `us`. */
  region?: CcRegion;
  /** An explicit base path, e.g. a proxy or a test server (`pulls.ccInteractions.baseUrl`). */
  baseUrl?: string;
  /** Default `https://api.8x8.com/oauth/v2/token`. */
  tokenUrl?: string;
  /** The Admin Console app's key and secret. */
  clientId: string;
  clientSecret: string;
  /** Multi-tenant orgs: sent as `X-Tenant-Info` (`pulls.ccInteractions.tenantId`). */
  tenantId?: string;
  /** Per-request timeout. Default 60 000 ms. */
  timeoutMs?: number;
  /** Get a new token this long before the old one expires. Default 60 000 ms. */
  refreshBeforeMs?: number;
  /** The clock, in epoch ms; tests pass a controllable one. Default `Date.now`. */
  now?: () => number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/** A report to create: interactions created in [start, end). */
export interface CreateReportQuery {
  start: Date;
  end: Date;
  /** Optional IANA zone for 8x8's `timezone` field; the `dateRange` itself is always UTC `Z`. */
  timeZone?: string;
  /**
   * Shown in 8x8's UI and used as the file name of a download. Only `A-Z a-z 0-9`, whitespace
   * and `! - _ . * ' ( )` (CC_REPORT_TITLE_PATTERN). Default
   * `switchboard cc-interactions 2026-03-08T0000Z to 2026-03-09T0000Z`.
   */
  title?: string;
  signal?: AbortSignal;
}

export interface CcReport {
  id: string;
  status: string;
}

export interface ReadPageQuery {
  /** Rows per page, 1…1000. */
  size: number;
  /** The previous page's `Last-Document-Id`; absent or null for the first page. */
  lastDocumentId?: string | null;
  signal?: AbortSignal;
}

export interface CcPage {
  rows: CcRow[];
  /** Pass this back for the next page; null when the header was absent (the last page). */
  nextLastDocumentId: string | null;
  /** `X-Total-Elements`, when present. */
  totalElements: number | undefined;
}


const BASE_URL_KEY = 'pulls.ccInteractions.baseUrl';

export class CcAnalyticsClient {
  readonly #base: string;
  readonly #tokenUrl: string;
  readonly #options: CcAnalyticsClientOptions;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #tokens: TokenCache;

  constructor(options: CcAnalyticsClientOptions) {
    this.#options = options;
    const base = options.baseUrl ?? CC_REGION_BASE_URLS[options.region ?? 'us'];
    if (base === undefined) {
      throw new CcAnalyticsError('SB_PULL_CC_REQUEST', `Unknown Contact Center region "${String(options.region)}". Use one of ${Object.keys(CC_REGION_BASE_URLS).join(', ')}, or set pulls.ccInteractions.baseUrl.`, {
        configKey: 'pulls.ccInteractions.region',
      });
    }
    this.#base = `${base.replace(/\/+$/, '')}/`;
    this.#tokenUrl = options.tokenUrl ?? CC_TOKEN_URL;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#tokens = new TokenCache((signal) => this.#requestToken(signal), this.#now, options.refreshBeforeMs ?? 60_000);
  }

  /** The base path requests go to, always ending in `/`. */
  get baseUrl(): string {
    return this.#base;
  }

  /**
   * Creates a detailed interactions report for [start, end); throws SB_PULL_CC_REPORT_FAILED
   * when 8x8 says FAILED. Every field follows cc-historical-analytics-detailed-report.md §4:
   * - `title`: only CC_REPORT_TITLE_PATTERN's characters; checked here, before sending;
   * - `dateRange`: `YYYY-MM-DDTHH:MM:SS.SSSZ`, and both ends are INCLUDED ("on or after" the
   *   start, "on or before" the end), so `end` is sent 1 ms before the next window's start
   *   (as the page's own example, `…T23:59:59.999Z`) and windows do not overlap;
   * - `includeParticipants: true` (a boolean, detailed-reports-interaction-details only):
   *   the rows then carry their participant rows (records.ts lands them);
   * - `timezone`: an IANA zone, checked here; 8x8 accepts only zones configured for the tenant;
   * - `reportSettings` booleans: finished interactions only.
   */
  async createReport(query: CreateReportQuery): Promise<CcReport> {
    if (!(query.end.getTime() > query.start.getTime())) {
      throw new CcAnalyticsError('SB_PULL_CC_REQUEST', `A Contact Center report needs start before end, not ${query.start.toISOString()} … ${query.end.toISOString()}.`);
    }
    const start = query.start.toISOString();
    const end = new Date(query.end.getTime() - 1).toISOString();
    const title = query.title ?? defaultTitle(query.start, query.end);
    if (!CC_REPORT_TITLE_PATTERN.test(title)) {
      throw new CcAnalyticsError(
        'SB_PULL_CC_REQUEST',
        `8x8 refuses the Contact Center report title ${JSON.stringify(title)}: a title allows only letters A-Z a-z, digits 0-9, whitespace and ! - _ . * ' ( ).`,
      );
    }
    if (query.timeZone !== undefined && !IANAZone.isValidZone(query.timeZone)) {
      throw new CcAnalyticsError('SB_PULL_CC_REQUEST', `The Contact Center report timezone must be an IANA zone configured for the tenant (e.g. Europe/Helsinki), not ${JSON.stringify(query.timeZone)}.`);
    }
    const body = {
      type: CC_REPORT_TYPE,
      title,
      dateRange: { start, end },
      ...(query.timeZone === undefined ? {} : { timezone: query.timeZone }),
      includeParticipants: true,
      reportSettings: { showOngoingInteractions: false, showInteractionsStateInTime: false },
    };
    const response = await this.#call('detailed-reports', { method: 'POST', body: JSON.stringify(body), json: true }, query.signal);
    this.#throwUnlessOk(response, 'POST detailed-reports');
    const json = readJson(response) as { id?: unknown; status?: unknown } | null;
    // An integer (`{"id": 2710192, "status": "DONE"}`, OpenAPI `integer int64`); a string is taken too.
    const id = json?.id;
    if ((typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) || String(id) === '') {
      throw responseError(`POST detailed-reports answered without a report id: ${response.text.slice(0, 200)}`, response.status);
    }
    const status = typeof json?.status === 'string' ? json.status : '';
    if (status.toUpperCase() === 'FAILED') {
      throw new CcAnalyticsError(
        'SB_PULL_CC_REPORT_FAILED',
        `8x8 could not build the Contact Center report for ${start} … ${end} (report ${String(id)}, status FAILED). ` +
          'Retry later; if it keeps failing, pull smaller windows (pulls.ccInteractions.windowHours) or ask 8x8 support with the report id.',
        { status: response.status, configKey: 'pulls.ccInteractions.windowHours' },
      );
    }
    return { id: String(id), status };
  }

  /** One page of a report's rows. */
  async readPage(reportId: string, query: ReadPageQuery): Promise<CcPage> {
    if (!Number.isInteger(query.size) || query.size < 1 || query.size > CC_MAX_PAGE_SIZE) {
      throw new CcAnalyticsError('SB_PULL_CC_REQUEST', `A Contact Center page size must be an integer from 1 to ${CC_MAX_PAGE_SIZE}, not ${query.size}. Fix pulls.ccInteractions.pageSize.`, {
        configKey: 'pulls.ccInteractions.pageSize',
      });
    }
    const params = new URLSearchParams({ size: String(query.size) });
    if (query.lastDocumentId) params.set('lastDocumentId', query.lastDocumentId);
    const path = `detailed-reports/${encodeURIComponent(reportId)}/data`;
    const response = await this.#call(`${path}?${params}`, { method: 'GET' }, query.signal);
    if (response.status === 404) {
      throw new CcAnalyticsError('SB_PULL_CC_REPORT_GONE', `Contact Center report ${reportId} is gone (HTTP 404); create a new one for its window. The pull does this by itself once per window.`, {
        status: 404,
      });
    }
    this.#throwUnlessOk(response, `GET ${path}`);
    const json = readJson(response);
    if (!Array.isArray(json)) {
      throw responseError(`GET ${path} answered without a row array: ${response.text.slice(0, 200)}`, response.status);
    }
    const next = response.headers.get('last-document-id');
    const total = Number(response.headers.get('x-total-elements'));
    return {
      rows: json as CcRow[],
      nextLastDocumentId: next === null || next.trim() === '' ? null : next.trim(),
      totalElements: response.headers.has('x-total-elements') && Number.isFinite(total) ? total : undefined,
    };
  }

  /** A valid bearer token, from the cache unless it expires within `refreshBeforeMs`. */
  token(signal?: AbortSignal): Promise<string> {
    return this.#tokens.get(signal);
  }

  async #requestToken(signal: AbortSignal | undefined): Promise<Token> {
    const basic = Buffer.from(`${this.#options.clientId}:${this.#options.clientSecret}`).toString('base64');
    const response = await this.#send(
      this.#tokenUrl,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      },
      signal,
    );
    // OAuth servers answer bad client credentials with 400 invalid_client as well as 401.
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw authError(`8x8 refused the Contact Center token request (HTTP ${response.status}: ${response.text.slice(0, 120)})`, response.status);
    }
    this.#throwUnlessOk(response, 'token request');
    const json = readJson(response) as { access_token?: unknown; expires_in?: unknown; issued_at?: unknown } | null;
    // XCaaS OAuth sends expires_in as a string of seconds ("1799"), issued_at as an epoch-ms string.
    const expiresIn = Number(json?.expires_in);
    if (typeof json?.access_token !== 'string' || json.access_token === '' || json?.expires_in === '' || !Number.isFinite(expiresIn)) {
      throw new CcAnalyticsError('SB_PULL_CC_RESPONSE', 'The Contact Center token response has no access_token/expires_in. Check pulls.ccInteractions.tokenUrl (https://api.8x8.com/oauth/v2/token).', {
        status: response.status,
        configKey: 'pulls.ccInteractions.tokenUrl',
      });
    }
    // Count from issued_at when it is not in our future (a server clock ahead of ours would stretch the token's life).
    const now = this.#now();
    const issuedAt = Number(json.issued_at);
    const from = Number.isFinite(issuedAt) && issuedAt > 0 ? Math.min(issuedAt, now) : now;
    const token = { value: json.access_token, expiresAt: from + expiresIn * 1000 };
    return token;
  }

  /** A data call with the bearer token; a 401 refreshes the token once, then gives up. */
  async #call(path: string, init: { method: string; body?: string; json?: boolean }, signal: AbortSignal | undefined): Promise<Answer> {
    const url = `${this.#base}${path}`;
    const attempt = async (): Promise<Answer> => {
      const headers: Record<string, string> = { authorization: `Bearer ${await this.token(signal)}`, accept: 'application/json' };
      if (init.json) headers['content-type'] = 'application/json';
      if (this.#options.tenantId !== undefined) headers['x-tenant-info'] = this.#options.tenantId;
      return this.#send(url, { method: init.method, headers, ...(init.body === undefined ? {} : { body: init.body }) }, signal);
    };
    let response = await attempt();
    if (response.status === 401) {
      // The token may have expired early or been revoked.
      this.#tokens.clear();
      response = await attempt();
      if (response.status === 401) throw authError(`8x8 refused a fresh Contact Center token on ${init.method} ${path.split('?')[0]} (HTTP 401)`, 401);
    }
    if (response.status === 403) {
      throw authError(
        `8x8 refused ${init.method} ${path.split('?')[0]} (HTTP 403: ${response.text.slice(0, 120)}); the app may lack the Contact Center analytics API product, or the tenant (pulls.ccInteractions.tenantId) is wrong`,
        403,
      );
    }
    return response;
  }

  /** One request, body read in full, within the per-request timeout (http.ts). */
  #send(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Answer> {
    return sendOnce(url, init, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      signal,
      read: readText,
      unavailable: ({ timedOut, error }) =>
        new CcAnalyticsError(
          'SB_PULL_CC_UNAVAILABLE',
          timedOut
            ? `Contact Center Analytics did not answer within ${this.#timeoutMs} ms; retry later`
            : `Contact Center Analytics could not be reached (${(error as Error).message}); check outbound HTTPS to ${new URL(url).host} and ${BASE_URL_KEY}`,
          { cause: error },
        ),
    });
  }

  #throwUnlessOk(response: Answer, what: string): void {
    const status = response.status;
    if (status >= 200 && status < 300) return;
    const text = response.text.slice(0, 300);
    if (status === 429 || status >= 500) {
      const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'), this.#now());
      throw new CcAnalyticsError(
        'SB_PULL_CC_UNAVAILABLE',
        `Contact Center Analytics ${what} answered HTTP ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}: ${text}. Retry later.`,
        { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      );
    }
    throw new CcAnalyticsError('SB_PULL_CC_REQUEST', `Contact Center Analytics ${what} answered HTTP ${status}: ${text}. Check ${BASE_URL_KEY} and the pull's settings.`, {
      status,
      configKey: BASE_URL_KEY,
    });
  }
}


/** `switchboard cc-interactions 2026-03-08T0000Z to 2026-03-09T0000Z`: the window, in the documented title characters only. */
function defaultTitle(start: Date, end: Date): string {
  const compact = (at: Date): string => at.toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z').replaceAll(':', '');
  return `switchboard cc-interactions ${compact(start)} to ${compact(end)}`;
}

function readJson(response: Answer): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch (error) {
    throw new CcAnalyticsError('SB_PULL_CC_RESPONSE', `Contact Center Analytics answered HTTP ${response.status} with a body that is not JSON: ${response.text.slice(0, 200)}. Check ${BASE_URL_KEY} and any proxy in between.`, {
      cause: error,
      status: response.status,
      configKey: BASE_URL_KEY,
    });
  }
}

function responseError(what: string, status: number): CcAnalyticsError {
  return new CcAnalyticsError('SB_PULL_CC_RESPONSE', `${what}. Check ${BASE_URL_KEY} (e.g. ${CC_REGION_BASE_URLS.us}) and any proxy in between.`, {
    status,
    configKey: BASE_URL_KEY,
  });
}

function authError(what: string, status: number): CcAnalyticsError {
  return new CcAnalyticsError(
    'SB_PULL_CC_AUTH',
    `${what}. Check ${CC_ANALYTICS_ENV.clientId} and ${CC_ANALYTICS_ENV.clientSecret} (pulls.ccInteractions.clientId/clientSecret): ` +
      'the key and secret of an Admin Console app with access to Contact Center analytics.',
    { status, configKey: 'pulls.ccInteractions.clientId' },
  );
}
