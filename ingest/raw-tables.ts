/**
 * The raw layer: one table per source family, plus rejections and the spool checkpoint.
 * Models read these through `source('raw', '<table>')`.
 *
 * A raw event row is one *logical* event (unique `dedupe_key`), holding the first delivery's
 * exact body and headers. Retries do not add rows: they raise `delivery_count` and move
 * `last_received_at`, which is how the raw layer shows that an event was retried.
 */
import type { ColumnSpec, TableSpec } from '../sql/dialect.js';

export const RAW_EVENT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'dedupe_key', type: 'text', nullable: false },
  { name: 'family', type: 'text', nullable: false },
  { name: 'event_type', type: 'text', nullable: false },
  { name: 'body', type: 'text', nullable: false },
  { name: 'headers', type: 'json', nullable: false },
  { name: 'source_ip', type: 'text', nullable: false },
  { name: 'verified_by', type: 'text', nullable: false },
  { name: 'first_delivery_id', type: 'text', nullable: false },
  { name: 'first_received_at', type: 'timestamp', nullable: false },
  { name: 'last_received_at', type: 'timestamp', nullable: false },
  { name: 'delivery_count', type: 'bigint', nullable: false },
  { name: 'landed_at', type: 'timestamp', nullable: false },
];

/** Raw tables only pulls fill (no webhook family lands there): 8x8 Work call records. */
export const PULL_ONLY_TABLES: readonly string[] = ['work_events'];

export function rawEventTable(schema: string, name: string): TableSpec {
  return { schema, name, columns: RAW_EVENT_COLUMNS, primaryKey: ['dedupe_key'] };
}

export function rejectionsTable(schema: string): TableSpec {
  return {
    schema,
    name: 'rejections',
    primaryKey: ['rejection_id'],
    columns: [
      { name: 'rejection_id', type: 'text', nullable: false },
      { name: 'family', type: 'text', nullable: false },
      { name: 'route', type: 'text', nullable: false },
      { name: 'received_at', type: 'timestamp', nullable: false },
      { name: 'source_ip', type: 'text', nullable: false },
      { name: 'status_code', type: 'integer', nullable: false },
      { name: 'error_code', type: 'text', nullable: false },
      { name: 'reason', type: 'text', nullable: false },
      { name: 'verified', type: 'boolean', nullable: false },
      { name: 'headers', type: 'json', nullable: false },
      { name: 'body', type: 'text' },
      { name: 'body_bytes', type: 'bigint', nullable: false },
      { name: 'body_truncated', type: 'boolean', nullable: false },
      { name: 'landed_at', type: 'timestamp', nullable: false },
      // Set by `switchboard replay` once the rejected request has landed after all.
      { name: 'replayed_at', type: 'timestamp' },
      { name: 'replayed_as', type: 'text' },
    ],
  };
}

/**
 * Where the drainer records how far into the spool it has landed. It is written in the same
 * transaction as the events, so "landed" and "checkpointed" can never disagree.
 */
export function checkpointTable(schema: string): TableSpec {
  return {
    schema,
    name: '_spool_checkpoints',
    primaryKey: ['spool_id'],
    columns: [
      { name: 'spool_id', type: 'text', nullable: false },
      { name: 'segment', type: 'bigint', nullable: false },
      { name: 'segment_offset', type: 'bigint', nullable: false },
      { name: 'updated_at', type: 'timestamp', nullable: false },
    ],
  };
}
