/**
 * The words of a notification, the same on every route: a headline (Slack's first line, the
 * email's subject), and a body (the summary, when it started, the details, how to find it).
 */
import type { AlertView } from './routes/route.js';

export type NotificationKind = 'fire' | 'renotify' | 'resolve' | 'test';

const LABEL: Record<NotificationKind, string> = { fire: 'FIRING', renotify: 'STILL FIRING', resolve: 'RESOLVED', test: 'TEST' };

/** e.g. `FIRING (error): authFailures on meetings`. */
export function headline(alert: AlertView, kind: NotificationKind): string {
  return `${LABEL[kind]} (${alert.severity}): ${alert.rule} on ${alert.pipeline}`;
}

/** The lines under the headline, plain text. */
export function bodyLines(alert: AlertView, kind: NotificationKind, now: Date): string[] {
  const lines = [alert.summary, ''];
  if (alert.firstFiredAt !== null) lines.push(`Firing since ${iso(alert.firstFiredAt)}${kind === 'resolve' && alert.resolvedAt !== null ? `, resolved at ${iso(alert.resolvedAt)} (${minutesBetween(alert.firstFiredAt, alert.resolvedAt)})` : ''}.`);
  if (kind === 'renotify') lines.push(`Notice ${alert.notifyCount}: still firing at ${iso(now)}.`);
  if (kind === 'resolve') lines.push('The condition has cleared.');
  lines.push(`Rule: ${alert.rule} (${alert.title}); alert key ${alert.key}; from ${alert.source}.`);
  lines.push(`Details: ${JSON.stringify(alert.details)}`);
  lines.push('All alerts: switchboard sql "SELECT * FROM raw._alerts ORDER BY updated_at DESC", or GET /alerts on the operator API.');
  return lines;
}

/** The email's subject. */
export function subject(alert: AlertView, kind: NotificationKind): string {
  return `[Switchboard] ${headline(alert, kind)}`;
}

/** Slack mrkdwn: an emoji, the headline in bold, then the summary. */
export function slackText(alert: AlertView, kind: NotificationKind, now: Date): string {
  const emoji = { fire: ':rotating_light:', renotify: ':repeat:', resolve: ':white_check_mark:', test: ':wave:' }[kind];
  const lines = bodyLines(alert, kind, now);
  return `${emoji} *${escapeMrkdwn(headline(alert, kind))}*\n${lines.slice(0, -2).map(escapeMrkdwn).join('\n').trim()}`;
}

/**
 * Slack's three control characters escaped (https://docs.slack.dev/messaging/formatting-message-text#escaping):
 * `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;`.
 */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function minutesBetween(from: Date, to: Date): string {
  const minutes = Math.round((to.getTime() - from.getTime()) / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 6) / 10} h`;
}

/** An alert for a test notification (POST /alerts/test). */
export function testAlert(source: string, now: Date): AlertView {
  return {
    key: `test:${now.getTime()}`,
    rule: 'test',
    title: 'a test notification',
    pipeline: 'alerts',
    severity: 'info',
    summary: 'A test notification from Switchboard (POST /alerts/test): this route works. Nothing is wrong.',
    details: {},
    firstFiredAt: null,
    resolvedAt: null,
    notifyCount: 1,
    source,
  };
}
