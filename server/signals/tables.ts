/**
 * Where the signals are kept, one row per minute, in the models' schema (`analytics` by
 * default) beside the curated tables, so analysts query them as they query those:
 *
 * - `sb_signal_throughput`: per minute, stage, pipeline and event type, the units the stage
 *   handled: events, retries, dead letters, failures.
 * - `sb_signal_latency`: per minute, stage and pipeline, the samples and their p50, p95, p99
 *   and maximum in milliseconds.
 * - `sb_signal_backlog`: per minute, what waited: spool bytes and records, sync changes
 *   pending, pull lag, dead letters.
 *
 * Created by the migration `server/0002_signals` (server/migrations.ts). Several writers of
 * one minute (two serve processes, a restart within the minute) combine: counts add up, the
 * percentiles and backlog keep the larger value (see {@link WRITE_RULES}).
 */
import type { MergeRule, TableSpec } from '../../sql/table-spec.js';

export const THROUGHPUT_TABLE = 'sb_signal_throughput';
export const LATENCY_TABLE = 'sb_signal_latency';
export const BACKLOG_TABLE = 'sb_signal_backlog';

export function throughputTable(schema: string): TableSpec {
  return {
    schema,
    name: THROUGHPUT_TABLE,
    columns: [
      { name: 'minute', type: 'timestamp', nullable: false },
      /** landing | build | sync | pull */
      { name: 'stage', type: 'text', nullable: false },
      /** The family (landing), model (build), sync name (sync) or pull source (pull). */
      { name: 'pipeline', type: 'text', nullable: false },
      /** The 8x8 event type (landing); '' where there is none, or the refusal came before it was read. */
      { name: 'event_type', type: 'text', nullable: false },
      { name: 'events', type: 'bigint', nullable: false },
      { name: 'retries', type: 'bigint', nullable: false },
      { name: 'dead_letters', type: 'bigint', nullable: false },
      { name: 'failures', type: 'bigint', nullable: false },
    ],
    primaryKey: ['minute', 'stage', 'pipeline', 'event_type'],
    partitionBy: 'minute',
    clusterBy: ['stage', 'pipeline'],
  };
}

export function latencyTable(schema: string): TableSpec {
  return {
    schema,
    name: LATENCY_TABLE,
    columns: [
      { name: 'minute', type: 'timestamp', nullable: false },
      /** event_to_received | received_to_landed | landed_to_curated | curated_to_destination */
      { name: 'stage', type: 'text', nullable: false },
      /** The family (the first two), the curated table (landed_to_curated) or the sync (curated_to_destination). */
      { name: 'pipeline', type: 'text', nullable: false },
      { name: 'samples', type: 'bigint', nullable: false },
      { name: 'p50_ms', type: 'double', nullable: false },
      { name: 'p95_ms', type: 'double', nullable: false },
      { name: 'p99_ms', type: 'double', nullable: false },
      { name: 'max_ms', type: 'double', nullable: false },
    ],
    primaryKey: ['minute', 'stage', 'pipeline'],
    partitionBy: 'minute',
    clusterBy: ['stage', 'pipeline'],
  };
}

export function backlogTable(schema: string): TableSpec {
  return {
    schema,
    name: BACKLOG_TABLE,
    columns: [
      { name: 'minute', type: 'timestamp', nullable: false },
      /** Bytes acknowledged and not yet in the warehouse (this process's spool). */
      { name: 'spool_bytes', type: 'bigint' },
      /** Records waiting in the spool: events and rejections. */
      { name: 'spool_events', type: 'bigint' },
      /** Changes the last diff of each sync planned and did not get sent or refused, summed over the syncs. */
      { name: 'sync_pending', type: 'bigint' },
      /** How far the most lagging pull source's last scheduled run ends behind now (seconds); NULL without pulls. */
      { name: 'pull_lag_seconds', type: 'double' },
      /** Dead letters waiting: rejections and quarantined records not replayed, and sync rejections. */
      { name: 'dead_letters', type: 'bigint' },
    ],
    primaryKey: ['minute'],
    partitionBy: 'minute',
  };
}

/** The three tables, in the models' schema. */
export function signalTables(schema: string): TableSpec[] {
  return [throughputTable(schema), latencyTable(schema), backlogTable(schema)];
}

/** How a second write of one minute combines with the first (writeRows' onMatch). */
export const WRITE_RULES: Readonly<Record<string, Readonly<Record<string, MergeRule>>>> = {
  [THROUGHPUT_TABLE]: { events: 'add', retries: 'add', dead_letters: 'add', failures: 'add' },
  // Percentiles of two halves of a minute cannot be combined exactly: the larger is kept (an upper bound).
  [LATENCY_TABLE]: { samples: 'add', p50_ms: 'greatest', p95_ms: 'greatest', p99_ms: 'greatest', max_ms: 'greatest' },
  // Sampled at each flush: the minute keeps the largest it saw.
  [BACKLOG_TABLE]: { spool_bytes: 'greatest', spool_events: 'greatest', sync_pending: 'greatest', pull_lag_seconds: 'greatest', dead_letters: 'greatest' },
};
