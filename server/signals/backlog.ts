/**
 * The backlog, sampled at each flush: what waits right now. The spool's share comes from
 * this process's counters; the rest from small SQL reads of the control tables (the last run
 * of each sync, the last scheduled run of each pull source, the dead letters), so that it is
 * right whichever serve process ran them. A part that cannot be read is NULL that minute.
 */
import type { Logger } from 'pino';
import type { Warehouse } from '../../sql/warehouse.js';
import { quarantineTable, rejectionsTable } from '../../ingest/raw-tables.js';
import { pullFailuresTable } from '../../ingest/pulls/failures.js';
import { pullRunsTable } from '../../ingest/pulls/runner.js';
import { rejectionsTable as syncRejectionsTable, runsTable as syncRunsTable } from '../../sync/state.js';

/** One `sb_signal_backlog` row, before its minute is attached. */
export interface Backlog {
  spoolBytes: number | null;
  spoolEvents: number | null;
  syncPending: number | null;
  pullLagSeconds: number | null;
  deadLetters: number | null;
}

/** What the spool and the drainer have counted since start (ingest's Spool.stats and Drainer.stats). */
export interface SpoolCounts {
  /** Bytes acknowledged and not yet landed. */
  bytes: number;
  /** Records appended since the spool opened, and the bytes they took. */
  appended: number;
  appendedBytes: number;
  /** Records the drainer moved out since start: events, rejections and quarantined records. */
  drained: number;
}

/**
 * Records waiting in the spool. Counted as appended − drained since start, which misses the
 * records left from before the start; so the count is re-based each time the spool is seen
 * empty (then it is exactly 0), and until the first time, estimated from the bytes waiting
 * and the average record size.
 * @example const records = spoolRecords(() => counts()); records() // 1200
 */
export function spoolRecords(read: () => SpoolCounts): () => number {
  let offset: number | null = null;
  return () => {
    const { bytes, appended, appendedBytes, drained } = read();
    if (bytes === 0) {
      offset = appended - drained;
      return 0;
    }
    if (offset !== null) return Math.max(0, appended - drained - offset);
    const average = appended > 0 ? appendedBytes / appended : 1024;
    return Math.max(appended - drained, Math.ceil(bytes / average));
  };
}

export interface BacklogOptions {
  warehouse: Warehouse;
  rawSchema: string;
  spool: () => { bytes: number; records: number };
  /** The configured syncs and pull sources: only theirs are read (two installations may share `switchboard_sync`). */
  syncs: readonly string[];
  pullSources: readonly string[];
  logger: Pick<Logger, 'debug'>;
}

export async function sampleBacklog(options: BacklogOptions, now: number): Promise<Backlog> {
  const spool = options.spool();
  return {
    spoolBytes: spool.bytes,
    spoolEvents: spool.records,
    // One after the other: an embedded warehouse runs one statement at a time anyway.
    syncPending: await part(options, 'sync_pending', () => syncPending(options)),
    pullLagSeconds: await part(options, 'pull_lag_seconds', () => pullLag(options, now)),
    deadLetters: await part(options, 'dead_letters', () => deadLetters(options)),
  };
}

async function part(options: BacklogOptions, name: string, read: () => Promise<number | null>): Promise<number | null> {
  try {
    return await read();
  } catch (error) {
    options.logger.debug({ err: error, column: name }, 'signals: a backlog figure could not be read this minute');
    return null;
  }
}

function list(options: BacklogOptions, values: readonly string[], from = 1): string {
  return values.map((_, i) => options.warehouse.dialect.param(from + i)).join(', ');
}

/** Per sync, its last run's planned changes not sent and not refused (still retrying, or not reached), summed. */
async function syncPending(options: BacklogOptions): Promise<number | null> {
  if (options.syncs.length === 0) return 0;
  const d = options.warehouse.dialect;
  const runs = d.tableName(syncRunsTable.schema, syncRunsTable.name);
  const rows = await options.warehouse.all<{ planned: number; sent: number; rejected: number; skipped: number }>(
    `SELECT planned, sent, rejected, skipped FROM (SELECT planned, sent, rejected, skipped, row_number() OVER (PARTITION BY sync_name ORDER BY finished_at DESC) AS sb_rank ` +
      `FROM ${runs} WHERE dry_run = false AND sync_name IN (${list(options, options.syncs)})) ranked WHERE sb_rank = 1`,
    [...options.syncs],
  );
  return rows.reduce((sum, r) => sum + Math.max(0, Number(r.planned) - Number(r.sent) - Number(r.rejected) - Number(r.skipped)), 0);
}

/** How far behind now the most lagging source's last scheduled run ends; null without a source that ran. */
async function pullLag(options: BacklogOptions, now: number): Promise<number | null> {
  if (options.pullSources.length === 0) return null;
  const table = pullRunsTable(options.rawSchema);
  const rows = await options.warehouse.all<{ range_to: string | null }>(
    `SELECT max(range_to) AS range_to FROM ${options.warehouse.dialect.tableName(table.schema, table.name)} ` +
      `WHERE mode = 'scheduled' AND status IN ('success', 'nothing-to-do') AND source IN (${list(options, options.pullSources)}) GROUP BY source`,
    [...options.pullSources],
  );
  const ends = rows.map((r) => (r.range_to === null ? Number.NaN : Date.parse(r.range_to))).filter((t) => !Number.isNaN(t));
  return ends.length === 0 ? null : Math.max(0, (now - Math.min(...ends)) / 1000);
}

/** Rejections (with the refusals a summary row stands for) and quarantined records not replayed, the syncs' refused records, and failed pull pages not pulled since. */
async function deadLetters(options: BacklogOptions): Promise<number> {
  const { warehouse, rawSchema } = options;
  const d = warehouse.dialect;
  const count = async (sql: string, params: readonly string[] = []): Promise<number> => Number((await warehouse.all<{ n: number | string | null }>(sql, params))[0]?.n ?? 0);
  const rejections = rejectionsTable(rawSchema);
  const quarantine = quarantineTable(rawSchema);
  let total =
    (await count(`SELECT sum(coalesce(occurrences, 1)) AS n FROM ${d.tableName(rejections.schema, rejections.name)} WHERE replayed_at IS NULL`)) +
    (await count(`SELECT count(*) AS n FROM ${d.tableName(quarantine.schema, quarantine.name)} WHERE replayed_at IS NULL`));
  const failures = pullFailuresTable(rawSchema);
  total += await count(`SELECT count(*) AS n FROM ${d.tableName(failures.schema, failures.name)} WHERE resolved_at IS NULL`);
  if (options.syncs.length > 0) {
    total += await count(
      `SELECT count(*) AS n FROM ${d.tableName(syncRejectionsTable.schema, syncRejectionsTable.name)} WHERE sync_name IN (${list(options, options.syncs)})`,
      options.syncs,
    );
  }
  return total;
}
