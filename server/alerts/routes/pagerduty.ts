/**
 * PagerDuty, through the Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/overview/):
 * one `POST /v2/enqueue` per notification, JSON, the integration's routing key in the body.
 *
 * - Fire and re-notify: `event_action: trigger` with `dedup_key` = the alert's key, so a
 *   re-notification updates the open alert instead of opening another
 *   (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/: "dedup_key …
 *   Deduplication key for correlating triggers and resolves"; summary at most 1024 characters).
 * - Resolve: `event_action: resolve` with the same `dedup_key`
 *   (https://developer.pagerduty.com/docs/events-api-v2/resolve-events/).
 * - Answers (the overview's "API Response Codes & Retry Logic"): 202 accepted; 400 the event
 *   is invalid, not retried; 429 too many events, retried later; 5xx and network errors,
 *   retried later.
 */
import type { AlertView, AlertRoute, RouteRef } from './route.js';
import { RouteFailure } from './route.js';
import { retryAfterMs } from '../../../core/retry-after.js';
import { testAlert } from '../message.js';

export interface PagerDutyRouteOptions {
  /** e.g. `https://events.pagerduty.com/v2/enqueue` (alerts.routes.pagerduty.url). */
  url: string;
  /** The Events API v2 integration key (SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY). Never logged. */
  routingKey: string;
  timeoutMs: number;
  /** `source` of test events: this node's name. */
  source: string;
  now?: () => Date;
}

/** PagerDuty's limit on `payload.summary`. */
const SUMMARY_MAX = 1024;

export class PagerDutyRoute implements AlertRoute {
  readonly name = 'pagerduty' as const;
  private readonly now: () => Date;

  constructor(private readonly options: PagerDutyRouteOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async fire(alert: AlertView, signal: AbortSignal): Promise<RouteRef> {
    return this.trigger(alert, signal);
  }

  async renotify(alert: AlertView, _ref: RouteRef, signal: AbortSignal): Promise<RouteRef> {
    return this.trigger(alert, signal);
  }

  async resolve(alert: AlertView, _ref: RouteRef, signal: AbortSignal): Promise<RouteRef> {
    const answer = await this.send({ routing_key: this.options.routingKey, event_action: 'resolve', dedup_key: alert.key }, signal);
    return { dedupKey: answer.dedup_key ?? alert.key };
  }

  /** A trigger of severity info, resolved at once: it reaches the service, and may notify whoever its urgency rules say. */
  async test(signal: AbortSignal): Promise<string> {
    const alert = testAlert(this.options.source, this.now());
    const { dedupKey } = await this.trigger({ ...alert, key: `switchboard-test-${this.now().getTime()}` }, signal);
    await this.send({ routing_key: this.options.routingKey, event_action: 'resolve', dedup_key: dedupKey }, signal);
    return `PagerDuty accepted a test trigger (severity info) and its resolve, dedup_key ${dedupKey}`;
  }

  private async trigger(alert: AlertView, signal: AbortSignal): Promise<RouteRef> {
    const summary = alert.summary; // names its pipeline already: `meetings: 42 authentication failures …`
    const answer = await this.send(
      {
        routing_key: this.options.routingKey,
        event_action: 'trigger',
        dedup_key: alert.key,
        client: 'Switchboard',
        payload: {
          summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
          source: alert.source,
          severity: alert.severity,
          timestamp: this.now().toISOString(),
          component: alert.pipeline,
          group: 'switchboard',
          class: alert.rule,
          custom_details: { ...alert.details, rule: alert.rule, notice: alert.notifyCount, firingSince: alert.firstFiredAt?.toISOString() ?? null },
        },
      },
      signal,
    );
    return { dedupKey: answer.dedup_key ?? alert.key };
  }

  private async send(event: Record<string, unknown>, signal: AbortSignal): Promise<{ status?: string; message?: string; dedup_key?: string }> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new RouteFailure('pagerduty', `PagerDuty did not answer (${(error as Error).message}); alerts.routes.pagerduty.url is ${this.options.url}`, true, undefined, { cause: error });
    }
    const text = await response.text().catch(() => '');
    const body = parseJson(text);
    if (response.status === 202 || response.status === 200) return body;
    const said = [body.message, ...(Array.isArray(body.errors) ? body.errors : [])].filter((s) => typeof s === 'string').join('; ');
    const what = `PagerDuty answered ${response.status}${said === '' ? '' : `: ${said}`}`;
    if (response.status === 429) throw new RouteFailure('pagerduty', `${what} (too many events; retried later)`, true, retryAfterMs(response.headers.get('retry-after')));
    if (response.status >= 500) throw new RouteFailure('pagerduty', `${what} (retried later)`, true, retryAfterMs(response.headers.get('retry-after')));
    throw new RouteFailure(
      'pagerduty',
      `${what}. The event was refused: check SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY (an Events API v2 integration key, 32 characters) and alerts.routes.pagerduty.url.`,
      false,
    );
  }
}

function parseJson(text: string): { status?: string; message?: string; dedup_key?: string; errors?: unknown } {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
