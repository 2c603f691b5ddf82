/**
 * Alerts: what fires now and what resolved, from GET /alerts. A build without alerts says so.
 */
import type { PageContext } from '../context.js';
import { badge, count, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, notice, page, section, table } from '../layout.js';
import { pick, pickNumber, rowsOf, type Row } from '../rows.js';

export interface AlertsData {
  at: Date;
  /** Null when this build has no GET /alerts. */
  firing: Row[] | null;
  resolved: Row[] | null;
  error: string | null;
}

export async function alertsData(ctx: PageContext): Promise<AlertsData> {
  if (!ctx.api.has('GET', '/alerts')) return { at: ctx.at, firing: null, resolved: null, error: null };
  const [firing, resolved] = await Promise.all([ctx.api.get('/alerts?status=firing'), ctx.api.get('/alerts?status=resolved')]);
  const failed = firing.error ?? resolved.error;
  return { at: ctx.at, firing: rowsOf(firing.body, 'alerts'), resolved: rowsOf(resolved.body, 'alerts'), error: failed === null ? null : `${failed.code}: ${failed.message}` };
}

export function renderAlerts(data: AlertsData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, firing, resolved } = data;
  if (firing === null || resolved === null) {
    return page({ title: 'Alerts', current: '/alerts', principal: ctx.principal, body: emptyState('Alerts are not available in this build (the operator API has no GET /alerts).') });
  }
  const row = (a: Row, state: 'firing' | 'resolved'): Array<Html | string> => [
    state === 'firing' ? badge('bad', 'firing') : badge('ok', 'resolved'),
    pick(a, 'rule') ?? '-',
    pick(a, 'pipeline') ?? '-',
    pick(a, 'summary') ?? '',
    when(pick(a, 'first_fired_at'), at),
    state === 'firing' ? when(pick(a, 'last_notified_at'), at) : when(pick(a, 'resolved_at'), at),
    count(pickNumber(a, 'notify_count')),
    html`<code>${pick(a, 'alert_key') ?? ''}</code>`,
  ];
  const head = (last: string): string[] => ['state', 'rule', 'pipeline', 'summary', 'first fired', last, 'notifications', 'key'];
  const body = html`${data.error === null ? '' : notice('error', data.error)}
${section('firing', `Firing (${firing.length})`, firing.length === 0 ? emptyState('Nothing is firing.') : table('Alerts firing now', head('last notified'), firing.map((a) => row(a, 'firing'))))}
${section('resolved', `Resolved (${resolved.length})`, resolved.length === 0 ? emptyState('No alert has resolved yet.') : table('Resolved alerts, newest first', head('resolved'), resolved.map((a) => row(a, 'resolved'))))}`;
  return page({ title: 'Alerts', current: '/alerts', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}
