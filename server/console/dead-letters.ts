/**
 * Dead letters for the console, through the operator API's /dlq routes (../admin/dlq-routes.ts,
 * ../dlq/): every source (landing rejections, the quarantine, sync rejections, failed pull
 * pages) in one entry shape; one entry in full; and replays, as the signed-in token, so the
 * guard checks its role and audits the call.
 */
import type { PageContext } from './context.js';
import { pick, pickNumber, rowsOf, type Row } from './rows.js';

/** One entry of GET /dlq (../dlq/dead-letter.ts). */
export interface DeadLetter {
  /** Source-prefixed, e.g. `rejection:r_1a2b`, `sync:calls_to_salesforce:42`. */
  id: string;
  /** landing | quarantine | sync | pull */
  source: string;
  /** The family, sync or pull source. */
  pipeline: string;
  reason: string;
  code: string | null;
  count: number;
  firstAt: string | null;
  lastAt: string | null;
}

/** What POST /dlq/replay did with one entry. */
export interface ReplayResult {
  id: string;
  /** replayed, would-replay, resolved, failed, skipped or not-found. */
  status: string;
  /** The code when there is one, e.g. `SB_INGEST_AUTH_INVALID`. */
  code: string | null;
  message: string | null;
}

export interface DeadLetterFilter {
  source?: string | undefined;
  pipeline?: string | undefined;
}

/**
 * Refusals a replay cannot re-check: credentials are never stored, and Contact Center's
 * signature only as a digest (ingest/replay.ts), so such a landing rejection lands only when
 * the operator vouches for it (`trust`). The rejection's own code says so (a wrong or missing
 * header), or the code a replay answered (a digest it cannot verify).
 */
export const NEEDS_TRUST: ReadonlySet<string> = new Set(['SB_INGEST_AUTH_INVALID', 'SB_INGEST_AUTH_MISSING']);

/** Whether `entry` may be offered a replay with trust: a landing rejection refused for its credentials (by itself, or by `replayed` just now). */
export function trustable(entry: DeadLetter, replayed?: readonly ReplayResult[]): boolean {
  if (entry.source !== 'landing') return false;
  if (entry.code !== null && NEEDS_TRUST.has(entry.code)) return true;
  return (replayed ?? []).some((r) => r.id === entry.id && r.status === 'failed' && r.code !== null && NEEDS_TRUST.has(r.code));
}

export async function listDeadLetters(ctx: PageContext, filter: DeadLetterFilter, limit = 200): Promise<{ entries: DeadLetter[]; error: string | null }> {
  const search = new URLSearchParams({ limit: String(limit) });
  if (filter.source !== undefined) search.set('source', filter.source);
  if (filter.pipeline !== undefined) search.set('pipeline', filter.pipeline);
  const answer = await ctx.api.get(`/dlq?${search.toString()}`);
  if (answer.error !== null) return { entries: [], error: `${answer.error.code}: ${answer.error.message}` };
  return { entries: rowsOf(answer.body, 'entries').map(entryOf), error: null };
}

/** One entry with what its source keeps (GET /dlq/:id); null when there is none (replayed, resolved, or a mistyped id). */
export async function deadLetter(ctx: PageContext, id: string): Promise<{ entry: DeadLetter; detail: unknown } | null> {
  const answer = await ctx.api.get<{ entry?: Row; detail?: unknown }>(`/dlq/${encodeURIComponent(id)}`);
  if (answer.status >= 400 || answer.body?.entry === undefined) return null;
  return { entry: entryOf(answer.body.entry), detail: answer.body.detail ?? null };
}

/**
 * Replays `ids` through POST /dlq/replay.
 * @param trust the operator vouches for landing rejections whose credentials cannot be re-checked
 */
export async function replay(ctx: PageContext, ids: readonly string[], trust = false): Promise<{ results: ReplayResult[]; error: string | null }> {
  const answer = await ctx.api.post('/dlq/replay', trust ? { ids, trust: true } : { ids });
  if (answer.error !== null) return { results: [], error: `${answer.error.code}: ${answer.error.message}` };
  const results = rowsOf(answer.body, 'outcomes').map((o) => ({
    id: pick(o, 'id') ?? '?',
    status: pick(o, 'status') ?? '?',
    code: pick(o, 'code'),
    message: pick(o, 'message'),
  }));
  return { results, error: null };
}

function entryOf(row: Row): DeadLetter {
  return {
    id: pick(row, 'id') ?? '',
    source: pick(row, 'source') ?? '',
    pipeline: pick(row, 'pipeline') ?? '',
    reason: pick(row, 'reason') ?? '',
    code: pick(row, 'code'),
    count: pickNumber(row, 'count'),
    firstAt: pick(row, 'first_at'),
    lastAt: pick(row, 'last_at'),
  };
}
