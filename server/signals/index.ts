/**
 * Signals: what Switchboard computes about its own pipelines, per minute, and keeps where
 * analysts query them (`<models.schema>.sb_signal_throughput`, `sb_signal_latency`,
 * `sb_signal_backlog`; README › Observability › Signals):
 *
 * - throughput by stage (landing, build, sync, pull), pipeline and event type, with retries,
 *   dead letters and failures, hence the success, retry and dead-letter ratios;
 * - latency percentiles per stage: 8x8's event time → received, received → landed (per
 *   family), landed → curated (per curated table), curated → destination (per sync);
 * - the backlog: spool bytes and records, sync changes pending, pull lag, dead letters.
 *
 * The hot half (collector.ts) counts in memory as the landing path, builds, syncs and pulls
 * report; the cold half (flush.ts) writes each ended minute from a job (job.ts). This file
 * wires them for the composition root (switchboard-server.ts).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigFile } from '../../core/config-schema.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { Drainer } from '../../ingest/drainer.js';
import type { Spool } from '../../ingest/spool/spool.js';
import type { Puller } from '../../ingest/pulls/puller.js';
import type { JobDefinition } from '../jobs/runner.js';
import { spoolRecords, type SpoolCounts } from './backlog.js';
import type { SignalCollector } from './collector.js';
import { SignalFlusher, type FlushSummary } from './flush.js';
import { signalsJobFor } from './job.js';
import { LatencyMeasurer } from './measure.js';
import { registerSignalMetrics } from './metrics.js';

export { SignalCollector } from './collector.js';

/** Longest the shutdown waits for the last flush. */
const FINAL_FLUSH_MS = 10_000;

export interface ServerSignalsOptions {
  /** The counters the landing path, builds, syncs and pulls already report to. */
  collector: SignalCollector;
  file: ConfigFile;
  warehouse: Warehouse;
  /** This process's spool and drainer: their counters are read at each flush (backlog). */
  spool: Pick<Spool, 'stats'>;
  drainer: Pick<Drainer, 'backlogBytes' | 'stats'>;
  /** Its configured sources are the ones whose lag is read. */
  puller: Pick<Puller, 'sources'>;
  /** Where /metrics is served from (ingest/metrics.ts). */
  registry: Registry;
  logger: Logger;
}

export class ServerSignals {
  readonly collector: SignalCollector;
  readonly flusher: SignalFlusher;
  private readonly file: ConfigFile;
  private readonly logger: Logger;

  constructor(options: ServerSignalsOptions) {
    const { file, warehouse, logger } = options;
    this.file = file;
    this.collector = options.collector;
    this.logger = logger;
    const { spool, drainer, puller } = options;
    const counts = (): SpoolCounts => {
      const appended = spool.stats();
      return { bytes: drainer.backlogBytes(), appended: appended.appends, appendedBytes: appended.bytes, drained: drainer.stats.events + drainer.stats.rejections + drainer.stats.quarantined };
    };
    const records = spoolRecords(counts);
    const syncs = file.syncs.map((s) => s.name);
    this.flusher = new SignalFlusher({
      collector: this.collector,
      measurer: new LatencyMeasurer({
        warehouse,
        modelsSchema: file.models.schema,
        curatedModels: file.signals.curatedModels,
        syncModels: new Map(file.syncs.flatMap((s) => (s.model === undefined ? [] : [[s.name, s.model] as const]))),
      }),
      warehouse,
      modelsSchema: file.models.schema,
      rawSchema: file.warehouse.rawSchema,
      backlog: {
        spool: () => ({ bytes: drainer.backlogBytes(), records: records() }),
        syncs,
        pullSources: puller.sources.map((s) => s.name),
      },
      retentionDays: file.signals.retentionDays,
      logger,
    });
    registerSignalMetrics(options.registry, this.collector, () => this.flusher.lastBacklog);
  }

  /** The flush job (`signals:<jobs.nodeName or host name>`). */
  job(): JobDefinition<FlushSummary> {
    return signalsJobFor({ flusher: this.flusher, nodeName: this.file.jobs.nodeName ?? hostname(), flushSeconds: this.file.signals.flushSeconds, logger: this.logger });
  }

  /**
   * At shutdown, once everything that counts has stopped: writes every minute, the current one
   * too. Never throws, and gives up after {@link FINAL_FLUSH_MS} (a warehouse that hangs must
   * not hold the stop).
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), FINAL_FLUSH_MS);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([this.flusher.flush({ final: true }).then(() => 'written' as const), deadline]);
      if (outcome === 'late') this.logger.warn(`signals: the last minutes were not written within ${FINAL_FLUSH_MS / 1000} s at shutdown; they are lost (the data itself is not)`);
    } catch (error) {
      this.logger.warn({ err: error }, 'signals: the last minutes could not be written at shutdown; they are lost (the data itself is not)');
    } finally {
      clearTimeout(timer);
    }
  }
}
