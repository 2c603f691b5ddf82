/**
 * Dead letters for the console, from GET /dlq and POST /dlq/replay when this build has them
 * (every source: landing rejections, the quarantine, sync rejections, failed pull pages), else
 * from what every build has: landing rejections and the quarantine (GET /rejections,
 * POST /rejections/replay). Both are read as one entry shape, the /dlq contract's.
 */
import type { PageContext } from './context.js';
import { pick, pickNumber, rowsOf, type Row } from './rows.js';

export interface DeadLetter {
  /** e.g. `rejection:r_1a2b` (/dlq) or `r_1a2b` (/rejections). */
  id: string;
  source: string;
  pipeline: string;
  reason: string;
  code: string | null;
  count: number;
  firstAt: string | null;
  lastAt: string | null;
  /** When it was replayed and landed (landing rejections and the quarantine keep them, marked); absent when it waits. */
  replayed?: { at: string; as: string | null } | undefined;
}

export interface ReplayResult {
  id: string;
  /** landed, rejected, skipped (/rejections) or the /dlq route's status word. */
  status: string;
  message: string | null;
}

export interface DeadLetterFilter {
  source?: string | undefined;
  pipeline?: string | undefined;
}

/** Whether this build has the unified dead letters (GET /dlq). */
export function unified(ctx: Pick<PageContext, 'api'>): boolean {
  return ctx.api.has('GET', '/dlq');
}

export async function listDeadLetters(ctx: PageContext, filter: DeadLetterFilter, limit = 200): Promise<{ entries: DeadLetter[]; error: string | null }> {
  if (unified(ctx)) {
    const search = new URLSearchParams({ limit: String(limit) });
    if (filter.source !== undefined) search.set('source', filter.source);
    if (filter.pipeline !== undefined) search.set('pipeline', filter.pipeline);
    const answer = await ctx.api.get(`/dlq?${search.toString()}`);
    if (answer.error !== null) return { entries: [], error: `${answer.error.code}: ${answer.error.message}` };
    return { entries: rowsOf(answer.body, 'entries').map(fromDlq), error: null };
  }
  const family = filter.pipeline;
  const [rejections, quarantined] = await Promise.all([
    filter.source === undefined || filter.source === 'landing' ? ctx.replayer.list({ family, limit }) : Promise.resolve([]),
    filter.source === undefined || filter.source === 'quarantine' ? ctx.replayer.listQuarantined({ limit }) : Promise.resolve([]),
  ]);
  const entries: DeadLetter[] = [
    ...rejections.map((r) => ({ id: r.rejection_id, source: 'landing', pipeline: r.family, reason: r.reason, code: r.error_code, count: 1, firstAt: r.received_at, lastAt: r.received_at })),
    ...quarantined
      .filter((q) => family === undefined || q.family === family)
      .map((q) => ({ id: q.quarantine_id, source: 'quarantine', pipeline: q.family, reason: q.error, code: null, count: 1, firstAt: q.received_at, lastAt: q.quarantined_at })),
  ];
  return { entries, error: null };
}

/** One entry with whatever detail the source keeps; null when there is no such entry. */
export async function deadLetter(ctx: PageContext, id: string): Promise<{ entry: DeadLetter; detail: unknown } | null> {
  if (unified(ctx)) {
    const answer = await ctx.api.get<{ entry?: Row; detail?: unknown }>(`/dlq/${encodeURIComponent(id)}`);
    if (answer.status === 404 || answer.body?.entry === undefined) return null;
    return { entry: fromDlq(answer.body.entry), detail: answer.body.detail ?? null };
  }
  const [rejection] = await ctx.replayer.list({ ids: [id], includeReplayed: true, limit: 1 });
  if (rejection !== undefined) {
    const { rejection_id: _id, family: _f, reason: _r, error_code: _c, ...detail } = rejection;
    const replayed = rejection.replayed_at === null ? undefined : { at: rejection.replayed_at, as: rejection.replayed_as };
    return { entry: { id, source: 'landing', pipeline: rejection.family, reason: rejection.reason, code: rejection.error_code, count: 1, firstAt: rejection.received_at, lastAt: rejection.received_at, replayed }, detail };
  }
  const [quarantined] = await ctx.replayer.listQuarantined({ ids: [id], includeReplayed: true, limit: 1 });
  if (quarantined === undefined) return null;
  const { quarantine_id: _q, family: _f, error: _e, ...detail } = quarantined;
  const replayed = quarantined.replayed_at === null ? undefined : { at: quarantined.replayed_at, as: quarantined.replayed_as };
  return { entry: { id, source: 'quarantine', pipeline: quarantined.family, reason: quarantined.error, code: null, count: 1, firstAt: quarantined.received_at, lastAt: quarantined.quarantined_at, replayed }, detail };
}

/** Replays `ids` through the operator API (so the guard checks the role and audits it). */
export async function replay(ctx: PageContext, ids: readonly string[]): Promise<{ results: ReplayResult[]; error: string | null }> {
  const route = unified(ctx) ? '/dlq/replay' : '/rejections/replay';
  const answer = await ctx.api.post(route, { ids });
  if (answer.error !== null) return { results: [], error: `${answer.error.code}: ${answer.error.message}` };
  const results = rowsOf(answer.body, 'outcomes').map((o) => ({
    id: pick(o, 'id') ?? pick(o, 'rejection_id') ?? '?',
    status: pick(o, 'status') ?? pick(o, 'outcome') ?? '?',
    message: [pick(o, 'code'), pick(o, 'message')].filter((s) => s !== null).join(': ') || null,
  }));
  return { results, error: null };
}

function fromDlq(row: Row): DeadLetter {
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
