/**
 * What the three pull clients (Work Analytics, CC Historical Analytics, Connect exports)
 * share about talking HTTP: one request within a timeout, and Retry-After. Each client
 * keeps its own error class and messages; none of them sleeps or retries here.
 */

/** An HTTP answer with its body read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** Reads an answer's body in full. */
export const readText = async (response: Response): Promise<Answer> => ({ status: response.status, headers: response.headers, text: await response.text() });

export interface SendOptions<T> {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The caller's abort (Ctrl-C, shutdown): it stays an abort, never a transient error. */
  signal: AbortSignal | undefined;
  /** What to do with the answer; its time counts against the timeout (a download's may return at the headers). */
  read: (response: Response) => Promise<T>;
  /** The client's transient error for a timeout or a network failure. */
  unavailable: (reason: { timedOut: boolean; error: unknown }) => Error;
}

/**
 * One request within `timeoutMs` (a ref'd timer, so a pending request keeps the process
 * alive). Network errors and timeouts become `unavailable(…)`; the caller's abort rethrows
 * its reason.
 */
export async function sendOnce<T>(url: string, init: RequestInit, options: SendOptions<T>): Promise<T> {
  const { signal } = options;
  signal?.throwIfAborted();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
  try {
    const response = await options.fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal });
    return await options.read(response);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw options.unavailable({ timedOut: timeout.signal.aborted, error });
  } finally {
    clearTimeout(timer);
  }
}

/** A bearer token and the epoch ms at which the API stops accepting it. */
export interface Token {
  value: string;
  expiresAt: number;
}

/**
 * A bearer token reused until `refreshBeforeMs` before it expires. Callers at the same time
 * share one token request; `clear()` after a 401 makes the next `get()` ask again.
 */
export class TokenCache {
  #token: Token | null = null;
  #pending: Promise<Token> | null = null;

  constructor(
    private readonly request: (signal: AbortSignal | undefined) => Promise<Token>,
    private readonly now: () => number,
    private readonly refreshBeforeMs: number,
  ) {}

  async get(signal?: AbortSignal): Promise<string> {
    const cached = this.#token;
    if (cached && this.now() < cached.expiresAt - this.refreshBeforeMs) return cached.value;
    this.#pending ??= this.request(signal)
      .then((token) => (this.#token = token))
      .finally(() => {
        this.#pending = null;
      });
    return (await this.#pending).value;
  }

  /** Forgets the token: the API no longer takes it (expired early, or revoked). */
  clear(): void {
    this.#token = null;
  }
}
