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
import type { JobDefinition } from '../jobs/runner.js';
import { spoolRecords, type SpoolCounts } from './backlog.js';
import type { SignalCollector } from './collector.js';
import { SignalFlusher, type FlushSummary } from './flush.js';
import { signalsJobFor } from './job.js';
import { LatencyMeasurer } from './measure.js';
import { registerSignalMetrics } from './metrics.js';

export { SignalCollector } from './collector.js';

export interface ServerSignalsOptions {
  /** The counters the landing path, builds, syncs and pulls already report to. */
  collector: SignalCollector;
  file: ConfigFile;
  warehouse: Warehouse;
  /** This process's spool and drainer counters (read at each flush). */
  spool: () => SpoolCounts;
  /** The configured pull sources' names. */
  pullSources: () => readonly string[];
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
    const records = spoolRecords(options.spool);
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
        spool: () => ({ bytes: options.spool().bytes, records: records() }),
        syncs,
        get pullSources() {
          return options.pullSources();
        },
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

  /** At shutdown, once everything that counts has stopped: writes every minute, the current one too. Never throws. */
  async close(): Promise<void> {
    try {
      await this.flusher.flush({ final: true });
    } catch (error) {
      this.logger.warn({ err: error }, 'signals: the last minutes could not be written at shutdown; they are lost (the data itself is not)');
    }
  }
}
