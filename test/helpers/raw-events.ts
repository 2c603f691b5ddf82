/**
 * Raw events written straight into a warehouse's raw tables, for model tests that control
 * when each event arrived (`first_received_at`, `landed_at`) without the landing server:
 * arrival orders 8x8 does not guarantee, and batches built one after another.
 */
import { FAMILY_TABLES, type FamilyName } from '../../ingest/families/family.js';
import { PULL_ONLY_TABLES, rawEventTable } from '../../ingest/raw-tables.js';
import type { Warehouse } from '../../sql/warehouse.js';

/** One raw event as the landing path would have stored it. */
export interface RawEvent {
  /** e.g. `jaas:<idempotencyKey>`. */
  dedupeKey: string;
  family: FamilyName | 'work';
  /** The raw table, e.g. `meetings_events`; defaults to the family's. */
  table?: string;
  /** e.g. `PARTICIPANT_LEFT`, `WORK_CALL_RECORD`. */
  eventType: string;
  /** The body as 8x8 sent it (JSON text). */
  body: string;
  /** When it arrived and landed (both, here). */
  landedAt: Date;
}

/** Creates `rawSchema` and every raw event table the bundled models read. */
export async function createRawTables(wh: Warehouse, rawSchema: string): Promise<void> {
  await wh.run(wh.dialect.createSchema(rawSchema));
  for (const name of [...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES]) await wh.run(wh.dialect.createTable(rawEventTable(rawSchema, name)));
}

/** Appends `events` to their raw tables, as landed. */
export async function insertRawEvents(wh: Warehouse, rawSchema: string, events: readonly RawEvent[]): Promise<void> {
  const byTable = new Map<string, RawEvent[]>();
  for (const event of events) {
    const table = event.table ?? (event.family === 'work' ? 'work_events' : FAMILY_TABLES[event.family]);
    byTable.set(table, [...(byTable.get(table) ?? []), event]);
  }
  for (const [table, rows] of byTable) {
    await wh.writeRows(
      rawEventTable(rawSchema, table),
      rows.map((e) => ({
        dedupe_key: e.dedupeKey, family: e.family, event_type: e.eventType, body: e.body, headers: {}, source_ip: '127.0.0.1', verified_by: 'test',
        first_delivery_id: e.dedupeKey, first_received_at: e.landedAt, last_received_at: e.landedAt, delivery_count: 1, landed_at: e.landedAt,
      })),
      { mode: 'append' },
    );
  }
}
