/** The result of one node of a run (a model or a test), and small helpers that fill one (run.ts, test-nodes.ts). */

/** `warn`: a test with severity warn found failing rows (dbt's WARN). */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'warn' | 'fail';

export interface NodeResult {
  /** `model.calls` or `test.unique_calls_call_id`. */
  node: string;
  kind: 'model' | 'test';
  /** Models: success | error | skipped. Tests: pass | fail | error | skipped. */
  status: NodeStatus;
  /** Models: rows written (incremental: rows merged; table: rows in it; view: null). Tests: failing rows. */
  rows: number | null;
  seconds: number;
  /** Models: how it was built, e.g. `incremental (delete+insert)`, `incremental (full)` (materializationLabel). */
  materialized: string | null;
  /** Why it failed or was skipped; on success '' or what the build did besides the usual (a rebuild because the columns changed). */
  message: string;
  /** Tests of an incremental build: the rows checked, e.g. `last_updated_at > 2025-03-04T10:00:00.000Z`; absent when every row was. */
  scope?: string;
  /** Tests with store_failures: the table holding their failing rows, e.g. `analytics_dbt_test__audit.unique_calls_call_id`. */
  failuresRelation?: string;
}

/** Seconds since `started` (a `performance.now()`), to the millisecond. */
export function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}

/** An error's message on one line, for a node result's `message`. */
export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
