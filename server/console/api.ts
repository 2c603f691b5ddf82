/**
 * The console calling the operator API's own JSON routes in-process (`app.inject`), as the
 * signed-in operator: with the session's in-process bearer (sessions.ts), so the guard checks
 * the token's role and audits the call under its id, the same as a CLI request would be.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface ApiAnswer<T> {
  status: number;
  /** The parsed JSON body (null when it was not JSON). */
  body: T | null;
  /** The error the route answered, e.g. `{ code: 'SB_ADMIN_FORBIDDEN', message }`; null on 2xx. */
  error: { code: string; message: string } | null;
}

export class OperatorApi {
  /**
   * @param app the operator API (the root instance, where every route is registered)
   * @param request the console request being answered: its Host header (the guard checked it) is reused
   * @param bearer the session's in-process bearer
   */
  constructor(
    private readonly app: FastifyInstance,
    private readonly request: FastifyRequest,
    private readonly bearer: string,
  ) {}

  async get<T>(url: string): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', url);
  }

  async post<T>(url: string, payload: object): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', url, payload);
  }

  /** A POST answered as NDJSON (/sync, /build…): every non-blank line, parsed. */
  async postStream(url: string, payload: object): Promise<{ status: number; lines: unknown[]; error: ApiAnswer<unknown>['error'] }> {
    const response = await this.inject('POST', url, payload);
    if (response.statusCode >= 400) return { status: response.statusCode, lines: [], error: errorOf(parse(response.body)) ?? { code: `HTTP ${response.statusCode}`, message: response.body.slice(0, 500) } };
    const lines = response.body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parse(line));
    return { status: response.statusCode, lines, error: null };
  }

  private async call<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<ApiAnswer<T>> {
    const response = await this.inject(method, url, payload);
    const body = parse(response.body) as T | null;
    const error = response.statusCode < 400 ? null : (errorOf(body) ?? { code: `HTTP ${response.statusCode}`, message: response.body.slice(0, 500) });
    return { status: response.statusCode, body, error };
  }

  private inject(method: 'GET' | 'POST', url: string, payload?: object) {
    return this.app.inject({
      method,
      url,
      headers: { host: this.request.headers.host ?? 'localhost', authorization: `Bearer ${this.bearer}` },
      remoteAddress: this.request.ip,
      ...(payload === undefined ? {} : { payload }),
    });
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorOf(body: unknown): { code: string; message: string } | null {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error === undefined || typeof error !== 'object' || error === null) return null;
  return { code: String(error.code ?? 'HTTP error'), message: String(error.message ?? '') };
}
