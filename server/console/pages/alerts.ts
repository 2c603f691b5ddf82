/**
 * Alerts: what fires now and what resolved, from GET /alerts (../alerts/, `<raw>._alerts`).
 * When alerts are off (alerts.enabled: false) the page says so above what was recorded before.
 */
import type { PageContext } from '../context.js';
import { badge, count, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, notice, page, section, table } from '../layout.js';
import { pick, pickNumber, rowsOf, type Row } from '../rows.js';

export interface AlertsData {
  at: Date;
  firing: Row[];
  resolved: Row[];
  /** Why no rule is evaluated (the config key), or null. */
  off: string | null;
  error: string | null;
}

export async function alertsData(ctx: PageContext): Promise<AlertsData> {
  const [firing, resolved] = await Promise.all([ctx.api.get('/alerts?status=firing'), ctx.api.get('/alerts?status=resolved')]);
  const failed = firing.error ?? resolved.error;
  return {
    at: ctx.at,
    firing: rowsOf(firing.body, 'alerts'),
    resolved: rowsOf(resolved.body, 'alerts'),
    off: ctx.settings.alertsOff,
    error: failed === null ? null : `${failed.code}: ${failed.message}`,
  };
}

const SEVERITY_HEALTH: Readonly<Record<string, 'warn' | 'bad' | 'idle'>> = { critical: 'bad', error: 'bad', warning: 'warn', info: 'idle' };

export function renderAlerts(data: AlertsData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, firing, resolved } = data;
  const row = (a: Row, state: 'firing' | 'resolved'): Array<Html | string> => {
    const severity = pick(a, 'severity');
    return [
      state === 'firing' ? badge('bad', 'firing') : badge('ok', 'resolved'),
      severity === null ? '-' : badge(SEVERITY_HEALTH[severity] ?? 'idle', severity),
      pick(a, 'rule') ?? '-',
      pick(a, 'pipeline') ?? '-',
      // The dedupe key under the summary: what PagerDuty, Slack and email know the alert by.
      html`<span class="prose">${pick(a, 'summary') ?? ''}</span><br><span class="muted">dedupe key <code>${pick(a, 'alert_key') ?? ''}</code></span>`,
      when(pick(a, 'first_fired_at'), at),
      state === 'firing' ? when(pick(a, 'last_notified_at'), at) : when(pick(a, 'resolved_at'), at),
      count(pickNumber(a, 'notify_count')),
    ];
  };
  const head = (last: string): string[] => ['state', 'severity', 'rule', 'pipeline', 'summary', 'first fired', last, 'notifications'];
  const numeric = [false, false, false, false, false, false, false, true];
  const body = html`${data.off === null ? '' : notice('info', `Alerts are off (${data.off}): no rule is evaluated and nothing is sent. What was recorded before is listed below.`)}
${data.error === null ? '' : notice('error', data.error)}
${section('firing', `Firing (${firing.length})`, firing.length === 0 ? emptyState('Nothing is firing.') : table('Alerts firing now', head('last notified'), firing.map((a) => row(a, 'firing')), numeric))}
${section('resolved', `Resolved (${resolved.length})`, resolved.length === 0 ? emptyState('No alert has resolved yet.') : table('Resolved alerts, newest first', head('resolved'), resolved.map((a) => row(a, 'resolved')), numeric))}`;
  return page({ title: 'Alerts', current: '/alerts', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}
