/**
 * Where alerts go. A route turns one notification (an alert fires, is still firing, or
 * resolved) into calls of one service; delivery.ts retries it and records what it did. A
 * route throws a RouteFailure when the service refused or could not be reached, saying
 * whether trying again can help and, when the service said so, after how long.
 */
import type { AlertRouteName, AlertSeverity } from '../../../core/config-alerts.js';
import { SwitchboardError } from '../../../core/errors.js';

/** An alert as a route shows it. */
export interface AlertView {
  /** The dedupe key, e.g. `authFailures:meetings` (PagerDuty's `dedup_key`). */
  key: string;
  rule: string;
  /** The rule's title, e.g. `a spike of authentication failures per family`. */
  title: string;
  pipeline: string;
  severity: AlertSeverity;
  summary: string;
  details: Record<string, unknown>;
  firstFiredAt: Date | null;
  resolvedAt: Date | null;
  /** 1 at the fire, 2 at the first re-notification, … */
  notifyCount: number;
  /** Which Switchboard sent it: `<node>` (jobs.nodeName or the host name), for PagerDuty's `source`. */
  source: string;
}

/** What a route keeps about a message it sent, to act on it later (e.g. `{ channel, ts }`). */
export type RouteRef = Record<string, string>;

export interface AlertRoute {
  readonly name: AlertRouteName;
  /** Announces a firing alert. Returns the handle on what it sent (kept in `_alerts.deliveries`). */
  fire(alert: AlertView, signal: AbortSignal): Promise<RouteRef>;
  /** Announces again an alert still firing; `ref` is what fire returned. */
  renotify(alert: AlertView, ref: RouteRef, signal: AbortSignal): Promise<RouteRef>;
  /** Announces that it resolved: PagerDuty `resolve`, Slack edits the message, email sends a resolved notice. */
  resolve(alert: AlertView, ref: RouteRef, signal: AbortSignal): Promise<RouteRef>;
  /** Sends a test notification (POST /alerts/test); returns what it did, in a few words. */
  test(signal: AbortSignal): Promise<string>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** A failed call to a route's service. */
export class RouteFailure extends SwitchboardError {
  /**
   * @param retryable whether trying again can help (a 429, a 5xx, no answer), or not (a 400, a wrong token)
   * @param retryAfterMs the service's Retry-After, when it gave one
   */
  constructor(
    readonly route: AlertRouteName,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options: { cause?: unknown } = {},
  ) {
    super('SB_ALERT_ROUTE_FAILED', message, { configKey: `alerts.routes.${route}`, ...options });
    this.name = 'RouteFailure';
  }
}
