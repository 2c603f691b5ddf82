/**
 * The quarantine: where a spool record goes when the warehouse refuses it on its own, so
 * that it stops blocking every record behind it (issue: one poisoned request once halted
 * all landing for good).
 *
 * A quarantined record is kept twice: its exact spool bytes in a file under
 * `<spool.dir>/quarantine/` (fsync'd before anything else happens), and a row describing it
 * in `<rawSchema>._quarantine`, written in the same transaction that moves the drain
 * checkpoint past it. A crash between the two re-drains the record, which fails again and
 * lands in the same file and row (both are named by its spool position).
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlDialect } from '../sql/dialect.js';
import type { Queryable, Warehouse } from '../sql/warehouse.js';
import { quarantineTable } from './raw-tables.js';
import { decodeRecord, type SpoolRecord } from './records.js';
import type { SpoolEntry } from './spool/position.js';
import { storableText } from './storable-text.js';

/** The folder inside spool.dir. */
export const QUARANTINE_FOLDER = 'quarantine';

/** A row of `_quarantine`, as `switchboard replay --list` shows it. */
export interface QuarantineSummary {
  quarantine_id: string;
  kind: string;
  family: string;
  target_table: string;
  record_key: string;
  received_at: string;
  error: string;
  file: string;
  bytes: number;
  quarantined_at: string;
  replayed_at: string | null;
  replayed_as: string | null;
}

export class Quarantine {
  constructor(
    private readonly spoolDir: string,
    private readonly spoolId: string,
    private readonly rawSchema: string,
  ) {}

  /** `q-<spool id>-<segment>-<offset>`: the same record always gets the same id. */
  idOf(entry: SpoolEntry): string {
    return `q-${this.spoolId}-${entry.position.segment}-${entry.position.offset}`;
  }

  /**
   * Keeps `entry`'s bytes in a file (durable when this resolves) and returns the row that
   * describes it; the caller writes the row with {@link writeRow} in the transaction that
   * moves the checkpoint past the entry.
   */
  async keep(entry: SpoolEntry, error: unknown): Promise<Record<string, string | number | Date>> {
    const id = this.idOf(entry);
    const file = join(QUARANTINE_FOLDER, `${id}.json`);
    const dir = join(this.spoolDir, QUARANTINE_FOLDER);
    await mkdir(dir, { recursive: true });
    // Write aside, fsync, then rename: a crash never leaves a half-written file under the real name.
    const path = join(this.spoolDir, file);
    const handle = await open(`${path}.tmp`, 'w', 0o600);
    try {
      await handle.writeFile(entry.payload);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${path}.tmp`, path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    const record = safeDecode(entry.payload);
    const message = storableText((error as Error)?.message ?? String(error)).slice(0, 4000);
    return {
      quarantine_id: id,
      kind: record?.k ?? 'unreadable',
      family: storableText(record?.family ?? 'unknown'),
      target_table: record === null ? 'unknown' : record.k === 'event' ? storableText(record.table) : 'rejections',
      record_key: record === null ? id : storableText(record.k === 'event' ? record.dedupeKey : record.rejectionId),
      received_at: new Date(record?.receivedAt ?? Date.now()),
      error: message,
      file,
      bytes: entry.payload.length,
      quarantined_at: new Date(),
    };
  }

  async writeRow(tx: Queryable, dialect: SqlDialect, row: Record<string, string | number | Date>): Promise<void> {
    await tx.writeRows(quarantineTable(this.rawSchema), [row], { onMatch: { error: 'replace', quarantined_at: 'replace' } });
  }

  /** Quarantined records not yet replayed (or all, with `includeReplayed`), oldest first. */
  async list(warehouse: Warehouse, options: { ids?: readonly string[]; includeReplayed?: boolean; limit?: number } = {}): Promise<QuarantineSummary[]> {
    const d = warehouse.dialect;
    const table = quarantineTable(this.rawSchema);
    const where: string[] = [];
    const params: string[] = [];
    if (options.ids !== undefined && options.ids.length > 0) {
      where.push(`quarantine_id IN (${options.ids.map((id) => d.param(params.push(id))).join(', ')})`);
    }
    if (options.includeReplayed !== true) where.push('replayed_at IS NULL');
    const limit = Math.max(1, Math.min(options.limit ?? 100, 10_000));
    return (await warehouse.all(
      `SELECT * FROM ${d.tableName(table.schema, table.name)}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY quarantined_at LIMIT ${limit}`,
      params,
    )) as unknown as QuarantineSummary[];
  }

  /** The record kept for `row`, exactly as it was in the spool. */
  async read(row: Pick<QuarantineSummary, 'file'>): Promise<SpoolRecord> {
    return decodeRecord(await readFile(join(this.spoolDir, row.file)));
  }

  async markReplayed(warehouse: Warehouse, id: string, as: string): Promise<void> {
    const d = warehouse.dialect;
    const table = quarantineTable(this.rawSchema);
    await warehouse.run(
      `UPDATE ${d.tableName(table.schema, table.name)} SET replayed_at = ${d.typedParam(1, 'timestamp')}, replayed_as = ${d.param(2)} WHERE quarantine_id = ${d.param(3)}`,
      [new Date(), as, id],
    );
  }
}

function safeDecode(payload: Buffer): SpoolRecord | null {
  try {
    return decodeRecord(payload);
  } catch {
    return null;
  }
}
