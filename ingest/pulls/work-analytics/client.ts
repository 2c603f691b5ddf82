/**
 * A client for 8x8 Work Analytics (Analytics for Work, historical CDRs), per
 * ../shared/reference/8x8.md §4.2 and https://developer.8x8.com/analytics/docs/work-analytics-call-detail-records:
 *
 * - auth is its own scheme, not XCaaS OAuth: `POST {base}/v1/oauth/token` with header
 *   `8x8-apikey` and form `username`/`password` gives a bearer token with `expires_in: 1800`;
 *   data calls need BOTH `Authorization: Bearer` and `8x8-apikey`;
 * - bad credentials are **400**, not 401 (`docs_oas/analytics/work_analytics_historical.json`,
 *   `/v1/oauth/token` 400): `{code: "SHA001", message: "Invalid 8x8-apikey"}` for the key,
 *   `{error: "invalid_grant", error_description}` for the user; data calls answer the same
 *   SHA001 400 for the key, 401 `invalid_token` for the bearer, and 403 "user(…) does not have
 *   access to pbxId(…)" for a PBX the user may not see;
 * - `GET {base}/v2/call-records` and `/v2/call-legs` page with `meta.scrollId` until a page
 *   with empty `data` and `meta.scrollId == "No Data"`; `pageSize` is required (max 7000);
 *   `timeZone` is an IANA name (sent as the tz database spells it, see `ianaZoneName`).
 *
 * The client makes one request per call and never sleeps: a 429/5xx/timeout becomes a
 * transient WorkAnalyticsError with `retryAfterMs`, and the caller decides when to retry.
 */
import { WorkAnalyticsError } from './errors.js';
import { retryAfterMs as retryAfterMsOf } from '../../../core/retry-after.js';
import { readText, sendOnce, TokenCache, type Answer, type Token } from '../http.js';
import { formatQueryTime } from './windows.js';

/** The env vars that hold the credentials (named in auth errors). */
export const WORK_ANALYTICS_ENV = {
  apiKey: 'SWITCHBOARD_WORK_ANALYTICS_API_KEY',
  username: 'SWITCHBOARD_WORK_ANALYTICS_USERNAME',
  password: 'SWITCHBOARD_WORK_ANALYTICS_PASSWORD',
} as const;

/** The value of `meta.scrollId` on the last (empty) page. */
export const NO_DATA = 'No Data';

export interface WorkAnalyticsClientOptions {
  /** e.g. `https://api.8x8.com/analytics/work` (a trailing slash is ignored). */
  baseUrl: string;
  /** Admin Console API key, sent as `8x8-apikey` (its secret is not used). */
  apiKey: string;
  /** An 8x8 user with Work Analytics access who has opened Analytics once in a browser. */
  username: string;
  password: string;
  /** Per-request timeout. Default 60 000 ms (a 7000-row page can be large). */
  timeoutMs?: number;
  /** Get a new token this long before the old one expires. Default 60 000 ms. */
  refreshBeforeMs?: number;
  /** The clock, in epoch ms; tests pass a controllable one. Default `Date.now`. */
  now?: () => number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/** One page request. */
export interface PageQuery {
  /** Window start: an instant, or already `YYYY-MM-DD HH:MM:SS` in `timeZone`. */
  from: Date | string;
  /** Window end, same forms. */
  to: Date | string;
  /** IANA zone the API reads `startTime`/`endTime` in, e.g. `America/New_York`. */
  timeZone: string;
  /** Required by the API; at most 7000. */
  pageSize: number;
  /** `meta.scrollId` of the previous page; absent or null for the first page. */
  scrollId?: string | null;
  /** `pbxId`: a PBX name, a comma list, or `allpbxes` (the default). */
  pbxId?: string;
  /** Extra query parameters, e.g. `{ isSimplified: 'true' }` for call legs. */
  params?: Record<string, string>;
  signal?: AbortSignal;
}

/** One page of records. */
export interface Page {
  /** The records exactly as parsed from `data`. */
  records: Record<string, unknown>[];
  /** Pass this back for the next page; null when 8x8 said "No Data" (the end). */
  scrollId: string | null;
  /** `meta.totalRecordCount`, when present. */
  totalRecordCount: number | undefined;
}


export class WorkAnalyticsClient {
  readonly #base: string;
  readonly #options: WorkAnalyticsClientOptions;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #tokens: TokenCache;

  constructor(options: WorkAnalyticsClientOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#tokens = new TokenCache((signal) => this.#requestToken(signal), this.#now, options.refreshBeforeMs ?? 60_000);
  }

  /** One page of `GET /v2/call-records` (one row per call). */
  callRecords(query: PageQuery): Promise<Page> {
    return this.#page('/v2/call-records', query);
  }

