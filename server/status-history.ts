/**
 * What `switchboard status` reads from the warehouse, so that it tells the same story after a
 * restart: what each family has landed, and the last run of every build, sync and pull, from
 * the control tables that record them:
 *
 * - `<rawSchema>.<family>_events` and `<rawSchema>.rejections`: events and refusals per family;
 * - `<models.schema>.sb_run_results`: the last model build (or test run), node by node;
 * - `<rawSchema>._job_runs` and `_job_leases`: every job's last finished run, and who holds it now;
 * - `switchboard_sync.runs` and `.rejections`: each sync's last run that sent, and the records
 *   its destination refused that are waiting;
 * - `<rawSchema>._pull_runs`: each pull source's last finished run;
 * - `<models.schema>.sb_source_freshness`: each source table's latest freshness check.
 *
 * Read only: a table not created yet (nothing ran) reads as no history. Each part is read on
 * its own, so one unreadable table leaves the others (its error is reported).
 */
import type { SqlValue, Warehouse } from '../sql/warehouse.js';
import { listRelations } from '../sql/introspect.js';
import { runResultsTable } from '../sql/engine/run.js';
import { latestFreshness, sourceFreshnessTable, type LatestFreshness } from '../sql/engine/freshness-results.js';
import { rejectionsTable as syncRejectionsTable, runsTable as syncRunsTable, SYNC_SCHEMA } from '../sync/state.js';
import { pullRunsTable } from '../ingest/pulls/runner.js';
import { rejectionsTable } from '../ingest/raw-tables.js';
import type { PullStatus } from '../ingest/pulls/puller.js';
import { jobRunsTable } from './jobs/history.js';
import { jobLeasesTable } from './jobs/leases.js';
import type { JobStatus } from './jobs/job.js';
import type { LastRun } from './model-builds.js';
import type { FamilyLanding, SyncStatus } from './status-report.js';

/** What to read: the configured names, and where their tables live. */
export interface StatusHistoryScope {
  rawSchema: string;
  /** models.schema, where sb_run_results lives. */
  modelsSchema: string;
  /** The webhook families served, e.g. `[{ family: 'voice', table: 'voice_events' }]`. */
  families: ReadonlyArray<{ family: string; table: string }>;
  syncs: readonly string[];
  pullSources: readonly string[];
  jobs: readonly string[];
}

export interface StatusHistory {
  landing: FamilyLanding[];
  /** The last build or test run recorded, e.g. `{ runId, command: 'build', success: true, counts: { success: 12, pass: 30 } }`. */
  models: LastRun | null;
  /** Each job's last finished run (status `abandoned` too: its process died). */
  jobs: Map<string, NonNullable<JobStatus['lastRun']>>;
  /** Each job whose lease is held now: by which node, until when. */
  leases: Map<string, { node: string; expiresAt: string }>;
  syncs: Map<string, Pick<SyncStatus, 'lastRun' | 'refused'>>;
  pulls: Map<string, NonNullable<PullStatus['lastRun']>>;
  /** Each checked source table's latest freshness, worst first (none before the first check). */
  sourceFreshness: LatestFreshness[];
  /** The parts that could not be read, e.g. `['syncs: relation … does not exist']`; empty when all were. */
  errors: string[];
}

