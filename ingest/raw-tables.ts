/**
 * The raw layer: one table per source family, plus rejections and the spool checkpoint.
 * Models read these through `source('raw', '<table>')`; analysts read each event table's
 * JSON view (`<table>_json`, {@link rawEventJsonView}).
 *
 * A raw event row is one *logical* event (unique `dedupe_key`), holding the first delivery's
 * exact body and headers. Retries do not add rows: they raise `delivery_count` and move
 * `last_received_at`, which is how the raw layer shows that an event was retried.
 */
import type { ColumnSpec, SqlDialect, TableSpec } from '../sql/dialect.js';
import { ensureCreated, ensureView, type ViewSpec } from '../sql/ensure-table.js';
import type { Queryable } from '../sql/warehouse.js';

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
  // Added in 0.2 (nullable; ingest/0002_columns_0_2 adds them to tables landed by 0.1).
  /** Hex SHA-256 of the body's bytes: how a second body under one dedupe key is noticed. */
  { name: 'body_sha256', type: 'text' },
  /**
   * The body with the JSON escapes warehouses refuse (`\u0000`, unpaired surrogates) made
   * `\ufffd` (see ingest/storable-text.ts), or, for an XML body (messaging delivery receipts),
   * the JSON rendering of its fields (ingest/xml-event.ts); NULL when `body` parses as it is. Models read
   * `coalesce(body_json, body)`; `body` stays exactly as received.
   */
  { name: 'body_json', type: 'text' },
  /**
   * Set on a *conflicting version*: a body that arrived under an already-landed dedupe key
   * but differs from it. Its own key is `<dedupe_key>#conflict:<16 hex of its SHA-256>`;
   * this column names the key it conflicts with. Models read only rows where it is NULL.
   */
  { name: 'conflict_of', type: 'text' },
];

/** Raw tables only pulls fill (no webhook family lands there): 8x8 Work call records. */
export const PULL_ONLY_TABLES: readonly string[] = ['work_events'];

export function rawEventTable(schema: string, name: string): TableSpec {
  // Where the warehouse partitions and clusters (BigQuery), by the day an event first came and
  // by its key: a drainer MERGE on the key then scans the key's blocks, not the whole table.
  return { schema, name, columns: RAW_EVENT_COLUMNS, primaryKey: ['dedupe_key'], partitionBy: 'first_received_at', clusterBy: ['dedupe_key'] };
}

/**
 * `<schema>.<name>_json`: the raw event table `name` with `body` as the warehouse's JSON type
 * (DuckDB `JSON`, Postgres `jsonb`), parsed from the copy models read (`body_json` when set,
 * else `body`; so an XML receipt reads as its JSON rendering). `body` itself is text, because
 * it keeps the bytes exactly as received, and Postgres' `->>` does not take text. Through the
 * view, one query reads the JSON the same way on both:
 * `SELECT body->'payload'->'status'->>'state' FROM raw.messaging_events_json`.
 * Every other column is the table's, in its order, except `body_json`, and conflicting
 * versions stay in (`conflict_of`).
 */
export function rawEventJsonView(d: SqlDialect, schema: string, name: string): ViewSpec {
  const columns = RAW_EVENT_COLUMNS.map((c) => c.name).filter((c) => c !== 'body_json');
  const q = (column: string): string => d.quoteIdent(column);
  const select = columns.map((c) => (c === 'body' ? `CAST(COALESCE(${q('body_json')}, ${q('body')}) AS ${d.typeName('json')}) AS ${q('body')}` : q(c)));
  return { schema, name: `${name}_json`, columns, select: `SELECT ${select.join(', ')} FROM ${d.tableName(schema, name)}` };
}

/**
 * Creates a raw event table (with today's columns) and its JSON view when missing, and
 * redefines a view an older version made. Raw event tables are created by name, when a
 * family or pull first needs one; the columns added to existing ones are numbered
 * migrations (ingest/migrations.ts), applied before this runs. Idempotent.
 */
export async function ensureRawEventTable(q: Queryable, d: SqlDialect, schema: string, name: string): Promise<void> {
  await ensureCreated(q, d, rawEventTable(schema, name));
  await ensureView(q, d, rawEventJsonView(d, schema, name));
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
      // Added in 0.2 (ingest/0002_columns_0_2).
      /** Hex SHA-256 of the whole body as received (the stored `body` is only a sample of it). */
      { name: 'body_sha256', type: 'text' },
      /**
       * How many refusals this row stands for: 1, or more for a summary row that counts
       * refusals from one source past rejections.perSourcePerMinute (stored without body).
       */
      { name: 'occurrences', type: 'bigint' },
    ],
  };
}

/**
 * `<rawSchema>._quarantine`: spool records the warehouse refused on their own (every other
 * record around them landed). The record itself is kept byte for byte in the file named by
 * `file` (under spool.dir/quarantine/); `switchboard replay --list` shows these rows, and
 * `switchboard replay <quarantine_id>` lands the record again once the cause is fixed.
 */
export function quarantineTable(schema: string): TableSpec {
  return {
    schema,
    name: '_quarantine',
    primaryKey: ['quarantine_id'],
    columns: [
      /** `q:<spool id>:<segment>:<offset>`: where it was in the spool, so a re-drain finds the same row. */
      { name: 'quarantine_id', type: 'text', nullable: false },
      /** `event` or `rejection`. */
      { name: 'kind', type: 'text', nullable: false },
      { name: 'family', type: 'text', nullable: false },
      /** The raw table an event was bound for (`rejections` for a rejection). */
      { name: 'target_table', type: 'text', nullable: false },
      /** The event's dedupe key, or the rejection's id. */
      { name: 'record_key', type: 'text', nullable: false },
      { name: 'received_at', type: 'timestamp', nullable: false },
      /** The warehouse's refusal, made storable. */
      { name: 'error', type: 'text', nullable: false },
      /** The file holding the record, relative to spool.dir, e.g. `quarantine/q-….json`. */
      { name: 'file', type: 'text', nullable: false },
      { name: 'bytes', type: 'bigint', nullable: false },
      { name: 'quarantined_at', type: 'timestamp', nullable: false },
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
