/**
 * Failed runs, from `<rawSchema>._job_runs`: every build, sync and pull runs as a job
 * (scheduled, through the operator API, or from the CLI without a server), and each run's
 * end is recorded there. A rule fires when a job's last `consecutive` finished runs all
 * failed (runs `abandoned` by a killed process are left out: the next run resumes them),
 * and resolves at its next run that does not fail. The details come from each kind's own
 * table: the failed models and tests from `<models.schema>.sb_run_results`, a pull's error
 * from `_pull_runs`.
 *
 * - `syncFailures` (`sync:<name>`): a run that stopped (`failed`). Records a destination
 *   refused make a run `partial`; they are dead letters (deadLetters).
 * - `pullFailures` (`pull:<source>`): a run that failed.
 * - `buildFailures` (`models`): a build or test run in which anything erred or failed
 *   (`partial`), or that could not run (`failed`).
 */
import { jobRunsTable } from '../../jobs/history.js';
import { runResultsTable } from '../../../sql/engine/run.js';
import { pullRunsTable } from '../../../ingest/pulls/runner.js';
import type { SqlRow } from '../../../sql/warehouse.js';
import { plural, type AlertRule, type Finding, type RuleContext } from '../rule.js';
import { parseObject } from '../state.js';

interface Run {
  job: string;
  status: string;
  finishedAt: string;
  error: string | null;
  summary: Record<string, unknown>;
}

/** The last `n` finished runs of each of `jobs`, newest first. */
async function lastRuns(ctx: RuleContext, jobs: readonly string[], n: number): Promise<Map<string, Run[]>> {
  const table = jobRunsTable(ctx.rawSchema);
  const runs = new Map<string, Run[]>();
  if (jobs.length === 0 || !ctx.has(table.schema, table.name)) return runs;
  const d = ctx.warehouse.dialect;
  const list = jobs.map((_, i) => d.param(i + 2)).join(', ');
  const rows = await ctx.warehouse.all(
    `SELECT job, status, finished_at, error_code, error_message, summary FROM (` +
      `SELECT t.*, ROW_NUMBER() OVER (PARTITION BY job ORDER BY finished_at DESC) AS sb_rank FROM ${d.tableName(table.schema, table.name)} t ` +
      `WHERE status NOT IN ('running', 'abandoned') AND finished_at IS NOT NULL AND job IN (${list})) ranked WHERE sb_rank <= ${d.param(1)} ORDER BY job, finished_at DESC`,
    [n, ...jobs],
    { signal: ctx.signal },
  );
  for (const row of rows) {
    const run: Run = {
      job: String(row.job),
      status: String(row.status),
      finishedAt: String(row.finished_at),
      error: row.error_code === null ? null : `${String(row.error_code)}: ${String(row.error_message ?? '')}`,
      summary: parseObject(row.summary),
    };
    runs.set(run.job, [...(runs.get(run.job) ?? []), run]);
  }
  return runs;
}

/** The jobs whose last `n` runs all have a failing status. */
function failing(runs: Map<string, Run[]>, n: number, statuses: readonly string[]): Run[][] {
  return [...runs.values()].filter((list) => list.length >= n && list.slice(0, n).every((run) => statuses.includes(run.status)));
}

function finding(pipeline: string, what: string, list: Run[], n: number, key: string, detail: string | null, extra: Record<string, unknown> = {}): Finding {
  const last = list[0] as Run;
  return {
    pipeline,
    summary: `${what}: the last ${n === 1 ? 'run' : plural(n, 'run')} failed (last at ${last.finishedAt}${detail === null ? '' : `: ${detail}`}; alert after ${n}, alerts.rules.${key}.consecutive)`,
    details: { lastFinishedAt: last.finishedAt, lastStatus: last.status, error: last.error, runs: list.slice(0, n).map((r) => ({ status: r.status, finishedAt: r.finishedAt })), ...extra },
  };
}

export const syncFailures: AlertRule<'syncFailures'> = {
  id: 'syncFailures',
  title: 'a sync keeps failing',
  async check(ctx, settings) {
    const n = settings.consecutive;
    const runs = await lastRuns(ctx, ctx.syncs.map((s) => `sync:${s}`), n);
    return { findings: failing(runs, n, ['failed']).map((list) => finding((list[0] as Run).job, `sync ${(list[0] as Run).job.slice(5)}`, list, n, 'syncFailures', (list[0] as Run).error)) };
  },
};

export const pullFailures: AlertRule<'pullFailures'> = {
  id: 'pullFailures',
  title: 'a pull keeps failing',
  async check(ctx, settings) {
    const n = settings.consecutive;
    const runs = await lastRuns(ctx, ctx.pullSources.map((s) => `pull:${s}`), n);
    const findings: Finding[] = [];
    for (const list of failing(runs, n, ['failed'])) {
      const last = list[0] as Run;
      findings.push(finding(last.job, `pull of ${last.job.slice(5)}`, list, n, 'pullFailures', last.error ?? (await pullError(ctx, last.summary.pullRunId))));
    }
    return { findings };
  },
};

export const buildFailures: AlertRule<'buildFailures'> = {
  id: 'buildFailures',
  title: 'model builds fail',
  async check(ctx, settings) {
    const n = settings.consecutive;
    const list = (await lastRuns(ctx, ['models'], n)).get('models');
    if (list === undefined || failing(new Map([['models', list]]), n, ['failed', 'partial']).length === 0) return { findings: [] };
    const last = list[0] as Run;
    const nodes = await failedNodes(ctx, last.summary.modelsRunId);
    const detail = last.error ?? (nodes.length === 0 ? null : `${nodes.map((f) => f.node).slice(0, 5).join(', ')}${nodes.length > 5 ? ` and ${nodes.length - 5} more` : ''} did not pass`);
    return { findings: [finding('models', `${String(last.summary.command ?? 'build')} of the models`, list, n, 'buildFailures', detail, { failed: nodes.slice(0, 20) })] };
  },
};

/** The models and tests that erred or failed in build `runId`. */
async function failedNodes(ctx: RuleContext, runId: unknown): Promise<Array<{ node: string; status: string; message: string }>> {
  const table = runResultsTable(ctx.modelsSchema);
  if (typeof runId !== 'string' || !ctx.has(table.schema, table.name)) return [];
  const d = ctx.warehouse.dialect;
  const rows = await ctx.warehouse.all(
    `SELECT node, status, message FROM ${d.tableName(table.schema, table.name)} WHERE run_id = ${d.param(1)} AND status IN ('error', 'fail') ORDER BY node`,
    [runId],
    { signal: ctx.signal },
  );
  return rows.map((row: SqlRow) => ({ node: String(row.node), status: String(row.status), message: String(row.message) }));
}

/** A failed pull's error as `_pull_runs` recorded it. */
async function pullError(ctx: RuleContext, runId: unknown): Promise<string | null> {
  const table = pullRunsTable(ctx.rawSchema);
  if (typeof runId !== 'string' || !ctx.has(table.schema, table.name)) return null;
  const d = ctx.warehouse.dialect;
  const [row] = await ctx.warehouse.all(`SELECT error_code, error_message FROM ${d.tableName(table.schema, table.name)} WHERE run_id = ${d.param(1)}`, [runId], { signal: ctx.signal });
  return row === undefined || row.error_code === null ? null : `${String(row.error_code)}: ${String(row.error_message ?? '')}`;
}