  /** One page of `GET /v2/call-legs` (one row per leg). */
  callLegs(query: PageQuery): Promise<Page> {
    return this.#page('/v2/call-legs', query);
  }

  /** A valid bearer token, from the cache unless it expires within `refreshBeforeMs`. */
  token(signal?: AbortSignal): Promise<string> {
    return this.#tokens.get(signal);
  }

  async #requestToken(signal: AbortSignal | undefined): Promise<Token> {
    const body = new URLSearchParams({ username: this.#options.username, password: this.#options.password });
    const response = await this.#send(
      `${this.#base}/v1/oauth/token`,
      { method: 'POST', headers: { '8x8-apikey': this.#options.apiKey, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body },
      signal,
    );
    const refusal = credentialRefusal(response);
    if (refusal !== null) throw authError(`8x8 refused the Work Analytics token request (HTTP ${response.status}: ${response.text.slice(0, 200)})`, response.status, refusal);
    if (response.status === 401 || response.status === 403) {
      throw authError(`8x8 refused the Work Analytics token request (HTTP ${response.status})`, response.status, 'user');
    }
    this.#throwUnlessOk(response, 'token request');
    const json = readJson(response) as { access_token?: unknown; expires_in?: unknown } | null;
    const expiresIn = Number(json?.expires_in);
    if (typeof json?.access_token !== 'string' || !Number.isFinite(expiresIn)) {
      throw new WorkAnalyticsError('SB_PULL_WORK_RESPONSE', 'The Work Analytics token response has no access_token/expires_in. Check pulls.workAnalytics.baseUrl.', {
        status: response.status,
        configKey: 'pulls.workAnalytics.baseUrl',
      });
    }
    const token = { value: json.access_token, expiresAt: this.#now() + expiresIn * 1000 };
    return token;
  }

  async #page(path: string, query: PageQuery): Promise<Page> {
    const timeZone = ianaZoneName(query.timeZone);
    const params = new URLSearchParams({
      pbxId: pbxList(query.pbxId ?? 'allpbxes'),
      startTime: queryTime(query.from, timeZone),
      endTime: queryTime(query.to, timeZone),
      timeZone,
      pageSize: String(query.pageSize),
      ...query.params,
    });
    if (query.scrollId) params.set('scrollId', query.scrollId);
    const url = `${this.#base}${path}?${params}`;

    let response = await this.#dataCall(url, query.signal);
    if (response.status === 401) {
      // The token may have expired early or been revoked: refresh once, then give up.
      this.#tokens.clear();
      response = await this.#dataCall(url, query.signal);
      if (response.status === 401) {
        throw authError(`8x8 refused a fresh Work Analytics token on ${path} (HTTP 401)`, 401, 'token');
      }
    }
    if (credentialRefusal(response) === 'apiKey') throw authError(`8x8 refused the API key on ${path} (HTTP ${response.status}: ${response.text.slice(0, 200)})`, response.status, 'apiKey');
    if (response.status === 403) {
      // [OAS 403] "user(…) does not have access to pbxId(…) to make this request."
      throw new WorkAnalyticsError(
        'SB_PULL_WORK_AUTH',
        `8x8 refused ${path} for pbxId "${params.get('pbxId')}" (HTTP 403): ${response.text.slice(0, 300)}. Check pulls.workAnalytics.pbxId (PBX names as in Admin Console › PBX, a comma list, or allpbxes) ` +
          `and that ${WORK_ANALYTICS_ENV.username} may see those PBXes in Work Analytics.`,
        { status: 403, configKey: 'pulls.workAnalytics.pbxId' },
      );
    }
    this.#throwUnlessOk(response, path);
    const json = readJson(response) as { meta?: { scrollId?: unknown; totalRecordCount?: unknown }; data?: unknown } | null;
    if (!json || !Array.isArray(json.data)) {
      throw new WorkAnalyticsError('SB_PULL_WORK_RESPONSE', `${path} answered without a data array. Check pulls.workAnalytics.baseUrl.`, {
        status: response.status,
        configKey: 'pulls.workAnalytics.baseUrl',
      });
    }
    const records = json.data as Record<string, unknown>[];
    const scroll = json.meta?.scrollId;
    // The documented end: empty data and scrollId "No Data". A missing scrollId ends too.
    const scrollId = typeof scroll === 'string' && scroll !== NO_DATA && scroll !== '' ? scroll : null;
    const total = json.meta?.totalRecordCount;
    return { records, scrollId, totalRecordCount: typeof total === 'number' ? total : undefined };
  }

  async #dataCall(url: string, signal: AbortSignal | undefined): Promise<Answer> {
    const token = await this.token(signal);
    return this.#send(url, { headers: { authorization: `Bearer ${token}`, '8x8-apikey': this.#options.apiKey, accept: 'application/json' } }, signal);
  }

  /** One request, body read in full, within the per-request timeout (http.ts). */
  #send(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Answer> {
    return sendOnce(url, init, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      signal,
      read: readText,
      unavailable: ({ timedOut, error }) =>
        new WorkAnalyticsError(
          'SB_PULL_WORK_UNAVAILABLE',
          timedOut ? `Work Analytics did not answer within ${this.#timeoutMs} ms` : `Work Analytics could not be reached: ${(error as Error).message}`,
          { cause: error },
        ),
    });
  }