export async function readStatusHistory(warehouse: Warehouse, scope: StatusHistoryScope, now: Date = new Date()): Promise<StatusHistory> {
  const d = warehouse.dialect;
  const present = await existingTables(warehouse, [scope.rawSchema, scope.modelsSchema, SYNC_SCHEMA]);
  const has = (schema: string, name: string): boolean => present.has(`${schema}.${name}`);
  const table = (schema: string, name: string): string => d.tableName(schema, name);
  const list = (values: readonly string[], from = 1): string => values.map((_, i) => d.param(from + i)).join(', ');
  const history: StatusHistory = { landing: [], models: null, jobs: new Map(), leases: new Map(), syncs: new Map(), pulls: new Map(), sourceFreshness: [], errors: [] };
  const part = async (name: string, read: () => Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (error) {
      history.errors.push(`${name}: ${(error as Error).message}`);
    }
  };

  await part('landing', async () => {
    const refusals = new Map<string, { n: number; last: string | null }>();
    const rejections = rejectionsTable(scope.rawSchema);
    if (has(rejections.schema, rejections.name)) {
      const rows = await warehouse.all(
        `SELECT family, CAST(sum(coalesce(occurrences, 1)) AS BIGINT) AS n, max(received_at) AS last FROM ${table(rejections.schema, rejections.name)} GROUP BY family`,
      );
      for (const row of rows) refusals.set(String(row.family), { n: num(row.n), last: str(row.last) });
    }
    for (const { family, table: name } of scope.families) {
      let events = 0;
      let lastReceivedAt: string | null = null;
      if (has(scope.rawSchema, name)) {
        // Conflicting versions (a second body under one dedupe key) are not events of their own.
        const [row] = await warehouse.all(`SELECT count(*) AS n, max(last_received_at) AS last FROM ${table(scope.rawSchema, name)} WHERE conflict_of IS NULL`);
        events = num(row?.n ?? 0);
        lastReceivedAt = str(row?.last ?? null);
      }
      const refused = refusals.get(family);
      history.landing.push({ family, table: name, events, lastReceivedAt, rejections: refused?.n ?? 0, lastRejectedAt: refused?.last ?? null });
    }
  });

  const results = runResultsTable(scope.modelsSchema);
  if (has(results.schema, results.name)) {
    await part('models', async () => {
      const t = table(results.schema, results.name);
      const rows = await warehouse.all(
        `SELECT run_id, command, status, count(*) AS n, max(run_finished_at) AS finished_at FROM ${t} ` +
          `WHERE run_id = (SELECT run_id FROM ${t} ORDER BY run_finished_at DESC LIMIT 1) GROUP BY run_id, command, status`,
      );
      const first = rows[0];
      if (first === undefined) return;
      const counts = Object.fromEntries(rows.map((r) => [String(r.status), num(r.n)]));
      history.models = {
        runId: String(first.run_id),
        command: String(first.command) as LastRun['command'],
        finishedAt: String(first.finished_at),
        success: rows.every((r) => r.status === 'success' || r.status === 'pass'),
        counts,
      };
    });
  }

  const runs = jobRunsTable(scope.rawSchema);
  if (has(runs.schema, runs.name) && scope.jobs.length > 0) {
    await part('jobs', async () => {
      const rows = await warehouse.all(
        latest(table(runs.schema, runs.name), 'job', `status <> 'running' AND finished_at IS NOT NULL AND job IN (${list(scope.jobs)})`, [
          'run_id', 'job', d.quoteIdent('trigger'), 'status', 'started_at', 'finished_at', 'summary', 'error_code', 'error_message',
        ]),
        [...scope.jobs],
      );
      for (const row of rows) {
        const startedAt = String(row.started_at);
        const finishedAt = String(row.finished_at);
        history.jobs.set(String(row.job), {
          runId: String(row.run_id),
          trigger: row.trigger === 'manual' ? 'manual' : 'schedule',
          status: String(row.status) as NonNullable<JobStatus['lastRun']>['status'],
          startedAt,
          finishedAt,
          seconds: (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000,
          summary: parseObject(row.summary),
          error: row.error_code === null ? null : { code: String(row.error_code), message: String(row.error_message ?? '') },
        });
      }
    });
  }

  const leases = jobLeasesTable(scope.rawSchema);
  if (has(leases.schema, leases.name)) {
    await part('leases', async () => {
      const rows = await warehouse.all(`SELECT job, holder, expires_at FROM ${table(leases.schema, leases.name)} WHERE holder IS NOT NULL AND expires_at > ${d.param(1)}`, [now]);
      for (const row of rows) history.leases.set(String(row.job), { node: String(row.holder), expiresAt: String(row.expires_at) });
    });
  }

  if (scope.syncs.length > 0 && has(SYNC_SCHEMA, syncRunsTable.name)) {
    await part('syncs', async () => {
      const rows = await warehouse.all(
        latest(table(SYNC_SCHEMA, syncRunsTable.name), 'sync_name', `dry_run = false AND sync_name IN (${list(scope.syncs)})`, [
          'run_id', 'sync_name', 'status', 'planned', 'sent', 'rejected', 'retrying', 'skipped', 'error', 'started_at', 'finished_at',
        ]),
        [...scope.syncs],
      );
      for (const row of rows) {
        history.syncs.set(String(row.sync_name), {
          lastRun: {
            runId: String(row.run_id),
            status: String(row.status) as NonNullable<SyncStatus['lastRun']>['status'],
            startedAt: String(row.started_at),
            finishedAt: String(row.finished_at),
            planned: num(row.planned),
            sent: num(row.sent),
            rejected: num(row.rejected),
            retrying: num(row.retrying),
            skipped: num(row.skipped),
            error: splitError(row.error),
          },
          refused: [],
        });
      }
      if (!has(SYNC_SCHEMA, syncRejectionsTable.name)) return;
      const refused = await warehouse.all(
        `SELECT sync_name, code, count(*) AS n, max(reason) AS reason FROM ${table(SYNC_SCHEMA, syncRejectionsTable.name)} ` +
          `WHERE sync_name IN (${list(scope.syncs)}) GROUP BY sync_name, code ORDER BY count(*) DESC`,
        [...scope.syncs],
      );
      for (const row of refused) {
        const name = String(row.sync_name);
        const entry = history.syncs.get(name) ?? { lastRun: null, refused: [] };
        entry.refused.push({ code: str(row.code), records: num(row.n), reason: str(row.reason) });
        history.syncs.set(name, entry);
      }
    });
  }

  const pulls = pullRunsTable(scope.rawSchema);
  if (scope.pullSources.length > 0 && has(pulls.schema, pulls.name)) {
    await part('pulls', async () => {
      const rows = await warehouse.all(
        latest(table(pulls.schema, pulls.name), 'source', `status <> 'running' AND finished_at IS NOT NULL AND source IN (${list(scope.pullSources)})`, [
          'run_id', 'source', 'status', 'range_from', 'range_to', 'landed', 'finished_at', 'error_code', 'error_message',
        ]),
        [...scope.pullSources],
      );
      for (const row of rows) {
        history.pulls.set(String(row.source), {
          runId: String(row.run_id),
          status: String(row.status),
          from: String(row.range_from),
          to: String(row.range_to),
          landed: num(row.landed),
          finishedAt: String(row.finished_at),
          error: row.error_code === null ? null : { code: String(row.error_code), message: String(row.error_message ?? '') },
        });
      }
    });
  }
  const freshness = sourceFreshnessTable(scope.modelsSchema);
  if (has(freshness.schema, freshness.name)) await part('source freshness', async () => void (history.sourceFreshness = await latestFreshness(warehouse, freshness.schema)));
  return history;
}

/** The tables (`schema.name`, unprefixed) that exist in `schemas`. */
async function existingTables(warehouse: Warehouse, schemas: readonly string[]): Promise<Set<string>> {
  const relations = await listRelations(warehouse, warehouse.dialect, schemas);
  return new Set(relations.map((r) => `${r.schema}.${r.name}`));
}

/** The newest row (by finished_at) per `partition` among those matching `where`. */
function latest(table: string, partition: string, where: string, columns: readonly string[]): string {
  return (
    `SELECT ${columns.join(', ')} FROM (SELECT t.*, row_number() OVER (PARTITION BY ${partition} ORDER BY finished_at DESC) AS sb_rank ` +
    `FROM ${table} t WHERE ${where}) ranked WHERE sb_rank = 1`
  );
}

/** `SB_X: message` as the sync's runs table stores it. */
function splitError(value: SqlValue | undefined): { code: string; message: string } | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const at = text.indexOf(': ');
  return at < 0 ? { code: text, message: '' } : { code: text.slice(0, at), message: text.slice(at + 2) };
}

function parseObject(value: SqlValue | undefined): Record<string, unknown> | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const num = (value: SqlValue | undefined): number => Number(value ?? 0);
const str = (value: SqlValue | undefined): string | null => (value === null || value === undefined ? null : String(value));
