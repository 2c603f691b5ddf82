/**
 * The signals' cold half: once a flush (a job, signals.flushSeconds), measure what needs the
 * warehouse (measure.ts), take the minutes that have ended from the collector, write them in
 * one transaction, sample the backlog, and once an hour delete rows past
 * signals.retentionDays. A write that fails puts the minutes back for the next flush, so
 * nothing is lost while the warehouse is away (up to a day of minutes is kept).
 */
import type { Logger } from 'pino';
import type { Warehouse, WriteRow } from '../../sql/warehouse.js';
import { jobRunsTable } from '../jobs/history.js';
import { DRIFT_JOB } from '../jobs/definitions.js';
import { ALERTS_JOB } from '../alerts/job.js';
import { keyParts, type MinuteSignals, type SignalCollector } from './collector.js';
import { sampleBacklog, type Backlog, type BacklogOptions } from './backlog.js';
import type { LatencyMeasurer } from './measure.js';
import { backlogTable, latencyTable, signalTables, throughputTable, WRITE_RULES } from './tables.js';

/** Measurements that failed this many times are dropped. */
const MAX_ATTEMPTS = 3;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface FlushOptions {
  collector: SignalCollector;
  measurer: LatencyMeasurer;
  warehouse: Warehouse;
  modelsSchema: string;
  rawSchema: string;
  backlog: Omit<BacklogOptions, 'warehouse' | 'rawSchema' | 'logger'>;
  retentionDays: number;
  logger: Logger;
}

/** What one flush did: the job's summary in `_job_runs`. */
export interface FlushSummary {
  minutes: number;
  throughputRows: number;
  latencyRows: number;
  /** The backlog sampled, or null when it could not be written. */
  backlog: Backlog | null;
  /** Rows deleted past the retention (when this flush pruned). */
  pruned: number | null;
}

export class SignalFlusher {
  private lastPrune = Number.NEGATIVE_INFINITY;
  /** The backlog of the last flush, for /metrics. */
  lastBacklog: Backlog | null = null;
  private running: Promise<FlushSummary> | null = null;

  constructor(private readonly options: FlushOptions) {}