  #throwUnlessOk(response: Answer, what: string): void {
    if (response.status >= 200 && response.status < 300) return;
    const text = response.text.slice(0, 300);
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'), this.#now());
      throw new WorkAnalyticsError('SB_PULL_WORK_UNAVAILABLE', `Work Analytics ${what} answered HTTP ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}: ${text}`, {
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    throw new WorkAnalyticsError('SB_PULL_WORK_REQUEST', `Work Analytics ${what} answered HTTP ${status}: ${text}`, { status });
  }
}

function queryTime(value: Date | string, timeZone: string): string {
  return typeof value === 'string' ? value : formatQueryTime(value, timeZone);
}

function readJson(response: Answer): unknown {
  const text = response.text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new WorkAnalyticsError('SB_PULL_WORK_RESPONSE', `Work Analytics answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, {
      cause: error,
      status: response.status,
    });
  }
}

/**
 * Which credential a 400 blames, as documented for `/v1/oauth/token` and the data calls:
 * `code: "SHA001"` ("Invalid 8x8-apikey") is the API key, `error: "invalid_grant"` the user.
 */
function credentialRefusal(response: Answer): 'apiKey' | 'user' | null {
  if (response.status !== 400) return null;
  let body: { code?: unknown; error?: unknown; message?: unknown } | null;
  try {
    body = JSON.parse(response.text) as { code?: unknown; error?: unknown; message?: unknown } | null;
  } catch {
    return null;
  }
  if (body?.code === 'SHA001' || (typeof body?.message === 'string' && /8x8-apikey/i.test(body.message))) return 'apiKey';
  if (body?.error === 'invalid_grant') return 'user';
  return null;
}

/** An auth error whose hint names the credential to fix: the API key, the user, or (a refused token) all three. */
function authError(what: string, status: number, blame: 'apiKey' | 'user' | 'token'): WorkAnalyticsError {
  const hint =
    blame === 'apiKey'
      ? `Check ${WORK_ANALYTICS_ENV.apiKey}: the Admin Console API key (its key, not its secret), sent as 8x8-apikey.`
      : blame === 'user'
        ? `Check ${WORK_ANALYTICS_ENV.username} and ${WORK_ANALYTICS_ENV.password}: an 8x8 user with Work Analytics access who has opened Analytics in a browser once.`
        : `Check ${WORK_ANALYTICS_ENV.apiKey} (the Admin Console API key), ${WORK_ANALYTICS_ENV.username} and ${WORK_ANALYTICS_ENV.password}; ` +
          'the user needs Work Analytics access and must have opened Analytics in a browser once.';
  return new WorkAnalyticsError('SB_PULL_WORK_AUTH', `${what}. ${hint}`, { status, configKey: 'pulls.workAnalytics' });
}

/**
 * A time zone as the tz database spells it, which the API's `timeZone` wants ("IANA Time
 * Zone … Examples America/New_York, Europe/London"): Intl reads names in any case and by their
 * old links, so `america/new_york` or `US/Eastern` become `America/New_York`.
 * SB_PULL_WORK_TIME_ZONE for a name Intl does not know.
 */
export function ianaZoneName(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch (error) {
    throw new WorkAnalyticsError('SB_PULL_WORK_TIME_ZONE', `"${zone}" is not an IANA time zone. Use a name such as America/New_York or UTC.`, {
      cause: error,
      configKey: 'pulls.workAnalytics.timeZone',
    });
  }
}

/** `pbxId` as documented: PBX names joined by commas without spaces (`acmecorp,acmecorp2`), or `allpbxes`. */
export function pbxList(pbxId: string): string {
  const names = pbxId.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) {
    throw new WorkAnalyticsError('SB_PULL_WORK_REQUEST', `pulls.workAnalytics.pbxId "${pbxId}" names no PBX. Use a PBX name, a comma list, or allpbxes.`, {
      configKey: 'pulls.workAnalytics.pbxId',
    });
  }
  return names.join(',');
}
