/**
 * A client for the 8x8 Connect log exports (async CSV), per ../shared/reference/8x8.md §1.8
 * and §2.7, and https://developer.8x8.com/connect/reference/start-log-export-job:
 *
 * - auth is `Authorization: Bearer {apiKey}` (one Connect API key serves SMS, Chat Apps
 *   and Voice);
 * - `POST {base}/subaccounts/{sub}/messages/exports` with `{from, to, limit}` answers
 *   `202 {jobId}`; Voice uses the same `/messages/exports` path on its own host. What is sent
 *   keeps to the documented constraints (`docs_oas/connect/sms_api.json`,
 *   `business_messaging_api.json`, `voice_v1_api.json`, `LogExportRequest` and the path
 *   parameter): `{sub}` matches `^[A-Za-z0-9\-._&]{3,50}$` (checked here, before any request);
 *   from/to are `yyyy-MM-ddTHH:mm:ssZ` (whole seconds: no listed format has a fraction);
 *   `limit` is 0 (unlimited);
 * - `GET …/messages/exports/{jobId}` answers `{status, data: [download URLs], expires}`,
 *   status one of queued|running|succeeded|failed|cancelled|empty|error; an unknown job is
 *   404 `{code: 4018, message: "Invalid jobId"}`;
 * - `DELETE …/messages/exports/{jobId}` cancels (204);
 * - the download links are absolute and valid for a month; they may point at another host,
 *   so the bearer goes only to the API's own origin.
 *
 * The client makes one request per call and never sleeps: a 429/5xx/timeout becomes a
 * transient ConnectExportError with `retryAfterMs`, and the caller decides when to retry.
 */
import { Readable } from 'node:stream';
import { retryAfterMs as retryAfterMsOf } from '../../../core/retry-after.js';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DateTime } from 'luxon';
import { ConnectExportError } from './errors.js';
import { readText, sendOnce, type Answer } from '../http.js';

/** The documented form of `{subAccountId}` in every export path (3–50 of A-Z a-z 0-9 - . _ &). */
export const SUBACCOUNT_ID = /^[A-Za-z0-9\-._&]{3,50}$/;

/** The env var that holds the Connect API key (named in auth errors). */
export const CONNECT_ENV = {
  apiKey: 'SWITCHBOARD_CONNECT_API_KEY',
} as const;

export type ConnectProduct = 'sms' | 'chatapps' | 'voice';

/**
 * The default (APAC) API base per product. Other regions swap the host suffix
 * (`.us.8x8.com` NA, `.8x8.uk` EU, `.8x8.id` Indonesia; reference §1.7); the Voice docs
 * also show `voice.wavecell.com`.
 */
export const CONNECT_BASE_URLS: Readonly<Record<ConnectProduct, string>> = {
  sms: 'https://sms.8x8.com/api/v1',
  chatapps: 'https://chatapps.8x8.com/api/v1',
  voice: 'https://voice.8x8.com/api/v1',
};

/** Where a job stands, as documented for `GET …/exports/{jobId}`. */
export type ExportStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'empty' | 'error';

const STATUSES: readonly ExportStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'empty', 'error'];

export interface ExportJob {
  status: ExportStatus;
  /** Download links, in order; present only once `succeeded`. */
  data: string[];
  /** When the links stop working (ISO UTC), once `succeeded`. */
  expires: string | undefined;
}

export interface ConnectExportsClientOptions {
  product: ConnectProduct;
  /** The Connect API key (`SWITCHBOARD_CONNECT_API_KEY`). */
  apiKey: string;
  /** e.g. `acme_sms_01` (`pulls.connect.subAccountId`). */
  subAccountId: string;
  /** `pulls.connect.<product>Url`; default CONNECT_BASE_URLS[product], e.g. `https://sms.us.8x8.com/api/v1` for NA. */
  baseUrl?: string;
  /** Per-request timeout (for a download: until its headers arrive). Default 60 000 ms. */
  timeoutMs?: number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
}

/** One export request: [from, to), sent as `yyyy-MM-ddTHH:mm:ssZ` (whole seconds, UTC). */
export interface ExportQuery {
  from: Date;
  to: Date;
  /** Rows at most; 0 (the default) means unlimited. */
  limit?: number;
  signal?: AbortSignal;
}


