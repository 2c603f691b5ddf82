/**
 * Replaying rejections: an operator fixes the cause (a rotated secret, a missing JWK URL, a
 * clock) and sends recorded rejections through the landing pipeline again.
 *
 * A replay re-verifies the stored body and headers with the *current* config, as of the
 * original arrival time (so a JaaS signature is judged against when it arrived, not now).
 * Credentials are never stored, so a rejection from a header-authenticated family can only
 * land with `trust`: the operator vouches for it, and `verified_by` says so. The same holds
 * for Contact Center: its signature is stored only as a digest (a stored usable one could
 * be paired with a forged body of the same CRC32), so it cannot be re-verified.
 */
import type { Warehouse } from '../sql/warehouse.js';
import { IngestError } from './errors.js';
import type { Delivery } from './families/family.js';
import type { FamilyRoute } from './landing-route.js';
import type { Landing } from './landing.js';
import { rejectionsTable } from './raw-tables.js';
import { parseEvent } from './parse-event.js';
import type { Quarantine, QuarantineSummary } from './quarantine.js';
import { headerPolicy, storableHeaders, type HeaderPolicy } from './records.js';

export interface RejectionFilter {
  /** Specific rejection ids; when given, the other filters narrow them further. */
  ids?: readonly string[] | undefined;
  family?: string | undefined;
  code?: string | undefined;
  /** ISO time: only rejections received at or after it. */
  since?: string | undefined;
  /** Include rejections that were already replayed successfully (default false). */
  includeReplayed?: boolean | undefined;
  limit?: number | undefined;
}

export interface RejectionSummary {
  rejection_id: string;
  family: string;
  received_at: string;
  source_ip: string;
  status_code: number;
  error_code: string;
  reason: string;
  verified: boolean;
  body_bytes: number;
  replayed_at: string | null;
  replayed_as: string | null;
}

export interface ReplayOutcome {
  rejectionId: string;
  /**
   * landed: now in the raw table; rejected: refused again (see code); skipped: cannot be
   * replayed (the body was not kept, or the event itself never lands, e.g. a voice
   * CALL_ACTION: code says which).
   */
  outcome: 'landed' | 'rejected' | 'skipped';
  code?: string;
  message?: string;
  dedupeKey?: string;
}

interface RejectionRow extends RejectionSummary {
  headers: string;
  body: string | null;
  body_truncated: boolean;
}

export class Replayer {
  private readonly policy: HeaderPolicy;

  constructor(
    private readonly routes: readonly FamilyRoute[],
    private readonly landing: Landing,
    private readonly warehouse: Warehouse,
    private readonly rawSchema: string,
    private readonly quarantine?: Quarantine,
  ) {
    this.policy = headerPolicy(routes.map((r) => r.family));
  }

  async list(filter: RejectionFilter): Promise<RejectionSummary[]> {
    const rows = await this.select(filter);
    return rows.map(({ headers: _h, body: _b, body_truncated: _t, ...summary }) => summary);
  }

  /** Records the warehouse refused on their own (see ingest/quarantine.ts), for `replay --list`. */
  async listQuarantined(filter: Pick<RejectionFilter, 'ids' | 'includeReplayed' | 'limit'>): Promise<QuarantineSummary[]> {
    if (this.quarantine === undefined) return [];
    const ids = filter.ids?.filter(isQuarantineId);
    if (filter.ids !== undefined && filter.ids.length > 0 && ids?.length === 0) return [];
    return this.quarantine.list(this.warehouse, { ids, includeReplayed: filter.includeReplayed, limit: filter.limit });
  }

