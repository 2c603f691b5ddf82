/**
 * The overview: is the server ready, how each family lands, and the signals (throughput,
 * latency, backlog, ratios) as small charts over a window (1 h, 24 h, 7 d, 30 d). Every
 * query is bounded by the window and aggregated in the warehouse (../reads/window.ts), so the
 * page renders in well under a second with 30 days of signals (bench/console.ts measures it).
 */
import type { StatusReport } from '../../status-report.js';
import { isReady } from '../../../ingest/app.js';
import { chart } from '../charts.js';
import type { PageContext } from '../context.js';
import { badge, count, percent, when } from '../format.js';
import { familyHealth } from '../health.js';
import { html, query, type Html } from '../html.js';
import { CONSOLE_PREFIX, emptyState, page, section, table } from '../layout.js';
import { readSignals, type SignalsView } from '../reads/signals.js';
import { timeWindow, WINDOWS, type TimeWindow, type WindowName } from '../reads/window.js';
import { pick, rowsOf, type Row } from '../rows.js';
import { formatBytes } from '../../../core/format-bytes.js';

export interface OverviewData {
  at: Date;
  window: TimeWindow;
  status: StatusReport;
  signals: SignalsView;
  /** Firing alerts (GET /alerts). */
  firing: Row[];
  /** Why no alert rule is evaluated (the config key), or null. */
  alertsOff: string | null;
  /** Where the signal tables are looked for (models.schema). */
  signalsSchema: string;
}

export async function overviewData(ctx: PageContext, windowName: WindowName): Promise<OverviewData> {
  const window = timeWindow(windowName, ctx.at);
  const [status, signals, firing] = await Promise.all([
    ctx.status(),
    readSignals(ctx.warehouse, ctx.settings.modelsSchema, window),
    ctx.api.get('/alerts?status=firing').then((a) => rowsOf(a.body, 'alerts')),
  ]);
  return { at: ctx.at, window, status, signals, firing, alertsOff: ctx.settings.alertsOff, signalsSchema: ctx.settings.modelsSchema };
}

export function renderOverview(data: OverviewData, ctx: Pick<PageContext, 'principal'>): Html {
  const { status, signals, window, at } = data;
  const body = html`
${windowLinks(`${CONSOLE_PREFIX}/`, window.name)}
${section('health', 'Server', serverStats(status, data.firing, data.alertsOff))}
${section('families', 'Families', familiesTable(status, at, data.firing))}
${section('signals', `Signals, ${WINDOWS[window.name].label}`, signalCharts(data))}
`;
  return page({ title: 'Overview', current: '/', principal: ctx.principal, body, charts: true, lead: html`Read ${when(at.toISOString(), at)}; times are UTC.` });
}

/** Links to the same page over another window; the current one is marked. */
export function windowLinks(path: string, current: WindowName, extra: Record<string, string> = {}): Html {
  const links = (Object.keys(WINDOWS) as WindowName[]).map(
    (name) => html`<li><a href="${path}${query({ ...extra, window: name })}"${name === current ? html` aria-current="true"` : ''}>${name}</a></li>`,
  );
  return html`<nav aria-label="Time window"><ul class="windows">${links}</ul></nav>`;
}

