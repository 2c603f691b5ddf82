/**
 * One run of one sync: diff inside the warehouse, send only what changed, checkpoint what
 * the destination confirmed.
 *
 * 1. **Diff** (one statement, in the warehouse): the sync's model, each row hashed over its
 *    mapped columns, against `switchboard_sync.snapshots` (what the destination last
 *    confirmed). New keys are creates, changed hashes updates, and in mirror mode keys that
 *    left the model deletes. Rows refused with the same hash are left out until they change
 *    or are replayed. The result lands in a pending table; only it leaves the warehouse.
 * 2. **Send**, page by page and batch by batch. Whole-call failures the destination calls
 *    transient, and records it marks `retry`, are retried with exponential backoff and full
 *    jitter, never sooner than Retry-After, within a bounded number of attempts.
 * 3. **Checkpoint** after each batch, in one warehouse transaction: snapshots move for sent
 *    records, rejections are recorded, and every outcome is appended. A crash before this
 *    write means the batch is diffed and sent again next run, with the same idempotency
 *    keys, which the destinations make harmless; a crash after it sends nothing twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { abortableSleep } from '../core/abortable-sleep.js';
import type { SqlRow, Warehouse } from '../sql/warehouse.js';
import {
  DeferRunError,
  PermanentDestinationError,
  TransientDestinationError,
  type ChangeAction,
  type ChangeRecord,
  type Destination,
  type RecordOutcome,
} from './destination.js';
import { checkpoint, CheckpointQueue, HASH, recordRun, type WithHash } from './checkpoint.js';
import { diffSql } from './diff.js';
import { SyncError } from './errors.js';
import { rejectionsTable, SYNC_SCHEMA } from './state.js';
import type { PlannedCounts, SyncDefinition, SyncProgress, SyncRunResult } from './sync-run.js';


/** Backoff for transient failures. */
export interface RetryPolicy {
  /** Sends of one batch (or one record) at most, the first included. */
  maxAttempts: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface SyncRunOptions {
  /** Where `model:` names live (models.schema). */
  modelsSchema: string;
  /** Plan only: count and sample the changes, send nothing. */
  dryRun?: boolean;
  /** Forget this sync's rejections first, so refused rows are sent again. */
  replayRejected?: boolean;
  /**
   * Only these keys, refused or not (a replay of dead letters, `switchboard dlq replay`):
   * each is sent if the destination does not have its current row. The snapshots and
   * idempotency keys work as in any run, so a key the destination has is not sent again.
   */
  keys?: readonly string[];
  retry?: RetryPolicy;
  /** Changed rows read from the warehouse at a time. */
  pageSize?: number;
  /** Aborts the run (shutdown, deadline). */
  signal?: AbortSignal;
  onProgress?: (event: SyncProgress) => void;
  /** Runs first, inside the run (a failure fails the run and is recorded): Destination.beforeSync. */
  before?: () => Promise<void>;
  /** Test seam for the backoff; resolves after `ms` or rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export { diffSql } from './diff.js';
export type { PlannedCounts, SyncDefinition, SyncProgress, SyncRunResult } from './sync-run.js';

/**
 * Where a run sends: the destination, or how to open it. Opened inside the run, so that a
 * destination that cannot start (a missing secret, a refused login) fails the run and is
 * recorded in `switchboard_sync.runs` like any other failure.
 */
export type DestinationSource = Destination | (() => Promise<Destination>);

/**
 * Runs `sync` once, and records it in `switchboard_sync.runs` whatever its outcome (unless
 * the warehouse itself is gone). `destinationSource` may be null for a dry run. Never rejects for
 * a failure of the run: it returns status `failed` with the error's code.
 * @example await runSync(warehouse, config.file.syncs[0], destination, { modelsSchema: 'analytics' })
 */
export async function runSync(warehouse: Warehouse, sync: SyncDefinition, destinationSource: DestinationSource | null, options: SyncRunOptions): Promise<SyncRunResult> {
  const started = Date.now();
  const runId = randomUUID();
  const d = warehouse.dialect;
  const dryRun = options.dryRun === true;
  const pending = d.tableName(SYNC_SCHEMA, `${sync.name}__pending`);
  const result: SyncRunResult = {
    runId,
    sync: sync.name,
    destination: sync.destination,
    dryRun,
    status: 'success',
    planned: { create: 0, update: 0, delete: 0, skip: 0 },
    sent: 0,
    rejected: 0,
    retrying: 0,
    skipped: 0,
    samples: [],
    error: null,
    startedAt: new Date(started).toISOString(),
    finishedAt: '',
    seconds: 0,
  };
  try {
    const destination = typeof destinationSource === 'function' ? await destinationSource() : destinationSource;
    await options.before?.();
    if (options.replayRejected === true) {
      await warehouse.run(`DELETE FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)} WHERE sync_name = ${d.param(1)}`, [sync.name]);
    }
    await warehouse.run(d.dropTable(pending));
    try {
      await warehouse.run(`CREATE TABLE ${pending} AS\n${diffSql(d, sync, options.modelsSchema, options.keys === undefined ? undefined : { keys: options.keys })}`);
    } catch (error) {
      throw new SyncError('SB_SYNC_DIFF_FAILED', `sync ${sync.name}: the diff query failed: ${(error as Error).message}`, {
        cause: error,
        configKey: `syncs[${sync.name}].${sync.model !== undefined ? 'model' : 'sql'}`,
      });
    }
    const counts = await warehouse.all<{ sb_action: string; n: number }>(`SELECT sb_action, COUNT(*) AS n FROM ${pending} GROUP BY sb_action`);
    for (const { sb_action, n } of counts) result.planned[sb_action as ChangeAction | 'skip'] = Number(n);
    const total = Object.values(result.planned).reduce((a, b) => a + b, 0);
    options.onProgress?.({ phase: 'planned', sync: sync.name, planned: { ...result.planned }, total });
    if (dryRun) {
      for (const action of ['create', 'update', 'delete', 'skip'] as const) {
        const rows = await warehouse.all(`SELECT * FROM ${pending} WHERE sb_action = '${action}' ORDER BY sb_key LIMIT 3`);
        for (const row of rows) result.samples.push({ action, key: String(row.sb_key), fields: mapFields(sync, row) });
      }
    } else {
      if (destination === null) throw new SyncError('SB_SYNC_NO_DESTINATION', `sync ${sync.name}: no destination to send to.`);
      try {
        await sendPending(warehouse, sync, destination, pending, runId, total, result, options);
      } catch (error) {
        if (!(error instanceof RunDeferred)) throw error;
        // A limit that lasts beyond this run: what was confirmed is checkpointed, the rest
        // (this batch and the pages not sent) waits for the next run.
        result.retrying = Math.max(0, total - result.sent - result.rejected - result.skipped);
        result.error = { code: error.code, message: error.message };
      }
    }
    if (result.rejected > 0 || result.retrying > 0) result.status = 'partial';
  } catch (error) {
    // A limit that lasts beyond this run (e.g. met by the destination's beforeSync) defers the run rather than failing it.
    result.status = error instanceof DeferRunError ? 'partial' : 'failed';
    result.error = failureOf(error);
  } finally {
    await warehouse.run(d.dropTable(pending)).catch(() => undefined);
  }
  const finished = Date.now();
  result.finishedAt = new Date(finished).toISOString();
  result.seconds = (finished - started) / 1000;
  await recordRun(warehouse, result).catch(() => undefined);
  return result;
}

/**
 * The code and message a failed run is recorded with: a destination's own code, or a
 * Switchboard code; anything else (a driver's SQLSTATE, an abort's DOMException) is
 * SB_SYNC_FAILED with its message.
 */
function failureOf(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const known = error instanceof PermanentDestinationError || error instanceof DeferRunError || (typeof code === 'string' && code.startsWith('SB_'));
  return { code: known && typeof code === 'string' ? code : 'SB_SYNC_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** Thrown inside a run when the destination defers the rest of it (DeferRunError, RecordOutcome.deferRun). */
class RunDeferred extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function sendPending(
  warehouse: Warehouse,
  sync: SyncDefinition,
  destination: Destination,
  pending: string,
  runId: string,
  total: number,
  result: SyncRunResult,
  options: SyncRunOptions,
): Promise<void> {
  const batchSize = Math.max(1, Math.min(destination.batchSize, destination.batchSizeFor?.(total) ?? destination.batchSize));
  const pageSize = Math.max(options.pageSize ?? 10_000, batchSize);
  const signal = options.signal ?? new AbortController().signal;
  // Checkpoints are written in order, one behind the sends: batch k is checkpointed while
  // batch k+1 is on the wire. A crash in between only means batch k is sent again.
  const checkpoints = new CheckpointQueue();
  let after: string | null = null;
  let done = 0;
  try {
    await sendPages();
  } finally {
    await checkpoints.drain();
  }
  async function sendPages(): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const d = warehouse.dialect;
    const page: SqlRow[] = await warehouse.all(
      after === null
        ? `SELECT * FROM ${pending} ORDER BY sb_key LIMIT ${pageSize}`
        : `SELECT * FROM ${pending} WHERE sb_key > ${d.param(1)} ORDER BY sb_key LIMIT ${pageSize}`,
      after === null ? [] : [after],
    );
    if (page.length === 0) return;
    after = String(page[page.length - 1]?.sb_key);
    // Skips (create-only syncs meeting a changed row) only move the snapshot.
    const skips = page.filter((row) => row.sb_action === 'skip');
    if (skips.length > 0) {
      await checkpoints.add(() =>
        checkpoint(warehouse, sync, runId, skips.map((row) => toRecord(sync, row)), skips.map((row) => ({ key: String(row.sb_key), status: 'skipped' as const })), 1),
      );
      result.skipped += skips.length;
    }
    const sendable = page.filter((row) => row.sb_action !== 'skip');
    for (let i = 0; i < sendable.length; i += batchSize) {
      const batch = sendable.slice(i, i + batchSize).map((row) => toRecord(sync, row));
      await sendWithRetry(warehouse, sync, destination, batch, runId, result, options, signal, checkpoints);
      done += batch.length;
      options.onProgress?.({ phase: 'sent', sync: sync.name, done, total, sent: result.sent, rejected: result.rejected, retrying: result.retrying });
    }
    done += skips.length;
  }
  }
}

async function sendWithRetry(
  warehouse: Warehouse,
  sync: SyncDefinition,
  destination: Destination,
  records: ChangeRecord[],
  runId: string,
  result: SyncRunResult,
  options: SyncRunOptions,
  signal: AbortSignal,
  checkpoints: CheckpointQueue,
): Promise<void> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? abortableSleep;
  let remaining = records;
  // Attempts in a row that confirmed nothing; one that made progress (a destination that
  // sent part of a batch before a rate limit) starts the count again.
  let fruitless = 0;
  for (let attempt = 1; remaining.length > 0; attempt++) {
    let outcomes: RecordOutcome[];
    let retryAfterMs: number | undefined;
    try {
      outcomes = await destination.send(remaining, { sync: sync.name, mode: sync.mode, object: sync.object, signal });
      const missing = remaining.filter((r) => !outcomes.some((o) => o.key === r.key));
      if (missing.length > 0) {
        // A destination that loses records is a bug; treat them as transient so none is lost.
        outcomes = [...outcomes, ...missing.map((r) => ({ key: r.key, status: 'retry' as const, reason: 'no outcome from the destination' }))];
      }
    } catch (error) {
      if (!(error instanceof TransientDestinationError)) throw error;
      const deferRun = error instanceof DeferRunError;
      outcomes = remaining.map((r) => ({ key: r.key, status: 'retry' as const, reason: error.message, ...(deferRun ? { code: error.code, deferRun } : {}) }));
      retryAfterMs = error.retryAfterMs;
    }
    const tried = remaining;
    const confirmed = outcomes;
    await checkpoints.add(() => checkpoint(warehouse, sync, runId, tried, confirmed, attempt));
    const deferred = outcomes.find((o) => o.status === 'retry' && o.deferRun === true);
    const retry = new Set(outcomes.filter((o) => o.status === 'retry').map((o) => o.key));
    for (const o of outcomes) {
      if (o.status === 'sent') result.sent += 1;
      else if (o.status === 'rejected') result.rejected += 1;
      else if (o.status === 'skipped') result.skipped += 1;
    }
    const progressed = retry.size < remaining.length;
    remaining = remaining.filter((r) => retry.has(r.key));
    if (remaining.length === 0) return;
    if (deferred !== undefined) throw new RunDeferred(deferred.code ?? 'SB_SYNC_DEFERRED', deferred.reason ?? 'the destination deferred the rest of the run');
    fruitless = progressed ? 0 : fruitless + 1;
    if (fruitless >= policy.maxAttempts) {
      result.retrying += remaining.length;
      return;
    }
    const asked = Math.max(retryAfterMs ?? 0, ...outcomes.map((o) => o.retryAfterMs ?? 0));
    const backoff = fruitless === 0 ? 0 : Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (fruitless - 1));
    const delayMs = Math.min(Math.max(asked, backoff), Math.max(policy.maxDelayMs, asked));
    const reason = outcomes.find((o) => o.status === 'retry')?.reason ?? 'transient failure';
    options.onProgress?.({ phase: 'retry', sync: sync.name, attempt, delayMs: Math.round(delayMs), reason });
    await sleep(delayMs, signal);
  }
}

function toRecord(sync: SyncDefinition, row: SqlRow): ChangeRecord {
  const key = String(row.sb_key);
  const hash = String(row.sb_hash);
  const action = (row.sb_action === 'skip' ? 'update' : row.sb_action) as ChangeAction;
  const record: WithHash = {
    key,
    action,
    fields: action === 'delete' ? {} : mapFields(sync, row),
    externalRef: row.sb_external_ref === null || row.sb_external_ref === undefined ? null : String(row.sb_external_ref),
    idempotencyKey: createHash('sha256').update(`${sync.name}\u0000${key}\u0000${hash}`).digest('hex').slice(0, 32),
  };
  record[HASH] = hash;
  return record;
}

function mapFields(sync: SyncDefinition, row: SqlRow): ChangeRecord['fields'] {
  return Object.fromEntries(Object.entries(sync.mapping).map(([field, column]) => [field, row[column] ?? null]));
}
