/**
 * Pull pages that failed: where a run stopped on an error, with enough to pull that page
 * again (the cursor it resumes and the position it resumes from), kept until a later run
 * gets past it. They are the pulls' dead letters (`switchboard dlq`, server/dlq/).
 *
 * A run that fails records its failing page here (runner.ts); the same page failing again
 * (the next run resumes at the same position) raises the row's `failures` rather than
 * adding a row. A run that finishes the range of that cursor resolves every failure of it,
 * in the transaction that marks the range done. A run stopped on purpose (Ctrl-C, shutdown,
 * SB_PULL_STOPPED) is not a failure: it resumes where it stopped.
 */
import type { SqlDialect, TableSpec } from '../../sql/dialect.js';
import type { Queryable, Warehouse } from '../../sql/warehouse.js';

/** `<rawSchema>._pull_failures` (made by migration ingest/0005_pull_failures). */
export function pullFailuresTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_pull_failures',
    columns: [
      /** `<run id>:<page>` of the first run that failed here, e.g. `1b9e…:3`. */
      { name: 'failure_id', type: 'text', nullable: false },
      { name: 'source', type: 'text', nullable: false },
      /** `backfill` or `scheduled`. */
      { name: 'mode', type: 'text', nullable: false },
      /** The cursor a retry resumes (`_pull_cursors.source`): the source's name, or `<source>@<from>/<to>` for a backfill. */
      { name: 'cursor_key', type: 'text', nullable: false },
      { name: 'range_from', type: 'timestamp', nullable: false },
      { name: 'range_to', type: 'timestamp', nullable: false },
      /** The page of that run that failed, 1-based (the pages before it landed). */
      { name: 'page', type: 'integer', nullable: false },
      /** The step the source last reported or landed before it failed, e.g. a window `2026-03-08 records`; NULL before the first. */
      { name: 'step', type: 'text' },
      /** The source's position after the last page that landed, as JSON (NULL: from the start of the range): where a retry starts. */
      { name: 'position', type: 'text' },
      { name: 'error_code', type: 'text', nullable: false },
      { name: 'error_message', type: 'text', nullable: false },
      /** How many runs failed at this page. */
      { name: 'failures', type: 'bigint', nullable: false },
      { name: 'first_failed_at', type: 'timestamp', nullable: false },
      { name: 'last_failed_at', type: 'timestamp', nullable: false },
      { name: 'last_run_id', type: 'text', nullable: false },
      /** When a run got past it (finished the cursor's range), and which run. */
      { name: 'resolved_at', type: 'timestamp' },
      { name: 'resolved_by', type: 'text' },
    ],
    primaryKey: ['failure_id'],
  };
}

/** A failed page as the runner knows it. */
export interface PullFailure {
  runId: string;
  source: string;
  mode: 'backfill' | 'scheduled';
  cursorKey: string;
  range: { from: Date; to: Date };
  /** 1-based page of the run that failed. */
  page: number;
  step: string | null;
  /** The last landed position (null: none yet in this range). */
  position: unknown;
  error: { code: string; message: string };
  at: Date;
}

/** A row of `_pull_failures`, as read back (timestamps as ISO text). */
export interface PullFailureRow {
  failure_id: string;
  source: string;
  mode: string;
  cursor_key: string;
  range_from: string;
  range_to: string;
  page: number;
  step: string | null;
  position: string | null;
  error_code: string;
  error_message: string;
  failures: number;
  first_failed_at: string;
  last_failed_at: string;
  last_run_id: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

/**
 * Records `failure`: a new row, or one more failure of the unresolved row at the same cursor
 * and position. A run that landed pages before failing got past the failure it resumed from
 * (a cursor does not move on a failure, so that one is where the run started): it is resolved.
 */
export async function recordPullFailure(warehouse: Warehouse, rawSchema: string, failure: PullFailure): Promise<void> {
  const d = warehouse.dialect;
  const table = pullFailuresTable(rawSchema);
  const name = d.tableName(table.schema, table.name);
  const position = failure.position === null || failure.position === undefined ? null : JSON.stringify(failure.position);
  const message = failure.error.message.slice(0, 4000);
  if (failure.page > 1) await resolvePullFailures(warehouse, d, rawSchema, failure.cursorKey, failure.runId, failure.at);
  const [open] = await warehouse.all<{ failure_id: string }>(
    `SELECT failure_id FROM ${name} WHERE cursor_key = ${d.param(1)} AND resolved_at IS NULL AND ${position === null ? 'position IS NULL' : `position = ${d.param(2)}`}`,
    position === null ? [failure.cursorKey] : [failure.cursorKey, position],
  );
  if (open !== undefined) {
    await warehouse.run(
      `UPDATE ${name} SET failures = failures + 1, last_failed_at = ${d.typedParam(1, 'timestamp')}, error_code = ${d.param(2)}, error_message = ${d.param(3)}, last_run_id = ${d.param(4)} WHERE failure_id = ${d.param(5)}`,
      [failure.at, failure.error.code, message, failure.runId, open.failure_id],
    );
    return;
  }
  await warehouse.writeRows(table, [
    {
      failure_id: `${failure.runId}:${failure.page}`,
      source: failure.source,
      mode: failure.mode,
      cursor_key: failure.cursorKey,
      range_from: failure.range.from,
      range_to: failure.range.to,
      page: failure.page,
      step: failure.step,
      position,
      error_code: failure.error.code,
      error_message: message,
      failures: 1,
      first_failed_at: failure.at,
      last_failed_at: failure.at,
      last_run_id: failure.runId,
      resolved_at: null,
      resolved_by: null,
    },
  ]);
}

/** Marks every open failure of `cursorKey` resolved by `runId` (a run that finished that range). */
export async function resolvePullFailures(q: Queryable, d: SqlDialect, rawSchema: string, cursorKey: string, runId: string, at: Date): Promise<void> {
  const table = pullFailuresTable(rawSchema);
  await q.run(
    `UPDATE ${d.tableName(table.schema, table.name)} SET resolved_at = ${d.typedParam(1, 'timestamp')}, resolved_by = ${d.param(2)} WHERE cursor_key = ${d.param(3)} AND resolved_at IS NULL`,
    [at, runId, cursorKey],
  );
}