  /**
   * Writes the minutes that have ended (every minute, with `final`: at shutdown). Flushes
   * never overlap: a call during one waits for it and runs after.
   */
  async flush(options: { final?: boolean } = {}): Promise<FlushSummary> {
    while (this.running !== null) await this.running.catch(() => undefined);
    const run = this.flushNow(options.final === true);
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  private async flushNow(final: boolean): Promise<FlushSummary> {
    const { collector, warehouse, logger } = this.options;
    await this.measure();
    const now = collector.now();
    const minutes = collector.take({ all: final });
    const throughput = minutes.flatMap(throughputRows);
    const latency = minutes.flatMap(latencyRows);
    const backlog = await sampleBacklog({ ...this.options.backlog, warehouse, rawSchema: this.options.rawSchema, logger }, now);
    const { modelsSchema } = this.options;
    try {
      await warehouse.transaction(async (tx) => {
        if (throughput.length > 0) await tx.writeRows(throughputTable(modelsSchema), throughput, { onMatch: WRITE_RULES.sb_signal_throughput });
        if (latency.length > 0) await tx.writeRows(latencyTable(modelsSchema), latency, { onMatch: WRITE_RULES.sb_signal_latency });
        await tx.writeRows(backlogTable(modelsSchema), [backlogRow(now, backlog)], { onMatch: WRITE_RULES.sb_signal_backlog });
      });
    } catch (error) {
      collector.putBack(minutes);
      throw error;
    }
    this.lastBacklog = backlog;
    for (const m of minutes) {
      for (const [key, sketch] of m.latency) {
        const p = sketch.percentiles();
        collector.latest.set(key, { p50: p.p50, p95: p.p95, p99: p.p99 });
      }
    }
    let pruned: number | null = null;
    if (now - this.lastPrune >= HOUR_MS) {
      try {
        pruned = await this.prune(now);
        this.lastPrune = now;
      } catch (error) {
        logger.warn({ err: error }, 'signals: could not delete rows past signals.retentionDays; trying again at the next flush');
      }
    }
    return { minutes: minutes.length, throughputRows: throughput.length, latencyRows: latency.length, backlog, pruned };
  }

  /** Measures the builds and syncs that finished; one the warehouse could not answer is tried again next flush. */
  private async measure(): Promise<void> {
    const { collector, measurer, logger } = this.options;
    const { builds, syncs } = collector.takeMeasurements();
    for (const build of builds) {
      try {
        await measurer.build(build, collector);
      } catch (error) {
        if (build.attempts + 1 < MAX_ATTEMPTS) collector.retryMeasurement({ kind: 'build', build });
        else logger.warn({ err: error, runId: build.runId }, 'signals: could not measure landed → curated for this build; left out');
      }
    }
    for (const sync of syncs) {
      try {
        await measurer.sync(sync, collector);
      } catch (error) {
        if (sync.attempts + 1 < MAX_ATTEMPTS) collector.retryMeasurement({ kind: 'sync', sync });
        else logger.warn({ err: error, sync: sync.sync, runId: sync.runId }, 'signals: could not measure curated → destination for this run; left out');
      }
    }
  }

  /** Deletes rows older than the retention, and the every-minute jobs' runs in `_job_runs` as old (signals, alerts, drift). Returns the signal rows deleted. */
  private async prune(now: number): Promise<number> {
    const { warehouse, modelsSchema, rawSchema, retentionDays } = this.options;
    const d = warehouse.dialect;
    const cutoff = new Date(now - retentionDays * DAY_MS);
    let deleted = 0;
    for (const table of signalTables(modelsSchema)) {
      const name = d.tableName(table.schema, table.name);
      const [row] = await warehouse.all<{ n: number | string }>(`SELECT count(*) AS n FROM ${name} WHERE minute < ${d.param(1)}`, [cutoff]);
      if (Number(row?.n ?? 0) === 0) continue; // no DELETE, no lock, when there is nothing to delete
      await warehouse.run(`DELETE FROM ${name} WHERE minute < ${d.param(1)}`, [cutoff]);
      deleted += Number(row?.n);
    }
    // A flush is a job run: one row a minute per process, kept no longer than the signals; so
    // are the other every-minute jobs, the alert evaluation and the drift check.
    const runs = jobRunsTable(rawSchema);
    await warehouse.run(
      `DELETE FROM ${d.tableName(runs.schema, runs.name)} WHERE (job LIKE 'signals:%' OR job IN (${d.param(2)}, ${d.param(3)})) AND finished_at < ${d.param(1)}`,
      [cutoff, ALERTS_JOB, DRIFT_JOB],
    );
    return deleted;
  }
}

function throughputRows(m: MinuteSignals): WriteRow[] {
  const minute = new Date(m.minute);
  return [...m.throughput].map(([key, c]) => {
    const [stage, pipeline, eventType] = keyParts(key) as [string, string, string];
    return { minute, stage, pipeline, event_type: eventType, events: c.events, retries: c.retries, dead_letters: c.deadLetters, failures: c.failures };
  });
}

function latencyRows(m: MinuteSignals): WriteRow[] {
  const minute = new Date(m.minute);
  return [...m.latency].map(([key, sketch]) => {
    const [stage, pipeline] = keyParts(key) as [string, string];
    const p = sketch.percentiles();
    return { minute, stage, pipeline, samples: p.samples, p50_ms: round(p.p50), p95_ms: round(p.p95), p99_ms: round(p.p99), max_ms: round(p.max) };
  });
}

function backlogRow(now: number, b: Backlog): WriteRow {
  return {
    minute: new Date(Math.floor(now / 60_000) * 60_000),
    spool_bytes: b.spoolBytes,
    spool_events: b.spoolEvents,
    sync_pending: b.syncPending,
    pull_lag_seconds: b.pullLagSeconds === null ? null : round(b.pullLagSeconds),
    dead_letters: b.deadLetters,
  };
}

/** Three decimals: sub-millisecond digits of a 1 %-accurate percentile are noise. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
