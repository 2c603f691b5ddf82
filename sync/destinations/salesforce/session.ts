/**
 * One jsforce Connection per destination: logged in lazily, re-authenticated once when
 * Salesforce says INVALID_SESSION_ID, and every failed call turned into the engine's
 * Transient/PermanentDestinationError.
 *
 * jsforce quirks handled here (../shared/reference/clients-and-apis.md §1.2, §8 #1):
 * - the API version is set explicitly (jsforce's default is 50.0);
 * - client-credentials and password logins return no refresh token, so jsforce's default
 *   refresher cannot renew a session: `refreshFn` logs in again (jsforce/jsforce#1780);
 * - jsforce replays a request after every successful refresh, for ever if Salesforce keeps
 *   answering 401: the refresher refuses a second refresh until some call has succeeded;
 * - jsforce's errors carry neither the HTTP status nor Retry-After, so a transport that
 *   watches responses keeps the last failed one.
 */
import { Connection } from 'jsforce';
import { Transport } from 'jsforce/lib/transport.js';
import type { HttpRequest, HttpResponse } from 'jsforce';
import type { Logger } from 'pino';
import { DeferRunError } from '../../destination.js';
import { classify, isNetworkError, type FailedResponse } from './errors.js';

/** `destinations.salesforce` as validated by core/config-schema.ts. */
export interface SalesforceSettings {
  loginUrl: string;
  apiVersion: string;
  auth: 'client_credentials' | 'password';
  clientId?: string | undefined;
  username?: string | undefined;
  externalIdField: string;
  bulkThreshold: number;
  /**
   * Most REST calls to start in any 1 s window; none: no pacing. Salesforce has no per-second
   * limit (only a rolling 24-hour allocation and a cap on concurrent long requests): pacing
   * spreads Switchboard's share of the allocation over the day.
   */
  requestsPerSecond?: number | undefined;
}

/**
 * Spaces calls so that at most `perSecond` start in any 1.05 s window, so that a sync spends
 * the org's rolling 24-hour allocation at a pace the operator chose.
 */
export class Pacer {
  private readonly starts: number[] = [];
  /** A call reaches Salesforce a little after it starts here: keep this much slack. */
  private static readonly MARGIN_MS = 50;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && (this.starts[0] as number) <= now - 1000 - Pacer.MARGIN_MS) this.starts.shift();
      if (this.starts.length < this.perSecond) {
        this.starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (this.starts[0] as number) + 1000 + Pacer.MARGIN_MS - now + 1));
    }
  }
}

export interface SalesforceSecrets {
  clientSecret: string;
  /** Password with the security token appended; password auth only. */
  password: string | null;
}

/** A jsforce Transport that reports every response before jsforce reads it. */
class WatchingTransport extends Transport {
  constructor(private readonly onResponse: (response: HttpResponse) => void) {
    super();
  }

  override httpRequest(...args: Parameters<Transport['httpRequest']>): ReturnType<Transport['httpRequest']> {
    const pending = super.httpRequest(...args);
    pending.then(this.onResponse, () => undefined);
    return pending;
  }
}

export class SalesforceSession {
  readonly conn: Connection;
  private loggedIn: Promise<void> | null = null;
  private lastFailure: FailedResponse | null = null;
  /** Set by a refresh, cleared by the next response that is not a 401. */
  private refreshedSinceSuccess = false;
  private refreshError: unknown = null;
  private readonly pacer: Pacer | null;

  constructor(
    readonly settings: SalesforceSettings,
    private readonly secrets: SalesforceSecrets,
    private readonly logger?: Logger,
  ) {
    this.conn = new Connection({
      loginUrl: settings.loginUrl,
      version: settings.apiVersion,
      oauth2: { loginUrl: settings.loginUrl, clientId: settings.clientId, clientSecret: secrets.clientSecret },
      refreshFn: (_conn, callback) => this.refresh(callback),
    });
    this.conn._transport = new WatchingTransport((response) => this.watch(response));
    this.pacer = settings.requestsPerSecond === undefined ? null : new Pacer(settings.requestsPerSecond);
  }

  /** The logged-in connection. @throws the classified login failure. */
  async connection(): Promise<Connection> {
    this.loggedIn ??= this.login().catch((error: unknown) => {
      this.loggedIn = null;
      throw this.classify(error, 'login');
    });
    await this.loggedIn;
    return this.conn;
  }

  /**
   * Runs one call on the logged-in connection; failures come back classified (see errors.ts).
   * @param where names the call in messages, e.g. `upsert of 200 Task`.
   */
  async call<T>(where: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.connection();
    await this.pacer?.take();
    try {
      return await fn(conn);
    } catch (error) {
      const classified = this.classify(error, where);
      if (classified instanceof DeferRunError) {
        // The alert: an operator must act (usage elsewhere in the org, or the allocation).
        this.logger?.error({ code: classified.code, where }, classified.message);
      }
      throw classified;
    }
  }

  /**
   * A REST request through jsforce with jsforce's own retries off: the engine retries with
   * backoff that honours Retry-After, while jsforce would retry GET and DELETE five times
   * within ~15 s and ignore it (reference §1.6).
   */
  request<T>(where: string, request: HttpRequest): Promise<T> {
    return this.call(where, (conn) => conn.request<T>(request, { retry: { maxRetries: 0 } }));
  }

  private async login(): Promise<void> {
    const { auth, username, loginUrl } = this.settings;
    if (auth === 'password') await this.conn.loginByOAuth2(username as string, this.secrets.password as string);
    else await this.conn.authorize({ grant_type: 'client_credentials' });
    this.logger?.debug({ loginUrl, auth, instanceUrl: this.conn.instanceUrl }, 'logged in to Salesforce');
  }

  private refresh(callback: (error: Error | null | undefined, accessToken?: string) => void): void {
    if (this.refreshedSinceSuccess) {
      this.refreshError = new Error('Salesforce refused the session it had just issued (INVALID_SESSION_ID again right after logging in)');
      callback(this.refreshError as Error);
      return;
    }
    this.refreshedSinceSuccess = true;
    this.logger?.info('Salesforce session expired (INVALID_SESSION_ID): logging in again');
    this.login().then(
      () => callback(null, this.conn.accessToken ?? undefined),
      (error: unknown) => {
        this.refreshError = error;
        callback(error as Error);
      },
    );
  }

  private watch(response: HttpResponse): void {
    if (response.statusCode !== 401) this.refreshedSinceSuccess = false;
    this.lastFailure = response.statusCode >= 400 ? { status: response.statusCode, headers: response.headers } : null;
  }

  private classify(error: unknown, where: string): unknown {
    // jsforce wraps a failed refresh as a plain "Unable to refresh session due to: …": judge the refresh's own error.
    if (error instanceof Error && error.message.startsWith('Unable to refresh session') && this.refreshError !== null) {
      const cause = this.refreshError;
      this.refreshError = null;
      if (isNetworkError(cause)) return classify(cause, null, where);
      const classified = classify(cause, null, where);
      if (classified !== cause) return classified;
      return classify(Object.assign(new Error((cause as Error).message), { errorCode: 'INVALID_SESSION_ID' }), this.lastFailure, where);
    }
    return classify(error, this.lastFailure, where);
  }
}
