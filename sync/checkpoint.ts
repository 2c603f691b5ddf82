/**
 * The checkpoint: after a destination answers for a batch, one warehouse transaction moves
 * the snapshots of what it confirmed, keeps what it refused, and appends every outcome.
 */
import type { SqlDialect, TableSpec } from '../sql/dialect.js';
import type { Queryable, Warehouse, WriteRow } from '../sql/warehouse.js';
import type { ChangeRecord, RecordOutcome } from './destination.js';
import type { SyncDefinition, SyncRunResult } from './sync-run.js';
import { outcomesTable, rejectionsTable, runsTable, snapshotsTable, SYNC_SCHEMA } from './state.js';

/** Checkpoints in order, at most one behind: add() waits for the one before to finish. */
export class CheckpointQueue {
  private last: Promise<void> = Promise.resolve();

  /** Starts `write` after the previous one; resolves once the previous one is done (not this one). */
  async add(write: () => Promise<void>): Promise<void> {
    const previous = this.last;
    await previous;
    this.last = write();
    this.last.catch(() => undefined); // surfaced by the next add() or drain()
  }

  async drain(): Promise<void> {
    await this.last;
  }
}

/**
 * The checkpoint of one batch, in one transaction: snapshots move for what was sent (or
 * skipped), rejections are kept, and every outcome is appended.
 */
export async function checkpoint(
  warehouse: Warehouse,
  sync: SyncDefinition,
  runId: string,
  records: readonly ChangeRecord[],
  outcomes: readonly RecordOutcome[],
  attempt: number,
): Promise<void> {
  const d = warehouse.dialect;
  const byKey = new Map(records.map((r) => [r.key, r]));
  const now = new Date();
  const snapshotRows: WriteRow[] = [];
  const deletedKeys: string[] = [];
  const rejectionRows: WriteRow[] = [];
  const clearRejections: string[] = [];
  const outcomeRows: WriteRow[] = [];
  for (const outcome of outcomes) {
    const record = byKey.get(outcome.key);
    if (record === undefined) continue;
    const row_hash = hashOf(record);
    const external_ref = outcome.externalRef ?? record.externalRef;
    const code = outcome.code ?? null;
    const reason = outcome.reason ?? null;
    const status = outcome.status === 'retry' ? 'retried' : outcome.status;
    outcomeRows.push({ sync_name: sync.name, run_id: runId, key: record.key, attempt, action: record.action, status, row_hash, external_ref, code, reason, recorded_at: now });
    if (outcome.status === 'sent' || outcome.status === 'skipped') {
      clearRejections.push(record.key);
      if (record.action === 'delete') deletedKeys.push(record.key);
      else snapshotRows.push({ sync_name: sync.name, key: record.key, row_hash, external_ref, sent_at: now });
    } else if (outcome.status === 'rejected') {
      rejectionRows.push({ sync_name: sync.name, key: record.key, row_hash, action: record.action, code, reason, run_id: runId, rejected_at: now });
    }
  }
  await warehouse.transaction(async (tx) => {
    await tx.writeRows(snapshotsTable, snapshotRows, { onMatch: { row_hash: 'replace', external_ref: 'replace', sent_at: 'replace' } });
    await tx.writeRows(rejectionsTable, rejectionRows, { onMatch: { row_hash: 'replace', action: 'replace', code: 'replace', reason: 'replace', run_id: 'replace', rejected_at: 'replace' } });
    await tx.writeRows(outcomesTable, outcomeRows);
    await deleteKeys(tx, d, snapshotsTable, sync.name, deletedKeys);
    if (await hasRejections(tx, d, sync.name)) await deleteKeys(tx, d, rejectionsTable, sync.name, clearRejections);
  });
}

/** Whether the sync has refused rows waiting (most runs have none: then nothing to clear). */
async function hasRejections(tx: Queryable, d: SqlDialect, sync: string): Promise<boolean> {
  const rows = await tx.all(`SELECT 1 AS found FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)} WHERE sync_name = ${d.param(1)} LIMIT 1`, [sync]);
  return rows.length > 0;
}

async function deleteKeys(tx: Queryable, d: SqlDialect, table: TableSpec, sync: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const params = chunk.map((_, j) => d.param(j + 2)).join(', ');
    await tx.run(`DELETE FROM ${d.tableName(table.schema, table.name)} WHERE sync_name = ${d.param(1)} AND key IN (${params})`, [sync, ...chunk]);
  }
}

/** One row in `switchboard_sync.runs` for the run `r`, whatever its status (values in runsTable's column order). */
export async function recordRun(warehouse: Warehouse, r: SyncRunResult): Promise<void> {
  const planned = Object.values(r.planned).reduce((a, b) => a + b, 0);
  await warehouse.writeRows(runsTable, [
    {
      run_id: r.runId, sync_name: r.sync, destination: r.destination, dry_run: r.dryRun, status: r.status, planned, sent: r.sent, rejected: r.rejected, retrying: r.retrying, skipped: r.skipped,
      error: r.error === null ? null : `${r.error.code}: ${r.error.message}`, started_at: new Date(r.startedAt), finished_at: new Date(r.finishedAt), error_code: r.error?.code ?? null,
    },
  ]);
}

/** The hash the diff computed, carried on the record for the checkpoint. */
export const HASH = Symbol('rowHash');
export type WithHash = ChangeRecord & { [HASH]?: string };

export function hashOf(record: ChangeRecord): string {
  return (record as WithHash)[HASH] ?? '';
}
