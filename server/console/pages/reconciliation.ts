/**
 * Reconciliation: per pull source and day, how many pulled events never arrived as a webhook
 * (`<models.schema>.reconciliation_daily`), with the days over pulls.reconciliation.missedShareAlert
 * flagged, the same rule serve's check logs and gauges (switchboard_webhooks_missed_share).
 */
import { chart } from '../charts.js';
import type { PageContext } from '../context.js';
import { badge, count, percent, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, page, section, table } from '../layout.js';
import { readReconciliation, type ReconciliationDay } from '../reads/runs.js';

/** How many days the page shows. */
export const RECONCILIATION_DAYS = 30;

export interface ReconciliationData {
  at: Date;
  /** Null when reconciliation_daily is not built. */
  days: ReconciliationDay[] | null;
  threshold: { missedShareAlert: number; minEvents: number } | null;
}

export async function reconciliationData(ctx: PageContext): Promise<ReconciliationData> {
  const since = new Date(ctx.at.getTime() - RECONCILIATION_DAYS * 86_400_000);
  return { at: ctx.at, days: await readReconciliation(ctx.warehouse, ctx.settings.modelsSchema, since), threshold: ctx.settings.reconciliation };
}

export function renderReconciliation(data: ReconciliationData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, days, threshold } = data;
  if (days === null || days.length === 0) {
    const why = days === null ? 'reconciliation_daily is not built: it is built with the models when a pull source is configured (README › Pulls).' : `No reconciled day in the last ${RECONCILIATION_DAYS} days.`;
    return page({ title: 'Reconciliation', current: '/reconciliation', principal: ctx.principal, body: emptyState(why) });
  }
  const breach = (d: ReconciliationDay): boolean => threshold !== null && d.pullEvents >= threshold.minEvents && d.missedShare > threshold.missedShareAlert;
  const rows = days.map((d) => [d.day, d.source, count(d.pullEvents), count(d.missedWebhooks), percent(d.missedShare), breach(d) ? badge('bad', 'over the alert share') : badge('ok', 'within')]);
  const dayList = [...new Set(days.map((d) => d.day))].sort();
  const sources = [...new Set(days.map((d) => d.source))].sort();
  const series = sources.map((source) => ({
    label: source,
    values: dayList.map((day) => {
      const found = days.find((d) => d.day === day && d.source === source);
      return found === undefined ? null : Math.round(found.missedShare * 1000) / 10;
    }),
  }));
  const times = dayList.map((day) => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000));
  const rule =
    threshold === null
      ? 'No pull source is configured now, so no day is checked.'
      : `A day is flagged when at least ${threshold.minEvents} events were pulled and more than ${percent(threshold.missedShareAlert)} of them never came as a webhook (pulls.reconciliation.missedShareAlert, minEvents).`;
  const body = html`${chart({ id: 'missed', title: 'Share of pulled events with no webhook, per day (%)', unit: '%', times, series, kind: 'run' })}
${section('days', 'Days', table(`The last ${RECONCILIATION_DAYS} days, newest first`, ['day', 'source', 'pulled', 'missed webhooks', 'missed share', 'check'], rows, [false, false, true, true, true, false]), rule)}`;
  return page({ title: 'Reconciliation', current: '/reconciliation', principal: ctx.principal, body, charts: true, lead: html`Read ${when(at.toISOString(), at)}.` });
}
