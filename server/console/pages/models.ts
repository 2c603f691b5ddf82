/**
 * Model runs: whether a build runs now, the recent builds and test runs with their durations
 * (a chart and a table), the slowest models of the newest run, and the tests and models that
 * failed.
 */
import type { StatusReport } from '../../status-report.js';
import { chart } from '../charts.js';
import type { PageContext } from '../context.js';
import { badge, count, duration, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, page, section, table } from '../layout.js';
import { readModelHistory, runSucceeded, type ModelHistory } from '../reads/runs.js';

export interface ModelsData {
  at: Date;
  models: StatusReport['models'];
  history: ModelHistory;
}

export async function modelsData(ctx: PageContext): Promise<ModelsData> {
  const [status, history] = await Promise.all([ctx.status(), readModelHistory(ctx.warehouse, ctx.settings.modelsSchema)]);
  return { at: ctx.at, models: status.models, history };
}

export function renderModels(data: ModelsData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, models, history } = data;
  const last = models.lastRun;
  const summary = html`<dl class="stats">
  <div><dt>Now</dt><dd>${models.running ? badge('warn', 'running') : badge('idle', 'idle')}</dd></div>
  <div><dt>Schedule</dt><dd class="mono">${models.schedule}</dd></div>
  <div><dt>Last run</dt><dd>${last === null ? html`<span class="muted">none yet</span>` : html`${last.success ? badge('ok', `${last.command}: success`) : badge('bad', `${last.command}: failed`)} ${when(last.finishedAt, at)}`}</dd></div>
</dl>`;
  if (!history.exists || history.runs.length === 0) {
    return page({ title: 'Models', current: '/models', principal: ctx.principal, body: html`${section('now', 'Builds', summary)}${emptyState('No build or test run is recorded yet (switchboard build, or models.schedule).')}` });
  }
  const chronological = [...history.runs].reverse();
  const times = chronological.map((r) => Math.floor(Date.parse(r.finishedAt) / 1000));
  const series = ['build', 'test'].map((command) => ({ label: `${command} seconds`, values: chronological.map((r) => (r.command === command ? r.seconds : null)) }));
  const runs = history.runs.map((r) => [
    when(r.finishedAt, at),
    r.command,
    runSucceeded(r) ? badge('ok', 'success') : badge('bad', 'failed'),
    duration(r.seconds),
    Object.entries(r.counts)
      .map(([status, n]) => `${status} ${n}`)
      .join(', '),
    html`<code>${r.runId.slice(0, 12)}</code>`,
  ]);
  const slowest = history.lastNodes.map((n) => [n.node, n.kind, n.status, duration(n.seconds), n.rowsAffected === null ? '-' : count(n.rowsAffected)]);
  const failures = history.failures.map((f) => [when(f.finishedAt, at), f.node, f.kind, badge('bad', f.status), f.message]);
  const body = html`${section('now', 'Builds', summary)}
${chart({ id: 'durations', title: 'Run durations (seconds), oldest to newest', unit: 's', times, series, kind: 'run' })}
${section('runs', 'Recent runs', table('Builds and test runs, newest first', ['finished', 'command', 'result', 'duration', 'nodes by status', 'run'], runs, [false, false, false, true, false, false]))}
${section('failures', `Failures (${history.failures.length})`, failures.length === 0 ? emptyState('No model or test failed in the recent runs.') : table('Failed tests and models, newest first', ['finished', 'node', 'kind', 'status', 'message'], failures))}
${section('slowest', 'Slowest nodes of the newest run', table('Nodes of the newest run, slowest first', ['node', 'kind', 'status', 'duration', 'rows'], slowest, [false, false, false, true, true]))}`;
  return page({ title: 'Models', current: '/models', principal: ctx.principal, body, charts: true, lead: html`Read ${when(at.toISOString(), at)}.` });
}