function serverStats(status: StatusReport, firing: Row[], alertsOff: string | null): Html {
  const ready = isReady(status);
  const drain = status.drain;
  return html`<dl class="stats">
  <div><dt>Landing</dt><dd>${ready ? badge('ok', 'ready') : badge('bad', 'unavailable')}</dd></div>
  <div><dt>Spool backlog</dt><dd>${formatBytes(status.spool.backlogBytes)} <span class="muted">of ${formatBytes(status.spool.maxBytes)}</span></dd></div>
  <div><dt>Warehouse</dt><dd>${status.warehouse.reachable ? badge('ok', 'reachable') : badge('bad', 'unreachable')}</dd></div>
  <div><dt>Drain</dt><dd>${drain === undefined ? '-' : drain.stalled ? badge('bad', `stalled ${drain.stalledForSeconds} s`) : badge('ok', 'moving')}</dd></div>
  <div><dt>Quarantined since start</dt><dd>${count(drain?.quarantined ?? 0)}</dd></div>
  <div><dt>Alerts firing</dt><dd>${alertsOff !== null && firing.length === 0 ? html`<span class="muted">off (${alertsOff})</span>` : firing.length === 0 ? badge('ok', 'none') : html`<a href="${CONSOLE_PREFIX}/alerts">${badge('bad', String(firing.length))}</a>`}</dd></div>
</dl>
${status.warehouse.error === null ? '' : html`<p class="muted">Last warehouse error: ${status.warehouse.error}</p>`}
${status.historyError === null ? '' : html`<p class="muted">The control tables could not be read: ${status.historyError}</p>`}`;
}

function familiesTable(status: StatusReport, at: Date, firing: Row[]): Html {
  if (status.landing === null) return emptyState('The warehouse could not be read, so what each family landed is unknown right now.');
  if (status.landing.length === 0) return emptyState('No webhook family is enabled (config key families).');
  const alertsFor = (family: string): number => firing.filter((a) => pick(a, 'pipeline') === family).length;
  const rows = status.landing.map((f) => {
    const h = familyHealth(f, at, alertsFor(f.family));
    return [html`<a href="${CONSOLE_PREFIX}/landing${query({ family: f.family })}">${f.family}</a>`, badge(h.health, h.label), count(f.events), when(f.lastReceivedAt, at), count(f.rejections), when(f.lastRejectedAt, at)];
  });
  return table('Each family, all time', ['family', 'health', 'events', 'last received', 'rejections', 'last rejected'], rows, [false, false, true, false, true, false]);
}

function signalCharts(data: OverviewData): Html {
  const { signals, window } = data;
  const { available } = signals;
  if (!available.throughput && !available.latency && !available.backlog) {
    return emptyState(
      html`No signals to chart: the charts read ${data.signalsSchema}.sb_signal_throughput, sb_signal_latency and sb_signal_backlog, which the signals job writes once a minute, and they are not there.`,
    );
  }
  const charts = [
    available.throughput ? chart({ id: 'throughput', title: 'Throughput: events per bucket, by stage', unit: 'events', times: window.starts, series: signals.throughput }) : emptyState('No throughput signal table.'),
    available.latency ? chart({ id: 'latency', title: 'Latency: p95 by stage (worst pipeline)', unit: 'ms', times: window.starts, series: signals.latency }) : emptyState('No latency signal table.'),
    available.backlog ? chart({ id: 'backlog', title: 'Backlog: highest in each bucket', unit: 'items', times: window.starts, series: signals.backlog }) : emptyState('No backlog signal table.'),
  ];
  const ratios = signals.ratios.map((r) => [r.stage, count(r.events), percent(r.success), count(r.retries), percent(r.retry), count(r.deadLetters), percent(r.deadLetter), count(r.failures)]);
  const latest = signals.latestBacklog;
  return html`<div class="grid">${charts}</div>
${ratios.length === 0 ? emptyState('No events in this window.') : table('Success, retry and dead-letter ratios by stage, in this window', ['stage', 'events', 'success', 'retries', 'retry ratio', 'dead letters', 'dead-letter ratio', 'failures'], ratios, [false, true, true, true, true, true, true, true])}
${latest === null ? '' : html`<p class="muted">Backlog at ${when(latest.minute, data.at)}: ${count(latest.spoolEvents)} spool events (${formatBytes(latest.spoolBytes)}), ${count(latest.syncPending)} sync changes pending, pull lag ${latest.pullLagSeconds === null ? '-' : `${Math.round(latest.pullLagSeconds)} s`}, ${count(latest.deadLetters)} dead letters.</p>`}`;
}
