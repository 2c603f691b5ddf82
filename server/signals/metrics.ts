/**
 * The signals on GET /metrics (Prometheus), read from the collector when scraped: nothing is
 * added on the landing path for them. Counters are since start, per stage and pipeline (the
 * event type is left out, to keep the series few); latencies and the backlog are those of
 * the last flush.
 *
 *   switchboard_signal_events_total{stage,pipeline}          units handled (events landed, models built, records sent or pulled)
 *   switchboard_signal_retries_total{stage,pipeline}         units to be tried again
 *   switchboard_signal_dead_letters_total{stage,pipeline}    units refused for good (kept to replay)
 *   switchboard_signal_failures_total{stage,pipeline}        units that failed on our side
 *   switchboard_signal_latency_seconds{stage,pipeline,quantile}  p50/p95/p99 of the last minute written
 *   switchboard_signal_spool_events                          records waiting in the spool
 *   switchboard_signal_sync_pending                          sync changes pending (the last diff of each sync)
 *   switchboard_signal_pull_lag_seconds                      how far the most lagging pull is behind now
 *   switchboard_signal_dead_letters                          dead letters waiting
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { keyParts, type CountField, type SignalCollector } from './collector.js';
import type { Backlog } from './backlog.js';

export function registerSignalMetrics(registry: Registry, collector: SignalCollector, backlog: () => Backlog | null): void {
  const registers = [registry];
  const counter = (name: string, help: string, field: CountField): void => {
    new Counter({
      name,
      help,
      labelNames: ['stage', 'pipeline'],
      registers,
      collect() {
        this.reset();
        for (const [key, counts] of collector.totals) {
          const [stage, pipeline] = keyParts(key) as [string, string];
          if (counts[field] > 0) this.inc({ stage, pipeline }, counts[field]);
        }
      },
    });
  };
  counter('switchboard_signal_events_total', 'Units each stage handled since start, by stage (landing, build, sync, pull) and pipeline: events landed, models built, records sent, records pulled.', 'events');
  counter('switchboard_signal_retries_total', 'Units to be tried again since start: webhooks 8x8 retries (429, 503), failed drain attempts per event, sync records still retrying.', 'retries');
  counter('switchboard_signal_dead_letters_total', 'Units refused for good since start (kept to replay): landing rejections and quarantined records, records a destination refused.', 'deadLetters');
  counter('switchboard_signal_failures_total', 'Units that failed on our side since start: 5xx answers, failed or skipped model builds, records a failed sync run left, failed pulls.', 'failures');

  new Gauge({
    name: 'switchboard_signal_latency_seconds',
    help: 'Latency percentiles (0.5, 0.95, 0.99) of the last minute written, by stage (event_to_received, received_to_landed, landed_to_curated, curated_to_destination) and pipeline.',
    labelNames: ['stage', 'pipeline', 'quantile'],
    registers,
    collect() {
      this.reset();
      for (const [key, p] of collector.latest) {
        const [stage, pipeline] = keyParts(key) as [string, string];
        this.set({ stage, pipeline, quantile: '0.5' }, p.p50 / 1000);
        this.set({ stage, pipeline, quantile: '0.95' }, p.p95 / 1000);
        this.set({ stage, pipeline, quantile: '0.99' }, p.p99 / 1000);
      }
    },
  });

  const gauge = (name: string, help: string, read: (b: Backlog) => number | null): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const sampled = backlog();
        const value = sampled === null ? null : read(sampled);
        if (value !== null) this.set(value);
      },
    });
  };
  gauge('switchboard_signal_spool_events', 'Records waiting in the spool at the last flush.', (b) => b.spoolEvents);
  gauge('switchboard_signal_sync_pending', 'Changes the last diff of each sync planned and did not send or have refused, summed, at the last flush.', (b) => b.syncPending);
  gauge('switchboard_signal_pull_lag_seconds', 'How far behind now the most lagging pull source\'s last scheduled run ends, at the last flush.', (b) => b.pullLagSeconds);
  gauge('switchboard_signal_dead_letters', 'Dead letters waiting at the last flush: rejections and quarantined records not replayed, and sync rejections.', (b) => b.deadLetters);
}
