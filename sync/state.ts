/**
 * What the syncer remembers, in the warehouse itself (schema `switchboard_sync`), so diffs
 * run where the data is:
 *
 * - `snapshots`: per sync and key, the hash of the row as last confirmed by the destination,
 *   and the destination's id for it. This is the checkpoint: it moves only after a confirm.
 * - `rejections`: rows the destination refused for good, with the hash they had; such a row
 *   is not sent again until it changes or an operator replays it.
 * - `outcomes`: every record of every run: sent, rejected, retried or skipped, with the
 *   destination's code and reason.
 * - `runs`: one row per run, failed or not (also one that could not reach its destination at
 *   all, e.g. a missing secret), with counts and the error code and message that stopped it.
 *
 * The numbered migrations in migrations.ts create and change them, at start-up.
 */
import type { TableSpec } from '../sql/dialect.js';

export const SYNC_SCHEMA = 'switchboard_sync';

export const snapshotsTable: TableSpec = {
  schema: SYNC_SCHEMA,
  name: 'snapshots',
  columns: [
    { name: 'sync_name', type: 'text', nullable: false },
    { name: 'key', type: 'text', nullable: false },
    { name: 'row_hash', type: 'text', nullable: false },
    { name: 'external_ref', type: 'text' },
    { name: 'sent_at', type: 'timestamp', nullable: false },
  ],
  primaryKey: ['sync_name', 'key'],
};

export const rejectionsTable: TableSpec = {
  schema: SYNC_SCHEMA,
  name: 'rejections',
  columns: [
    { name: 'sync_name', type: 'text', nullable: false },
    { name: 'key', type: 'text', nullable: false },
    { name: 'row_hash', type: 'text', nullable: false },
    { name: 'action', type: 'text', nullable: false },
    { name: 'code', type: 'text' },
    { name: 'reason', type: 'text' },
    { name: 'run_id', type: 'text', nullable: false },
    { name: 'rejected_at', type: 'timestamp', nullable: false },
  ],
  primaryKey: ['sync_name', 'key'],
};

export const outcomesTable: TableSpec = {
  schema: SYNC_SCHEMA,
  name: 'outcomes',
  columns: [
    { name: 'sync_name', type: 'text', nullable: false },
    { name: 'run_id', type: 'text', nullable: false },
    { name: 'key', type: 'text', nullable: false },
    { name: 'attempt', type: 'integer', nullable: false },
    { name: 'action', type: 'text', nullable: false },
    /** sent | rejected | retried | skipped */
    { name: 'status', type: 'text', nullable: false },
    { name: 'row_hash', type: 'text', nullable: false },
    { name: 'external_ref', type: 'text' },
    { name: 'code', type: 'text' },
    { name: 'reason', type: 'text' },
    { name: 'recorded_at', type: 'timestamp', nullable: false },
  ],
  primaryKey: ['sync_name', 'run_id', 'key', 'attempt'],
};

export const runsTable: TableSpec = {
  schema: SYNC_SCHEMA,
  name: 'runs',
  columns: [
    { name: 'run_id', type: 'text', nullable: false },
    { name: 'sync_name', type: 'text', nullable: false },
    { name: 'destination', type: 'text', nullable: false },
    { name: 'dry_run', type: 'boolean', nullable: false },
    /** success | partial (some records rejected or still retrying) | failed */
    { name: 'status', type: 'text', nullable: false },
    { name: 'planned', type: 'bigint', nullable: false },
    { name: 'sent', type: 'bigint', nullable: false },
    { name: 'rejected', type: 'bigint', nullable: false },
    { name: 'retrying', type: 'bigint', nullable: false },
    { name: 'skipped', type: 'bigint', nullable: false },
    /** `<code>: <message>` of what stopped the run (or deferred its rest), e.g. `SB_SYNC_SLACK_SECRET_MISSING: …`. */
    { name: 'error', type: 'text' },
    { name: 'started_at', type: 'timestamp', nullable: false },
    { name: 'finished_at', type: 'timestamp', nullable: false },
    // Added in 0.2 (nullable; sync/0002_runs_error_code adds it to tables made by 0.1).
    /** The code alone, e.g. `SB_SYNC_DIFF_FAILED`, for `WHERE error_code = …` and `GROUP BY error_code`. */
    { name: 'error_code', type: 'text' },
  ],
  primaryKey: ['run_id'],
};

export const SYNC_TABLES: readonly TableSpec[] = [snapshotsTable, rejectionsTable, outcomesTable, runsTable];