export class ConnectExportsClient {
  readonly product: ConnectProduct;
  readonly #base: string;
  readonly #origin: string;
  readonly #options: ConnectExportsClientOptions;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ConnectExportsClientOptions) {
    if (!SUBACCOUNT_ID.test(options.subAccountId)) {
      throw new ConnectExportError(
        'SB_PULL_CONNECT_REQUEST',
        `pulls.connect.subAccountId "${options.subAccountId}" is not a Connect subaccount id: 8x8 takes 3 to 50 of A-Z a-z 0-9 - . _ & ` +
          '(the id as shown on connect.8x8.com, e.g. acme_sms_prod).',
        { configKey: 'pulls.connect.subAccountId' },
      );
    }
    this.product = options.product;
    this.#options = options;
    this.#base = (options.baseUrl ?? CONNECT_BASE_URLS[options.product]).replace(/\/+$/, '');
    this.#origin = new URL(this.#base).origin;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  get #exports(): string {
    return `${this.#base}/subaccounts/${encodeURIComponent(this.#options.subAccountId)}/messages/exports`;
  }

  /** Starts an export job and returns its id. */
  async startExport(query: ExportQuery): Promise<string> {
    const body = JSON.stringify({ from: formatExportTime(query.from), to: formatExportTime(query.to), limit: query.limit ?? 0 });
    const answer = await this.#call(this.#exports, { method: 'POST', body, headers: { 'content-type': 'application/json' } }, query.signal);
    this.#throwUnlessOk(answer, 'start export');
    const json = this.#json(answer) as { jobId?: unknown } | null;
    if (typeof json?.jobId !== 'string' || json.jobId === '') throw this.#shapeError(answer, 'a start-export answer without jobId');
    return json.jobId;
  }

  /** The job's status and, once it succeeded, its download links. 404: 8x8 no longer knows the job. */
  async getExport(jobId: string, signal?: AbortSignal): Promise<ExportJob> {
    const answer = await this.#call(`${this.#exports}/${encodeURIComponent(jobId)}`, { method: 'GET' }, signal);
    this.#throwUnlessOk(answer, `export job ${jobId}`);
    const json = this.#json(answer) as { status?: unknown; data?: unknown; expires?: unknown } | null;
    const status = json?.status;
    if (typeof status !== 'string' || !STATUSES.includes(status as ExportStatus)) throw this.#shapeError(answer, `an export job status ${JSON.stringify(status)}`);
    const data = Array.isArray(json?.data) ? json.data.filter((url): url is string => typeof url === 'string') : [];
    if (status === 'succeeded' && data.length === 0) throw this.#shapeError(answer, 'a succeeded export job without download links');
    return { status: status as ExportStatus, data, expires: typeof json?.expires === 'string' ? json.expires : undefined };
  }

  /** Cancels a job (204). */
  async cancelExport(jobId: string, signal?: AbortSignal): Promise<void> {
    const answer = await this.#call(`${this.#exports}/${encodeURIComponent(jobId)}`, { method: 'DELETE' }, signal);
    this.#throwUnlessOk(answer, `cancel export job ${jobId}`);
  }

  /**
   * Opens one download link and returns the CSV as a byte stream (never buffered whole).
   * The bearer is sent only when the link is on the API's own origin. A 403/404/410 means
   * the link expired (SB_PULL_CONNECT_REQUEST with that status): start a new job.
   */
  async download(url: string, signal?: AbortSignal): Promise<Readable> {
    let target: URL;
    try {
      target = new URL(url, `${this.#base}/`);
    } catch (error) {
      throw new ConnectExportError('SB_PULL_CONNECT_RESPONSE', `8x8 gave a download link that is not a URL: ${url.slice(0, 200)}. Check pulls.connect.${this.product}Url.`, {
        cause: error,
        configKey: `pulls.connect.${this.product}Url`,
      });
    }
    const sameOrigin = target.origin === this.#origin;
    const response = await this.#send(target.href, { method: 'GET', headers: sameOrigin ? { ...this.#headers(), accept: 'text/csv' } : { accept: 'text/csv' } }, signal, async (r) => r);
    if (response.status === 403 || response.status === 404 || response.status === 410) {
      const text = await response.text().catch(() => '');
      throw new ConnectExportError(
        'SB_PULL_CONNECT_REQUEST',
        `The ${this.product} export download link answered HTTP ${response.status} (expired or revoked: links live a month): ${text.slice(0, 200)}. Start a new export job for the window.`,
        { status: response.status },
      );
    }
    if (!response.ok || response.body === null) {
      const text = await response.text().catch(() => '');
      this.#throwUnlessOk({ status: response.ok ? 502 : response.status, headers: response.headers, text }, 'download');
    }
    return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  }

  #headers(): Record<string, string> {
    return { authorization: `Bearer ${this.#options.apiKey}`, accept: 'application/json' };
  }

  async #call(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Answer> {
    const headers = { ...this.#headers(), ...(init.headers as Record<string, string> | undefined) };
    return this.#send(url, { ...init, headers }, signal, readText);
  }

  /** One request, and `read` of its answer, within the per-request timeout (http.ts); a download's `read` returns at the headers. */
  #send<T>(url: string, init: RequestInit, signal: AbortSignal | undefined, read: (response: Response) => Promise<T>): Promise<T> {
    return sendOnce(url, init, {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      signal,
      read,
      unavailable: ({ timedOut, error }) =>
        new ConnectExportError(
          'SB_PULL_CONNECT_UNAVAILABLE',
          timedOut ? `8x8 ${this.product} did not answer within ${this.#timeoutMs} ms` : `8x8 ${this.product} could not be reached: ${(error as Error).message}`,
          { cause: error },
        ),
    });
  }

  #throwUnlessOk(answer: Answer, what: string): void {
    const status = answer.status;
    if (status >= 200 && status < 300) return;
    const text = answer.text.slice(0, 300);
    if (status === 401 || status === 403) {
      throw new ConnectExportError(
        'SB_PULL_CONNECT_AUTH',
        `8x8 ${this.product} refused the ${what} request (HTTP ${status}): ${text}. Check ${CONNECT_ENV.apiKey} (a Connect API key from connect.8x8.com) ` +
          'and that it may use subaccount pulls.connect.subAccountId.',
        { status, configKey: 'pulls.connect' },
      );
    }
    if (status === 429 || status >= 500) {
      const retryAfterMs = retryAfterMsOf(answer.headers.get('retry-after'), Date.now());
      throw new ConnectExportError(
        'SB_PULL_CONNECT_UNAVAILABLE',
        `8x8 ${this.product} ${what} answered HTTP ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}: ${text}`,
        { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      );
    }
    const hint =
      status === 404
        ? `Check pulls.connect.subAccountId ("${this.#options.subAccountId}") and pulls.connect.${this.product}Url (the account's region); an unknown job id is also 404.`
        : 'Check the pull range (from < to) and pulls.connect settings; the message carries 8x8\'s answer.';
    throw new ConnectExportError('SB_PULL_CONNECT_REQUEST', `8x8 ${this.product} ${what} answered HTTP ${status}: ${text}. ${hint}`, {
      status,
      configKey: status === 404 ? 'pulls.connect.subAccountId' : 'pulls.connect',
    });
  }

  #json(answer: Answer): unknown {
    try {
      return JSON.parse(answer.text) as unknown;
    } catch (error) {
      throw this.#shapeError(answer, 'a body that is not JSON', error);
    }
  }

  #shapeError(answer: Answer, what: string, cause?: unknown): ConnectExportError {
    return new ConnectExportError(
      'SB_PULL_CONNECT_RESPONSE',
      `8x8 ${this.product} answered HTTP ${answer.status} with ${what}: ${answer.text.slice(0, 200)}. Check pulls.connect.${this.product}Url (e.g. ${CONNECT_BASE_URLS[this.product]}) and any proxy in between.`,
      { status: answer.status, configKey: `pulls.connect.${this.product}Url`, ...(cause === undefined ? {} : { cause }) },
    );
  }
}

/** An instant as the exports API reads it: `2026-03-07T05:00:00Z` (UTC, whole seconds). */
export function formatExportTime(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
