/**
 * The landing's dead letters: webhooks refused at the door (`<raw>.rejections`) and records
 * the warehouse refused on their own (`<raw>._quarantine`). Both replay through
 * ingest/replay.ts, as `switchboard replay` does: a rejection is verified again with the
 * current config as of its arrival, a quarantined record goes to the spool again unchanged;
 * each is marked replayed once it is accepted, and lands once (its dedupe key merges any
 * second copy).
 */
import type { Quarantine, QuarantineSummary } from '../../ingest/quarantine.js';
import { quarantineTable, rejectionsTable } from '../../ingest/raw-tables.js';
import type { Replayer } from '../../ingest/replay.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { ageSeconds, codeOf, iso, reasonMatches, type DeadLetter, type DeadLetterDetail, type DeadLetterFilter, type ReplayOptions, type DeadLetterOutcome } from './dead-letter.js';
import { redactedSample } from './sample.js';
import { Where } from './where.js';

export interface LandingLettersOptions {
  warehouse: Warehouse;
  rawSchema: string;
  /** Null where no landing runs (the CLI without serve): then nothing here can be replayed. */
  replayer: Replayer | null;
  /** For the kept record of a quarantined one (its file in spool.dir). */
  quarantine: Quarantine | null;
}

/** What a replay outside serve says: landing goes through serve's spool. */
const NEEDS_SERVE =
  'Landing rejections and quarantined records replay only inside switchboard serve (they go through its spool and drainer): start serve, then run the same command again.';

export class LandingLetters {
  constructor(private readonly options: LandingLettersOptions) {}

  /** Landing rejections not replayed yet, newest first. `ids` are rejection ids (without the prefix). */
  async rejections(filter: DeadLetterFilter, ids: readonly string[] | undefined, limit: number, now: Date): Promise<DeadLetter[]> {
    const { warehouse } = this.options;
    const d = warehouse.dialect;
    const table = rejectionsTable(this.options.rawSchema);
    const where = new Where(d)
      .raw('replayed_at IS NULL')
      .oneOf('rejection_id', ids)
      .equals('family', filter.pipeline)
      .equals('error_code', filter.code)
      .contains('reason', filter.reason)
      .between('received_at', filter.since, filter.until);
    const rows = await warehouse.all(
      `SELECT rejection_id, family, received_at, error_code, reason, occurrences FROM ${d.tableName(table.schema, table.name)}${where} ORDER BY received_at DESC LIMIT ${limit}`,
      where.params,
    );
    return rows
      .filter((r) => reasonMatches(String(r.reason), filter.reason))
      .map((r) => {
        const at = iso(r.received_at);
        return {
          id: `rejection:${String(r.rejection_id)}`,
          source: 'landing' as const,
          pipeline: String(r.family),
          reason: String(r.reason),
          code: String(r.error_code),
          count: r.occurrences === null ? 1 : Number(r.occurrences),
          firstAt: at,
          lastAt: at,
          ageSeconds: ageSeconds(at, now),
        };
      });
  }

  /** Quarantined records not replayed yet, newest first. They have no code: a code filter leaves them all out. */
  async quarantined(filter: DeadLetterFilter, ids: readonly string[] | undefined, limit: number, now: Date): Promise<DeadLetter[]> {
    if (filter.code !== undefined) return [];
    const rows = await this.quarantineRows(filter, ids, limit);
    return rows.filter((r) => reasonMatches(String(r.error), filter.reason)).map((r) => quarantineEntry(r, now));
  }

  async rejectionDetail(rejectionId: string, now: Date): Promise<DeadLetterDetail | null> {
    const { warehouse } = this.options;
    const d = warehouse.dialect;
    const table = rejectionsTable(this.options.rawSchema);
    const [row] = await warehouse.all(`SELECT * FROM ${d.tableName(table.schema, table.name)} WHERE rejection_id = ${d.param(1)} AND replayed_at IS NULL`, [rejectionId]);
    if (row === undefined) return null;
    const [entry] = await this.rejections({}, [rejectionId], 1, now);
    if (entry === undefined) return null;
    const kept = row.body !== null && row.body_truncated !== true;
    const body = typeof row.body === 'string' && row.body.startsWith('base64:') ? '(binary body, kept as base64)' : (row.body as string | null);
    return {
      entry,
      detail: {
        family: row.family,
        route: row.route,
        receivedAt: iso(row.received_at),
        sourceIp: row.source_ip,
        statusCode: Number(row.status_code),
        verified: row.verified,
        // Stored with credentials already redacted (ingest/records.ts).
        headers: parseJson(row.headers),
        bodyBytes: Number(row.body_bytes),
        bodyTruncated: row.body_truncated,
        bodySha256: row.body_sha256 ?? null,
        bodySample: redactedSample(body),
        replayable: kept,
        ...(kept ? {} : { note: 'The body was not kept (never read, over the kept size, or a summary row), so it cannot be replayed; 8x8 must send it again.' }),
      },
    };
  }

