/**
 * The syncs' dead letters: rows a destination refused for good (`switchboard_sync.rejections`).
 *
 * A replay re-runs those keys through the syncer, scoped to them (sync/engine.ts `keys`):
 * the same diff, batching, retries and checkpoints as any run, holding the sync's job. A key
 * is sent only if the destination does not have its current row (the snapshot), with the
 * same idempotency key as before; once the destination confirms it, the snapshot moves and
 * the refusal is cleared in the same checkpoint, so a second replay, or the next scheduled
 * run, sends nothing.
 */
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { outcomesTable, rejectionsTable, runsTable, SYNC_SCHEMA } from '../../sync/state.js';
import type { SyncRequest } from '../../sync/syncer.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import { ageSeconds, codeOf, iso, reasonMatches, type DeadLetter, type DeadLetterDetail, type DeadLetterFilter, type ReplayOptions, type DeadLetterOutcome } from './dead-letter.js';
import { Where } from './where.js';

/** How a replay runs a sync: in serve, holding its job (as POST /sync does); in the CLI without serve, under its lease. */
export interface SyncReplayRunner {
  /** The configured syncs. */
  names: readonly string[];
  run(name: string, request: Pick<SyncRequest, 'keys' | 'dryRun'>): Promise<SyncRunResult>;
}

const CHUNK = 500;

