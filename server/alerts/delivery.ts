/**
 * Sending what the transitions decided, route by route, and remembering what each route
 * confirmed (`AlertRow.deliveries`), so that nothing is lost when a route fails:
 *
 * - A firing alert that a route has not announced yet is announced (a failed fire is tried
 *   again at the next evaluation, for as long as the alert fires).
 * - A re-notification goes to the routes that announced the fire.
 * - A resolve goes to the routes that announced the fire; one that cannot be delivered is
 *   tried again at the next evaluations, for up to a day after the resolve.
 *
 * Within one evaluation a failed call is tried `alerts.deliveryAttempts` times, waiting the
 * service's Retry-After or 1, 2, 4… s (at most 30 s) between tries (core/abortable-sleep.ts).
 * A route that stays unreachable is left for this evaluation. Routes run side by side, and
 * all deliveries of an evaluation stop at `alerts.deliveryTimeoutSeconds`: alerts run in
 * their own job, never on the landing path.
 */
import type { Logger } from 'pino';
import type { AlertRouteName } from '../../core/config-alerts.js';
import { abortableSleep } from '../../core/abortable-sleep.js';
import { errorLogFields } from '../../core/errors.js';
import type { AlertRoute, AlertView } from './routes/route.js';
import type { Notification } from './transitions.js';
import type { AlertRow, Delivery } from './state.js';

export type DeliveryAction = 'fire' | 'renotify' | 'resolve';
export interface DeliveryTask {
  row: AlertRow;
  action: DeliveryAction;
}

/** How long a resolve that could not be delivered is retried. */
const RESOLVE_GIVE_UP_MS = 24 * 3_600_000;
const MAX_BACKOFF_MS = 30_000;

const NONE: Delivery = { state: 'none', lastSentAt: null, ref: {}, error: null, failures: 0 };

/**
 * What each route has to send now.
 * @param routesOf the routes rule `rule`'s alerts go to (configured ones only)
 * @returns per route, its tasks; rows whose delivery state changed without a send (a resolve given up) are added to `changed`
 */
export function planDeliveries(
  rows: Iterable<AlertRow>,
  notifications: readonly Notification[],
  routesOf: (rule: string) => readonly AlertRouteName[],
  now: Date,
  changed: Set<string>,
): Map<AlertRouteName, DeliveryTask[]> {
  const renotify = new Set(notifications.filter((n) => n.kind === 'renotify').map((n) => n.key));
  const plan = new Map<AlertRouteName, DeliveryTask[]>();
  const add = (route: AlertRouteName, task: DeliveryTask): void => void plan.set(route, [...(plan.get(route) ?? []), task]);
  for (const row of rows) {
    for (const route of routesOf(row.rule)) {
      const delivery = row.deliveries[route] ?? NONE;
      if (row.status === 'firing') {
        if (delivery.state !== 'fired') add(route, { row, action: 'fire' });
        else if (renotify.has(row.key)) add(route, { row, action: 'renotify' });
      } else if (row.status === 'resolved' && delivery.state === 'fired') {
        if (row.resolvedAt !== null && now.getTime() - row.resolvedAt.getTime() > RESOLVE_GIVE_UP_MS) {
          row.deliveries[route] = { ...delivery, state: 'resolved', error: `gave up delivering the resolve after 24 h: ${delivery.error ?? 'not delivered'}` };
          changed.add(row.key);
        } else {
          add(route, { row, action: 'resolve' });
        }
      }
    }
  }
  return plan;
}

export interface DeliverOptions {
  attempts: number;
  /** Aborts at alerts.deliveryTimeoutSeconds or when the job stops. */
  signal: AbortSignal;
  view: (row: AlertRow) => AlertView;
  now: () => Date;
  logger: Logger;
  /** Counts each notification a route finally failed to deliver in this evaluation. */
  onFailed?: (route: AlertRouteName) => void;
}

/**
 * Sends `tasks` through `route` in order, recording each outcome in its row's deliveries
 * and its key in `changed`. Never throws.
 */
export async function deliver(route: AlertRoute, tasks: readonly DeliveryTask[], changed: Set<string>, options: DeliverOptions): Promise<void> {
  const { logger, signal } = options;
  for (const [index, { row, action }] of tasks.entries()) {
    if (signal.aborted) {
      logger.warn({ route: route.name, left: tasks.length - index }, `alerts to ${route.name}: ${tasks.length - index} notification(s) left for the next evaluation (alerts.deliveryTimeoutSeconds reached)`);
      return;
    }
    const before = row.deliveries[route.name] ?? NONE;
    const outcome = await attempt(route, row, action, before, options);
    changed.add(row.key);
    if (outcome.ok) {
      row.deliveries[route.name] = { state: action === 'resolve' ? 'resolved' : 'fired', lastSentAt: options.now().toISOString(), ref: { ...before.ref, ...outcome.ref }, error: null, failures: 0 };
      logger.info({ route: route.name, alert: row.key, action }, `alert ${row.key}: ${action} sent to ${route.name}`);
      continue;
    }
    row.deliveries[route.name] = { ...before, error: `${outcome.code}: ${outcome.message}`, failures: before.failures + outcome.tries };
    options.onFailed?.(route.name);
    logger.warn(
      { route: route.name, alert: row.key, action, code: outcome.code, reason: outcome.message, tries: outcome.tries, failures: before.failures + outcome.tries },
      `alert ${row.key}: could not ${action === 'fire' ? 'announce it' : action === 'renotify' ? 're-notify it' : 'announce its resolve'} on ${route.name}; tried again at the next evaluation`,
    );
    // Unreachable after every try: the next notifications would only wait the same way.
    if (outcome.retryable) {
      const left = tasks.length - index - 1;
      if (left > 0) logger.warn({ route: route.name, left }, `alerts to ${route.name}: ${left} more notification(s) left for the next evaluation`);
      return;
    }
  }
}

type Outcome = { ok: true; ref: Record<string, string> } | { ok: false; code: string; message: string; retryable: boolean; tries: number };

async function attempt(route: AlertRoute, row: AlertRow, action: DeliveryAction, delivery: Delivery, options: DeliverOptions): Promise<Outcome> {
  const alert = options.view(row);
  for (let tries = 1; ; tries++) {
    try {
      const ref =
        action === 'fire'
          ? await route.fire(alert, options.signal)
          : action === 'renotify'
            ? await route.renotify(alert, delivery.ref, options.signal)
            : await route.resolve(alert, delivery.ref, options.signal);
      return { ok: true, ref };
    } catch (error) {
      const { retryable, retryAfterMs } = error as { retryable?: boolean; retryAfterMs?: number };
      const fields = errorLogFields(error);
      const code = 'code' in fields ? fields.code : 'SB_ALERT_ROUTE_FAILED';
      const message = 'reason' in fields ? fields.reason : (error as Error).message;
      const canRetry = retryable !== false;
      if (!canRetry || tries >= options.attempts || options.signal.aborted) return { ok: false, code, message, retryable: canRetry, tries };
      const wait = retryAfterMs ?? Math.min(1000 * 2 ** (tries - 1), MAX_BACKOFF_MS);
      try {
        await abortableSleep(wait, options.signal);
      } catch {
        return { ok: false, code, message, retryable: canRetry, tries };
      }
    }
  }
}