  async quarantineDetail(quarantineId: string, now: Date): Promise<DeadLetterDetail | null> {
    const [row] = await this.quarantineRows({}, [quarantineId], 1);
    if (row === undefined) return null;
    const detail: Record<string, unknown> = {
      kind: row.kind,
      family: row.family,
      targetTable: row.target_table,
      recordKey: row.record_key,
      receivedAt: iso(row.received_at),
      quarantinedAt: iso(row.quarantined_at),
      file: row.file,
      bytes: Number(row.bytes),
      error: row.error,
    };
    try {
      const record = await this.options.quarantine?.read(row);
      if (record !== undefined) detail.recordSample = redactedSample(record.k === 'event' ? record.body : JSON.stringify(record));
    } catch (error) {
      detail.recordError = `The kept file cannot be read: ${(error as Error).message}`;
    }
    return { entry: quarantineEntry(row, now), detail };
  }

  /** Replays rejections (`rejection:` entries) and quarantined records (`quarantine:` entries), one at a time. */
  async replay(entries: readonly DeadLetter[], options: ReplayOptions): Promise<DeadLetterOutcome[]> {
    const outcomes: DeadLetterOutcome[] = [];
    for (const entry of entries) {
      const replayer = this.options.replayer;
      if (replayer === null) {
        outcomes.push({ id: entry.id, status: 'skipped', code: 'SB_DLQ_NEEDS_SERVE', message: NEEDS_SERVE });
        continue;
      }
      const id = entry.id.slice(entry.id.indexOf(':') + 1);
      try {
        const [done] = await replayer.replay({ ids: [id], limit: 1 }, { trust: options.trust === true, dryRun: options.dryRun === true });
        if (done === undefined) {
          outcomes.push({ id: entry.id, status: 'not-found', message: 'Not a dead letter any more: it was replayed meanwhile.' });
        } else if (done.outcome === 'landed') {
          outcomes.push({
            id: entry.id,
            status: options.dryRun === true ? 'would-replay' : 'replayed',
            message: `${options.dryRun === true ? 'would land' : 'accepted into the spool; it lands'} as ${done.dedupeKey ?? '(no key)'}${entry.source === 'quarantine' ? ', unchanged' : ''} (a second copy merges by its dedupe key).`,
          });
        } else {
          outcomes.push({ id: entry.id, status: done.outcome === 'rejected' ? 'failed' : 'skipped', message: done.message ?? '', ...(done.code === undefined ? {} : { code: done.code }) });
        }
      } catch (error) {
        outcomes.push({ id: entry.id, status: 'failed', message: (error as Error).message, ...codeOf(error) });
      }
    }
    return outcomes;
  }

  private async quarantineRows(filter: DeadLetterFilter, ids: readonly string[] | undefined, limit: number): Promise<QuarantineSummary[]> {
    const { warehouse } = this.options;
    const d = warehouse.dialect;
    const table = quarantineTable(this.options.rawSchema);
    const where = new Where(d)
      .raw('replayed_at IS NULL')
      .oneOf('quarantine_id', ids)
      .equals('family', filter.pipeline)
      .contains('error', filter.reason)
      .between('quarantined_at', filter.since, filter.until);
    return (await warehouse.all(`SELECT * FROM ${d.tableName(table.schema, table.name)}${where} ORDER BY quarantined_at DESC LIMIT ${limit}`, where.params)) as unknown as QuarantineSummary[];
  }
}

function quarantineEntry(r: QuarantineSummary, now: Date): DeadLetter {
  const firstAt = iso(r.received_at);
  return {
    id: `quarantine:${r.quarantine_id}`,
    source: 'quarantine',
    pipeline: r.family,
    reason: r.error,
    code: null,
    count: 1,
    firstAt,
    lastAt: iso(r.quarantined_at),
    ageSeconds: ageSeconds(firstAt, now),
  };
}

function parseJson(value: SqlRow[string] | undefined): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
