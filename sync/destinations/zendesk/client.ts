/**
 * A small Zendesk Support API client on Node's fetch, instead of node-zendesk: that one
 * resolves on 429 (any response with Retry-After) and drops error bodies unless told
 * otherwise (../shared/reference/clients-and-apis.md §2.6, blakmatrix/node-zendesk#126).
 * Here every non-2xx response rejects with a ZendeskResponseError holding its status, its
 * body (JSON or text) and its Retry-After. It does not retry: the sync engine does.
 */
import { TransientDestinationError } from '../../destination.js';
import { retryAfterMs } from '../../../core/retry-after.js';
import { ZendeskResponseError } from './errors.js';

export interface ZendeskClientOptions {
  /** `https://acme.zendesk.com` (the `/api/v2` is added), or a local test server's URL. */
  url: string;
  /** The agent the token belongs to. */
  email: string;
  apiToken: string;
  /** Per request, after which it counts as a transient failure. Default 30 s. */
  timeoutMs?: number;
}

export interface ZendeskRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below `/api/v2`, e.g. `/tickets/show_many`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  signal: AbortSignal;
}

export interface ZendeskResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON; null for an empty body (204). */
  body: T;
}

export class ZendeskClient {
  readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: ZendeskClientOptions) {
    // Accept the account URL with or without a trailing slash or /api/v2.
    this.baseUrl = `${options.url.replace(/\/+$/, '').replace(/\/api\/v2$/, '')}/api/v2`;
    // API token auth: Basic base64("{email}/token:{api_token}") (reference §2.1).
    this.authorization = `Basic ${Buffer.from(`${options.email}/token:${options.apiToken}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Resolves on 2xx; rejects with ZendeskResponseError on any other status, with
   * TransientDestinationError on a timeout or network failure, and with the signal's
   * reason when the caller aborts.
   *
   * @example await client.request({ method: 'GET', path: '/tickets', query: { external_id: 'call-1' }, signal })
   */
  async request<T>(request: ZendeskRequest): Promise<ZendeskResponse<T>> {
    const url = new URL(`${this.baseUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const label = `${request.method} ${url.pathname}`;
    request.signal.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.any([request.signal, timeout]),
      });
      text = await response.text();
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      const why = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : (error as Error).message;
      throw new TransientDestinationError(`Zendesk did not answer ${label}: ${why}`, undefined, { cause: error });
    }
    const body = parseBody(text, response.headers.get('content-type'));
    if (!response.ok) throw new ZendeskResponseError(response.status, body, retryAfterMs(response.headers.get('retry-after')), label, response.headers);
    return { status: response.status, headers: response.headers, body: (body ?? null) as T };
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return null;
  // Rate-limit refusals may be plain text whatever they claim (reference §2.4).
  if (contentType?.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
