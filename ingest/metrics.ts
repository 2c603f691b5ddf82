/**
 * Prometheus metrics, served on the operator API at GET /metrics. One registry per server
 * (not prom-client's global), so tests and several servers in one process do not mix.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  backlogBytes: () => number;
  spoolStats: () => { appends: number; syncs: number; bytes: number };
  drainStats: () => { events: number; rejections: number; batches: number; failures: number; quarantined: number; conflicts: number };
  warehouseUp: () => boolean;
  /** True while a waiting backlog has not moved for drain.stallAfterSeconds. */
  drainStalled?: () => boolean;
}

export class Metrics {
  readonly registry = new Registry();
  /** Every answer on a webhook route, by family and HTTP status. */
  readonly responses: Counter<'family' | 'status'>;
  /** Time from request to answer (for accepted events: including the fsync). */
  readonly latency: Histogram<'family'>;
  /** Refusals by stable error code. */
  readonly rejections: Counter<'family' | 'code'>;
  /**
   * Age of a delivery's signed timestamp at arrival (JaaS: now − t), by family and outcome
   * (verified, expired: a valid signature past the tolerance, refused: any other refusal):
   * sizes families.meetings.toleranceSeconds (README).
   */
  readonly signatureAge: Histogram<'family' | 'outcome'>;
  /** Per reconciled source, the highest missed-webhook share of the recent days (reconciliation check). */
  readonly webhooksMissedShare: Gauge<'source'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    this.responses = new Counter({
      name: 'switchboard_webhook_responses_total',
      help: 'Answers on webhook routes, by family and HTTP status.',
      labelNames: ['family', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'switchboard_webhook_duration_seconds',
      help: 'Time to answer a webhook; for accepted events this includes the fsync.',
      labelNames: ['family'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    this.rejections = new Counter({
      name: 'switchboard_rejections_total',
      help: 'Refused webhooks, by family and error code (see docs/errors.md).',
      labelNames: ['family', 'code'],
      registers,
    });
    this.signatureAge = new Histogram({
      name: 'switchboard_webhook_signature_age_seconds',
      help: 'Seconds between a delivery\'s signed timestamp and its arrival (negative ages count in the first bucket), by family and outcome (verified, expired, refused).',
      labelNames: ['family', 'outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
    this.webhooksMissedShare = new Gauge({
      name: 'switchboard_webhooks_missed_share',
      help: 'Per source, the highest share of pulled events with no webhook over the recent days (analytics.reconciliation_daily; after each scheduled build).',
      labelNames: ['source'],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    };
    gauge('switchboard_spool_backlog_bytes', 'Bytes accepted but not yet in the warehouse.', sources.backlogBytes);
    gauge('switchboard_spool_appends', 'Records appended to the spool since start.', () => sources.spoolStats().appends);
    gauge('switchboard_spool_fsyncs', 'Group commits (fdatasync calls) since start.', () => sources.spoolStats().syncs);
    gauge('switchboard_landed_events', 'Spool records landed in the warehouse since start.', () => sources.drainStats().events);
    gauge('switchboard_landed_rejections', 'Rejections landed in the warehouse since start.', () => sources.drainStats().rejections);
    gauge('switchboard_drain_failures', 'Failed warehouse write attempts since start.', () => sources.drainStats().failures);
    gauge('switchboard_warehouse_up', '1 when the last warehouse write succeeded.', () => (sources.warehouseUp() ? 1 : 0));
    gauge('switchboard_drain_stalled', '1 while a waiting backlog has not moved for drain.stallAfterSeconds (nothing reaches the warehouse).', () =>
      sources.drainStalled?.() === true ? 1 : 0,
    );
    gauge('switchboard_quarantined_records', 'Spool records the warehouse refused on their own, set aside in the quarantine since start.', () => sources.drainStats().quarantined);
    gauge('switchboard_dedupe_conflicts', 'Events that arrived under a landed dedupe key with a different body, since start (both versions kept).', () => sources.drainStats().conflicts);
  }
}
