/**
 * Pulls: per configured source its schedule, whether it runs, how far it has caught up and so
 * its lag behind now, its last run; the cursors (backfills keep their own); the recent runs.
 */
import type { PullStatus } from '../../../ingest/pulls/puller.js';
import type { PageContext } from '../context.js';
import { badge, count, span, utc, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, page, section, table } from '../layout.js';
import { readPullHistory, type PullHistory } from '../reads/runs.js';

export interface PullsData {
  at: Date;
  sources: PullStatus[];
  history: PullHistory;
}

export async function pullsData(ctx: PageContext): Promise<PullsData> {
  const [status, history] = await Promise.all([ctx.status(), readPullHistory(ctx.warehouse, ctx.settings.rawSchema)]);
  return { at: ctx.at, sources: status.pulls, history };
}

const statusBadge = (status: string): Html => (status === 'success' ? badge('ok', status) : status === 'running' ? badge('warn', status) : status === 'partial' ? badge('warn', status) : badge('bad', status));

export function renderPulls(data: PullsData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, sources, history } = data;
  if (sources.length === 0 && history.runs.length === 0) {
    return page({ title: 'Pulls', current: '/pulls', principal: ctx.principal, body: emptyState('No pull source is configured (config keys pulls.workAnalytics, pulls.ccInteractions, pulls.connect).') });
  }
  const rows = sources.map((s) => {
    const upTo = history.caughtUpTo.get(s.source) ?? null;
    const lag = upTo === null ? null : (at.getTime() - Date.parse(upTo)) / 1000;
    return [
      html`<strong>${s.source}</strong>`,
      html`<code>${s.schedule}</code>`,
      s.running ? badge('warn', 'running') : badge('idle', 'idle'),
      upTo === null ? html`<span class="muted">not yet</span>` : utc(upTo),
      lag === null ? '-' : span(lag),
      s.lastRun === null ? '-' : html`${statusBadge(s.lastRun.status)} ${when(s.lastRun.finishedAt, at)}, ${count(s.lastRun.landed)} landed${s.lastRun.error === null ? '' : html`; <code>${s.lastRun.error.code}</code> ${s.lastRun.error.message}`}`,
    ];
  });
  const cursors = history.cursors.map((c) => [html`<code>${c.key}</code>`, html`<code>${c.cursor}</code>`, when(c.updatedAt, at)]);
  const runs = history.runs.map((r) => [
    when(r.startedAt, at),
    r.source,
    r.mode,
    statusBadge(r.status),
    `${utc(r.from)} → ${utc(r.to)}`,
    count(r.pages),
    count(r.landed),
    r.finishedAt === null ? '-' : span((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000),
    r.error ?? '-',
  ]);
  const body = html`${section('sources', 'Sources', sources.length === 0 ? emptyState('No pull source is configured now.') : table('Each pull source', ['source', 'schedule', 'now', 'caught up to', 'lag', 'last run'], rows), 'Lag: from the end of the newest successful run to now.')}
${section('cursors', 'Cursors', cursors.length === 0 ? emptyState('No cursor saved yet.') : table('Where each pull resumes (backfills keep their own, source@from/to)', ['key', 'cursor', 'updated'], cursors))}
${section('runs', 'Recent runs', runs.length === 0 ? emptyState('No run recorded yet.') : table('Pull runs, newest first', ['started', 'source', 'mode', 'status', 'range', 'pages', 'landed', 'took', 'error'], runs, [false, false, false, false, false, true, true, true, false]))}`;
  return page({ title: 'Pulls', current: '/pulls', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}
