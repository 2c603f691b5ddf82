/**
 * The checkpoint: after a destination answers for a batch, one warehouse transaction moves
 * the snapshots of what it confirmed, keeps what it refused, and appends every outcome.
 */
import type { SqlDialect, TableSpec } from '../sql/dialect.js';
import type { Queryable, SqlParam, Warehouse } from '../sql/warehouse.js';
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
  const snapshotRows: SqlParam[][] = [];
  const deletedKeys: string[] = [];
  const rejectionRows: SqlParam[][] = [];
  const clearRejections: string[] = [];
  const outcomeRows: SqlParam[][] = [];
  for (const outcome of outcomes) {
    const record = byKey.get(outcome.key);
    if (record === undefined) continue;
    const hash = hashOf(record);
    const status = outcome.status === 'retry' ? 'retried' : outcome.status;
    const externalRef = outcome.externalRef ?? record.externalRef;
    outcomeRows.push([sync.name, runId, record.key, attempt, record.action, status, hash, externalRef, outcome.code ?? null, outcome.reason ?? null, now]);
    if (outcome.status === 'sent' || outcome.status === 'skipped') {
      clearRejections.push(record.key);
      if (record.action === 'delete') deletedKeys.push(record.key);
      else snapshotRows.push([sync.name, record.key, hash, externalRef, now]);
    } else if (outcome.status === 'rejected') {
      rejectionRows.push([sync.name, record.key, hash, record.action, outcome.code ?? null, outcome.reason ?? null, runId, now]);
    }
  }
  await warehouse.transaction(async (tx) => {
    await upsertRows(tx, d, snapshotsTable, snapshotRows, { row_hash: 'replace', external_ref: 'replace', sent_at: 'replace' });
    await upsertRows(tx, d, rejectionsTable, rejectionRows, { row_hash: 'replace', action: 'replace', code: 'replace', reason: 'replace', run_id: 'replace', rejected_at: 'replace' });
    await upsertRows(tx, d, outcomesTable, outcomeRows, {});
    await deleteKeys(tx, d, snapshotsTable, sync.name, deletedKeys);
    if (await hasRejections(tx, d, sync.name)) await deleteKeys(tx, d, rejectionsTable, sync.name, clearRejections);
  });
}

async function upsertRows(tx: Queryable, d: SqlDialect, table: TableSpec, rows: readonly SqlParam[][], onMatch: Record<string, 'replace'>): Promise<void> {
  if (rows.length === 0) return;
  const columns = table.columns.map((c) => c.name);
  if (d.capabilities.supportsJsonRows) {
    // Every row in one JSON parameter: about 6× faster than bound VALUES for 10,000 outcomes.
    const objects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])));
    await tx.run(d.upsertJson({ table, columns, onMatch }), [JSON.stringify(objects)]);
    return;
  }
  const perStatement = Math.max(1, Math.floor(Math.min(d.capabilities.maxParams, 10_000) / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.run(d.upsert({ table, columns, rowCount: chunk.length, onMatch }), chunk.flat());
  }
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
  const d = warehouse.dialect;
  const planned = Object.values(r.planned).reduce((a, b) => a + b, 0);
  const row: SqlParam[] = [
    r.runId, r.sync, r.destination, r.dryRun, r.status, planned, r.sent, r.rejected, r.retrying, r.skipped,
    r.error === null ? null : `${r.error.code}: ${r.error.message}`, new Date(r.startedAt), new Date(r.finishedAt), r.error?.code ?? null,
  ];
  await warehouse.transaction((tx) => upsertRows(tx, d, runsTable, [row], {}));
}

/** The hash the diff computed, carried on the record for the checkpoint. */
export const HASH = Symbol('rowHash');
export type WithHash = ChangeRecord & { [HASH]?: string };

export function hashOf(record: ChangeRecord): string {
  return (record as WithHash)[HASH] ?? '';
}