  /**
   * Replays what `filter` selects. With `dryRun`, verifies and classifies but lands nothing.
   * Quarantine ids (`q-…`) send the kept record to the spool again, unchanged: it lands once
   * whatever the warehouse refused is fixed (or is quarantined again, under the same id).
   */
  async replay(filter: RejectionFilter, options: { trust?: boolean; dryRun?: boolean } = {}): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    const quarantined = (filter.ids ?? []).filter(isQuarantineId);
    if (quarantined.length > 0 && this.quarantine !== undefined) {
      for (const row of await this.quarantine.list(this.warehouse, { ids: quarantined, includeReplayed: filter.includeReplayed })) {
        const record = await this.quarantine.read(row);
        if (options.dryRun !== true) {
          if (record.k === 'event') await this.landing.accept(record);
          else this.landing.record(record);
          await this.quarantine.markReplayed(this.warehouse, row.quarantine_id, row.record_key);
        }
        outcomes.push({ rejectionId: row.quarantine_id, outcome: 'landed', dedupeKey: row.record_key });
      }
      if (quarantined.length === filter.ids?.length) return outcomes;
      filter = { ...filter, ids: filter.ids?.filter((id) => !isQuarantineId(id)) };
    }
    for (const row of await this.select(filter)) {
      const outcome = await this.replayOne(row, options);
      if (outcome.outcome === 'landed' && options.dryRun !== true) await this.markReplayed(row.rejection_id, outcome.dedupeKey ?? '');
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async replayOne(row: RejectionRow, options: { trust?: boolean; dryRun?: boolean }): Promise<ReplayOutcome> {
    const id = row.rejection_id;
    const route = this.routes.find((r) => r.family.name === row.family);
    if (route === undefined) return { rejectionId: id, outcome: 'skipped', message: `No enabled family "${row.family}" to replay into.` };
    if (row.body === null || row.body_truncated) {
      return {
        rejectionId: id,
        outcome: 'skipped',
        message: 'The body was not kept (never read, or over the kept size), so it cannot be replayed; 8x8 must send it again.',
      };
    }
    const body = row.body.startsWith('base64:') ? Buffer.from(row.body.slice(7), 'base64') : Buffer.from(row.body, 'utf8');
    const delivery: Delivery = {
      body,
      headers: JSON.parse(row.headers) as Record<string, string>,
      ip: row.source_ip,
      receivedAt: new Date(row.received_at),
    };
    const { family } = route;
    let parsed: { text: string; eventType: string; dedupeKey: string };
    try {
      // The event first: one that can never land (a voice CALL_ACTION, a body that is not an
      // event) is refused by what it is, and no config, secret or --trust changes that.
      const { text, event } = parseEvent(body, { xml: family.xmlBodies });
      parsed = { text, ...family.classify(event, delivery) };
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      return {
        rejectionId: id,
        outcome: 'skipped',
        code: error.code,
        message: `${error.message} A replay cannot land it either: the event itself is refused, whatever the config or --trust (it stays in raw.rejections for the record).`,
      };
    }
    try {
      const digested = family.digestedHeaders.filter((h) => /^sha256:/.test(String(delivery.headers[h] ?? '')));
      if (options.trust !== true && digested.length > 0) {
        throw new IngestError(
          'SB_INGEST_AUTH_MISSING',
          `Only a digest of ${digested.join(', ')} was stored, so ${family.name} rejections cannot be re-verified.`,
        );
      }
      const verifiedBy = options.trust === true ? 'operator' : await family.verify(delivery);
      const { text, eventType, dedupeKey } = parsed;
      if (options.dryRun !== true) {
        await this.landing.accept({
          k: 'event',
          deliveryId: `replay:${id}`,
          family: family.name,
          table: family.table,
          eventType,
          dedupeKey,
          body: text,
          headers: storableHeaders(delivery.headers, this.policy, family.keptHeaders),
          receivedAt: delivery.receivedAt.getTime(),
          ip: delivery.ip,
          verifiedBy: `replay:${verifiedBy}`,
        });
      }
      return { rejectionId: id, outcome: 'landed', dedupeKey };
    } catch (error) {
      if (!(error instanceof IngestError)) throw error;
      const credentialsRedacted = error.code === 'SB_INGEST_AUTH_INVALID' || error.code === 'SB_INGEST_AUTH_MISSING';
      return {
        rejectionId: id,
        outcome: 'rejected',
        code: error.code,
        message: credentialsRedacted
          ? `${error.message} (Credentials and Contact Center signatures are never stored usably, so this family's rejections replay only with --trust, once you have checked where the request came from.)`
          : error.message,
      };
    }
  }

  private async select(filter: RejectionFilter): Promise<RejectionRow[]> {
    const d = this.warehouse.dialect;
    const table = rejectionsTable(this.rawSchema);
    const where: string[] = [];
    const params: string[] = [];
    const bind = (value: string): string => {
      params.push(value);
      return d.param(params.length);
    };
    if (filter.ids !== undefined && filter.ids.length > 0) where.push(`rejection_id IN (${filter.ids.map(bind).join(', ')})`);
    if (filter.family !== undefined) where.push(`family = ${bind(filter.family)}`);
    if (filter.code !== undefined) where.push(`error_code = ${bind(filter.code)}`);
    if (filter.since !== undefined) where.push(`received_at >= ${d.typedParam(params.push(new Date(filter.since).toISOString()), 'timestamp')}`);
    if (filter.includeReplayed !== true) where.push('replayed_at IS NULL');
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    return this.warehouse.all<RejectionRow & Record<string, never>>(
      `SELECT * FROM ${d.tableName(table.schema, table.name)}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at LIMIT ${limit}`,
      params,
    ) as unknown as Promise<RejectionRow[]>;
  }

  private async markReplayed(rejectionId: string, dedupeKey: string): Promise<void> {
    const d = this.warehouse.dialect;
    const table = rejectionsTable(this.rawSchema);
    await this.warehouse.run(
      `UPDATE ${d.tableName(table.schema, table.name)} SET replayed_at = ${d.typedParam(1, 'timestamp')}, replayed_as = ${d.param(2)} WHERE rejection_id = ${d.param(3)}`,
      [new Date(), dedupeKey, rejectionId],
    );
  }
}

function isQuarantineId(id: string): boolean {
  return id.startsWith('q-');
}
