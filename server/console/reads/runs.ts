/**
 * Run histories the console lists, from the control tables that record them:
 * - model builds and test runs: `<models.schema>.sb_run_results` (one row per node and run);
 * - pulls: `<rawSchema>._pull_runs` and `_pull_cursors`;
 * - reconciliation: `<models.schema>.reconciliation_daily` (built with the pulls' models).
 * A table that does not exist yet reads as no history. Every query has a LIMIT or a window.
 */
import type { Warehouse } from '../../../sql/warehouse.js';
import { runResultsTable } from '../../../sql/engine/run.js';
import { pullRunsTable } from '../../../ingest/pulls/runner.js';
import { pullCursorsTable } from '../../../ingest/pulls/land.js';
import { existing } from './window.js';

export interface ModelRun {
  runId: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Node counts by status, e.g. `{ success: 12, pass: 30, fail: 1 }`. */
  counts: Record<string, number>;
}

export interface NodeResult {
  node: string;
  kind: string;
  status: string;
  seconds: number;
  rowsAffected: number | null;
  message: string;
}

export interface ModelHistory {
  exists: boolean;
  /** The newest runs first. */
  runs: ModelRun[];
  /** The newest run's nodes, slowest first. */
  lastNodes: NodeResult[];
  /** Tests and models that failed or errored in the newest runs, newest first. */
  failures: Array<NodeResult & { runId: string; finishedAt: string }>;
}

const ok = (status: string): boolean => status === 'success' || status === 'pass' || status === 'skipped';

