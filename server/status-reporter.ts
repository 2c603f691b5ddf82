/**
 * GET /status's report (status-report.ts): what this process knows in memory, completed with
 * the last runs read from the control tables (status-history.ts) — within a deadline, so that
 * a warehouse that hangs never hangs `switchboard status`; it then answers with this
 * process's view and says why.
 */
import type { Warehouse } from '../sql/warehouse.js';
import { readStatusHistory, type StatusHistory, type StatusHistoryScope } from './status-history.js';
import type { LiveStatus, StatusReport } from './status-report.js';

/** The longest GET /status waits for the warehouse before answering with this process's view. */
export const STATUS_HISTORY_DEADLINE_MS = 3_000;

/**
 * GET /status's report: `live()` completed with the history read from `warehouse`.
 * @example const status = statusReporter({ live, warehouse, scope }); await status()
 */
export function statusReporter(options: { live: () => LiveStatus; warehouse: Warehouse; scope: StatusHistoryScope; deadlineMs?: number }): () => Promise<StatusReport> {
  const deadlineMs = options.deadlineMs ?? STATUS_HISTORY_DEADLINE_MS;
  return async () => {
    const live = options.live();
    if (!live.warehouse.reachable) return withHistory(live, null, `the warehouse is not reachable (${live.warehouse.error ?? 'no answer'}); the last runs shown are this process's own`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the warehouse did not answer within ${deadlineMs / 1000} s; the last runs shown are this process's own`)), deadlineMs);
    });
    try {
      const history = await Promise.race([readStatusHistory(options.warehouse, options.scope), deadline]);
      return withHistory(live, history, history.errors.length === 0 ? null : history.errors.join('; '));
    } catch (error) {
      return withHistory(live, null, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `live`, with every last run this process has not seen itself filled in from `history`. */
export function withHistory(live: LiveStatus, history: StatusHistory | null, historyError: string | null): StatusReport {
  if (history === null) return { ...live, landing: null, sourceFreshness: null, historyError };
  return {
    ...live,
    landing: history.landing,
    sourceFreshness: history.sourceFreshness,
    models: { ...live.models, lastRun: live.models.lastRun ?? history.models },
    syncs: live.syncs.map((s) => ({ ...s, ...(history.syncs.get(s.sync) ?? {}) })),
    pulls: live.pulls.map((p) => ({ ...p, lastRun: p.lastRun ?? history.pulls.get(p.source) ?? null })),
    jobs: live.jobs.map((j) => {
      const lease = history.leases.get(j.job);
      // A lease held by another node: that node runs it now (this one learns of it otherwise only when it tries).
      const heldBy = j.heldBy ?? (j.running === null && lease !== undefined && lease.node !== live.node ? lease : null);
      return { ...j, heldBy, lastRun: j.lastRun ?? history.jobs.get(j.job) ?? null };
    }),
    historyError,
  };
}