export class SyncLetters {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly runner: SyncReplayRunner | null,
  ) {}

  /** Refused rows, newest first. `ids` are [sync, key] pairs. */
  async list(filter: DeadLetterFilter, ids: ReadonlyArray<readonly [string, string]> | undefined, limit: number, now: Date): Promise<DeadLetter[]> {
    const d = this.warehouse.dialect;
    const where = new Where(d)
      .pairs('sync_name', 'key', ids)
      .equals('sync_name', filter.pipeline)
      .equals('code', filter.code)
      .contains(`COALESCE(reason, code, '')`, filter.reason)
      .between('rejected_at', filter.since, filter.until);
    const rows = await this.warehouse.all(
      `SELECT sync_name, key, code, reason, rejected_at FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)}${where} ORDER BY rejected_at DESC LIMIT ${limit}`,
      where.params,
    );
    const kept = rows.filter((r) => reasonMatches(reasonOf(r), filter.reason));
    const refusals = await this.refusals(kept);
    return kept.map((r) => {
      const lastAt = iso(r.rejected_at);
      const seen = refusals.get(`${String(r.sync_name)}\u0000${String(r.key)}`);
      const firstAt = seen?.firstAt ?? lastAt;
      return {
        id: `sync:${String(r.sync_name)}:${String(r.key)}`,
        source: 'sync' as const,
        pipeline: String(r.sync_name),
        reason: reasonOf(r),
        code: r.code === null ? null : String(r.code),
        count: Math.max(1, seen?.count ?? 1),
        firstAt,
        lastAt,
        ageSeconds: ageSeconds(firstAt, now),
      };
    });
  }

  async detail(sync: string, key: string, now: Date): Promise<DeadLetterDetail | null> {
    const d = this.warehouse.dialect;
    const [entry] = await this.list({}, [[sync, key]], 1, now);
    if (entry === undefined) return null;
    const [row] = await this.warehouse.all(`SELECT * FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)} WHERE sync_name = ${d.param(1)} AND key = ${d.param(2)}`, [sync, key]);
    const attempts = await this.warehouse.all(
      `SELECT run_id, attempt, action, status, code, reason, recorded_at FROM ${d.tableName(SYNC_SCHEMA, outcomesTable.name)} ` +
        `WHERE sync_name = ${d.param(1)} AND key = ${d.param(2)} ORDER BY recorded_at DESC, attempt DESC LIMIT 20`,
      [sync, key],
    );
    const [run] = await this.warehouse.all(`SELECT destination FROM ${d.tableName(SYNC_SCHEMA, runsTable.name)} WHERE run_id = ${d.param(1)}`, [String(row?.run_id ?? '')]);
    return {
      entry,
      detail: {
        sync,
        key,
        destination: run?.destination ?? null,
        configured: this.runner?.names.includes(sync) ?? null,
        action: row?.action ?? null,
        rowHash: row?.row_hash ?? null,
        runId: row?.run_id ?? null,
        attempts: attempts.map((a) => ({ ...a, recorded_at: iso(a.recorded_at) })),
      },
    };
  }

  /** Sends the entries' keys again, one scoped run per sync. */
  async replay(entries: readonly DeadLetter[], options: ReplayOptions): Promise<DeadLetterOutcome[]> {
    const bySync = new Map<string, DeadLetter[]>();
    for (const entry of entries) bySync.set(entry.pipeline, [...(bySync.get(entry.pipeline) ?? []), entry]);
    const outcomes: DeadLetterOutcome[] = [];
    for (const [sync, group] of bySync) outcomes.push(...(await this.replaySync(sync, group, options)));
    return outcomes;
  }

  private async replaySync(sync: string, entries: readonly DeadLetter[], options: ReplayOptions): Promise<DeadLetterOutcome[]> {
    const keys = entries.map((e) => e.id.slice(`sync:${sync}:`.length));
    const all = (outcome: Omit<DeadLetterOutcome, 'id'>): DeadLetterOutcome[] => entries.map((e) => ({ id: e.id, ...outcome }));
    if (this.runner === null || !this.runner.names.includes(sync)) {
      return all({
        status: 'skipped',
        code: 'SB_SYNC_UNKNOWN',
        message: `No sync named ${sync} is configured any more (syncs[].name), so its refused rows cannot be sent: configure it again, or clear them with DELETE FROM switchboard_sync.rejections WHERE sync_name = '${sync}'.`,
      });
    }
    const previous = await this.rejectionRuns(sync, keys);
    let result: SyncRunResult;
    try {
      result = await this.runner.run(sync, { keys, dryRun: options.dryRun === true });
    } catch (error) {
      return all({ status: 'failed', message: `${(error as Error).message} Nothing was sent; replay again once it can run.`, ...codeOf(error) });
    }
    if (options.dryRun === true) {
      const { create, update, delete: del } = result.planned;
      const total = create + update + del;
      return all({
        status: 'would-replay',
        message: `dry run of ${sync}: ${total} change(s) planned for the ${keys.length} selected row(s) (${create} create, ${update} update, ${del} delete); nothing was sent. A row with nothing planned has left the model or is at the destination already.`,
      });
    }
    const sent = await this.outcomesOf(sync, result.runId);
    // Every planned key has an outcome unless the run stopped early: only then may a key without one be cleared.
    const complete = result.status !== 'failed' && result.retrying === 0 && result.error === null;
    const outcomes: DeadLetterOutcome[] = [];
    for (const [i, entry] of entries.entries()) {
      const key = keys[i] as string;
      const last = sent.get(key);
      const code = last?.code === null || last?.code === undefined ? {} : { code: String(last.code) };
      if (last?.status === 'sent' || last?.status === 'skipped') {
        const skipped = last.status === 'skipped' ? ` (the destination skipped it: ${String(last.reason ?? '')})` : '';
        outcomes.push({ id: entry.id, status: 'replayed', message: `sent by run ${result.runId}${skipped}.` });
      } else if (last?.status === 'rejected') {
        outcomes.push({ id: entry.id, status: 'failed', message: `refused again by the destination: ${String(last.reason ?? last.code ?? '')}`, ...code });
      } else if (last?.status === 'retried') {
        outcomes.push({ id: entry.id, status: 'failed', message: `still failing transiently after the run's retries (${String(last.reason ?? '')}); it stays a dead letter, replay it later.`, ...code });
      } else if (complete) {
        await this.clear(sync, key, previous.get(key));
        outcomes.push({ id: entry.id, status: 'resolved', message: `nothing to send: the row has left the sync's model, or the destination has it already; the dead letter is cleared.` });
      } else {
        const error = result.error === null ? '' : ` (${result.error.code}: ${result.error.message})`;
        outcomes.push({ id: entry.id, status: 'failed', message: `run ${result.runId} ended ${result.status} before reaching it${error}; it stays a dead letter.`, ...(result.error === null ? {} : { code: result.error.code }) });
      }
    }
    return outcomes;
  }

  /** Per sync and key, how many refusals since it was last sent (or skipped), and the first of them. */
  private async refusals(rows: readonly SqlRow[]): Promise<Map<string, { count: number; firstAt: string }>> {
    const d = this.warehouse.dialect;
    const found = new Map<string, { count: number; firstAt: string; sentAt: string | null; times: string[] }>();
    const bySync = new Map<string, string[]>();
    for (const r of rows) bySync.set(String(r.sync_name), [...(bySync.get(String(r.sync_name)) ?? []), String(r.key)]);
    for (const [sync, keys] of bySync) {
      for (let i = 0; i < keys.length; i += CHUNK) {
        const chunk = keys.slice(i, i + CHUNK);
        const outcomes = await this.warehouse.all(
          `SELECT key, status, recorded_at FROM ${d.tableName(SYNC_SCHEMA, outcomesTable.name)} WHERE sync_name = ${d.param(1)} ` +
            `AND key IN (${chunk.map((_, j) => d.param(j + 2)).join(', ')}) AND status IN ('rejected', 'sent', 'skipped')`,
          [sync, ...chunk],
        );
        for (const o of outcomes) {
          const id = `${sync}\u0000${String(o.key)}`;
          const seen = found.get(id) ?? { count: 0, firstAt: '', sentAt: null, times: [] };
          const at = iso(o.recorded_at);
          if (o.status === 'rejected') seen.times.push(at);
          else if (seen.sentAt === null || at > seen.sentAt) seen.sentAt = at;
          found.set(id, seen);
        }
      }
    }
    const counted = new Map<string, { count: number; firstAt: string }>();
    for (const [id, seen] of found) {
      const since = seen.times.filter((t) => seen.sentAt === null || t > seen.sentAt).sort();
      if (since.length > 0) counted.set(id, { count: since.length, firstAt: since[0] as string });
    }
    return counted;
  }

  /** The last attempt of each key in run `runId`. */
  private async outcomesOf(sync: string, runId: string): Promise<Map<string, SqlRow>> {
    const d = this.warehouse.dialect;
    const rows = await this.warehouse.all(
      `SELECT key, attempt, status, code, reason FROM ${d.tableName(SYNC_SCHEMA, outcomesTable.name)} WHERE sync_name = ${d.param(1)} AND run_id = ${d.param(2)} ORDER BY attempt`,
      [sync, runId],
    );
    return new Map(rows.map((r) => [String(r.key), r]));
  }

  /** The run that last refused each key: a refusal is cleared only if no other run refused it since. */
  private async rejectionRuns(sync: string, keys: readonly string[]): Promise<Map<string, string>> {
    const runs = new Map<string, string>();
    const d = this.warehouse.dialect;
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const rows = await this.warehouse.all(
        `SELECT key, run_id FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)} WHERE sync_name = ${d.param(1)} AND key IN (${chunk.map((_, j) => d.param(j + 2)).join(', ')})`,
        [sync, ...chunk],
      );
      for (const r of rows) runs.set(String(r.key), String(r.run_id));
    }
    return runs;
  }

  private async clear(sync: string, key: string, runId: string | undefined): Promise<void> {
    if (runId === undefined) return;
    const d = this.warehouse.dialect;
    await this.warehouse.run(
      `DELETE FROM ${d.tableName(SYNC_SCHEMA, rejectionsTable.name)} WHERE sync_name = ${d.param(1)} AND key = ${d.param(2)} AND run_id = ${d.param(3)}`,
      [sync, key, runId],
    );
  }
}

function reasonOf(row: SqlRow): string {
  return String(row.reason ?? row.code ?? 'refused by the destination');
}