export async function readModelHistory(warehouse: Warehouse, modelsSchema: string, limit = 30): Promise<ModelHistory> {
  const d = warehouse.dialect;
  const spec = runResultsTable(modelsSchema);
  if (!(await existing(warehouse, d, spec.schema, [spec.name])).has(spec.name)) return { exists: false, runs: [], lastNodes: [], failures: [] };
  const t = d.tableName(spec.schema, spec.name);
  const recent = `SELECT run_id FROM ${t} GROUP BY run_id ORDER BY max(run_finished_at) DESC LIMIT ${limit}`;
  const rows = await warehouse.all(
    `SELECT run_id, command, status, count(*) AS n, min(run_started_at) AS started_at, max(run_finished_at) AS finished_at FROM ${t} ` +
      `WHERE run_id IN (${recent}) GROUP BY run_id, command, status`,
  );
  const runs = new Map<string, ModelRun>();
  for (const row of rows) {
    const id = String(row.run_id);
    const run = runs.get(id) ?? { runId: id, command: String(row.command), startedAt: String(row.started_at), finishedAt: String(row.finished_at), seconds: 0, counts: {} };
    run.counts[String(row.status)] = (run.counts[String(row.status)] ?? 0) + Number(row.n);
    runs.set(id, run);
  }
  const ordered = [...runs.values()].map((r) => ({ ...r, seconds: (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 })).sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const node = (r: Record<string, unknown>): NodeResult => ({
    node: String(r.node),
    kind: String(r.kind),
    status: String(r.status),
    seconds: Number(r.seconds),
    rowsAffected: r.rows_affected === null ? null : Number(r.rows_affected),
    message: String(r.message ?? ''),
  });
  const newest = ordered[0];
  const lastNodes =
    newest === undefined
      ? []
      : (await warehouse.all(`SELECT node, kind, status, seconds, rows_affected, message FROM ${t} WHERE run_id = ${d.param(1)} ORDER BY seconds DESC LIMIT 15`, [newest.runId])).map(node);
  const failed = await warehouse.all(
    `SELECT run_id, run_finished_at, node, kind, status, seconds, rows_affected, message FROM ${t} ` +
      `WHERE run_id IN (${recent}) AND status NOT IN ('success', 'pass', 'skipped') ORDER BY run_finished_at DESC, node LIMIT 50`,
  );
  const failures = failed.map((r) => ({ ...node(r), runId: String(r.run_id), finishedAt: String(r.run_finished_at) }));
  return { exists: true, runs: ordered, lastNodes, failures };
}

/** Whether a run's node counts are all good (success, pass, skipped). */
export function runSucceeded(run: ModelRun): boolean {
  return Object.keys(run.counts).every(ok);
}

export interface PullRun {
  runId: string;
  source: string;
  mode: string;
  status: string;
  from: string;
  to: string;
  pages: number;
  landed: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface PullHistory {
  runs: PullRun[];
  cursors: Array<{ key: string; cursor: string; updatedAt: string }>;
  /** Per source: the end of the newest successful run's range (how far it has caught up). */
  caughtUpTo: Map<string, string>;
}

export async function readPullHistory(warehouse: Warehouse, rawSchema: string, limit = 50): Promise<PullHistory> {
  const d = warehouse.dialect;
  const runsSpec = pullRunsTable(rawSchema);
  const cursorsSpec = pullCursorsTable(rawSchema);
  const present = await existing(warehouse, d, rawSchema, [runsSpec.name, cursorsSpec.name]);
  const history: PullHistory = { runs: [], cursors: [], caughtUpTo: new Map() };
  if (present.has(runsSpec.name)) {
    const t = d.tableName(rawSchema, runsSpec.name);
    const rows = await warehouse.all(
      `SELECT run_id, source, mode, status, range_from, range_to, pages, landed, started_at, finished_at, error_code, error_message FROM ${t} ORDER BY started_at DESC LIMIT ${limit}`,
    );
    history.runs = rows.map((r) => ({
      runId: String(r.run_id),
      source: String(r.source),
      mode: String(r.mode),
      status: String(r.status),
      from: String(r.range_from),
      to: String(r.range_to),
      pages: Number(r.pages),
      landed: Number(r.landed),
      startedAt: String(r.started_at),
      finishedAt: r.finished_at === null ? null : String(r.finished_at),
      error: r.error_code === null ? null : `${String(r.error_code)}: ${String(r.error_message ?? '')}`,
    }));
    const caught = await warehouse.all(`SELECT source, max(range_to) AS upto FROM ${t} WHERE status = 'success' GROUP BY source`);
    for (const row of caught) history.caughtUpTo.set(String(row.source), String(row.upto));
  }
  if (present.has(cursorsSpec.name)) {
    const rows = await warehouse.all(`SELECT source, cursor, updated_at FROM ${d.tableName(rawSchema, cursorsSpec.name)} ORDER BY source LIMIT 200`);
    history.cursors = rows.map((r) => ({ key: String(r.source), cursor: String(r.cursor), updatedAt: String(r.updated_at) }));
  }
  return history;
}

export interface ReconciliationDay {
  source: string;
  day: string;
  pullEvents: number;
  missedWebhooks: number;
  missedShare: number;
}

/** The last `days` days of reconciliation_daily, newest first; null when the model is not built. */
export async function readReconciliation(warehouse: Warehouse, modelsSchema: string, since: Date): Promise<ReconciliationDay[] | null> {
  const d = warehouse.dialect;
  if (!(await existing(warehouse, d, modelsSchema, ['reconciliation_daily'])).has('reconciliation_daily')) return null;
  const rows = await warehouse.all(
    `SELECT source, CAST(day AS ${d.typeName('text')}) AS day, pull_events, missed_webhooks, missed_share FROM ${d.tableName(modelsSchema, 'reconciliation_daily')} ` +
      `WHERE day >= CAST(${d.param(1)} AS DATE) ORDER BY day DESC, source LIMIT 500`,
    [since.toISOString().slice(0, 10)],
  );
  return rows.map((r) => ({ source: String(r.source), day: String(r.day), pullEvents: Number(r.pull_events), missedWebhooks: Number(r.missed_webhooks), missedShare: Number(r.missed_share) }));
}
