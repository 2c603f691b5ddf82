/**
 * Schema drift: the paths that appeared, stopped appearing, changed type or look renamed, per
 * family and event type, and the fields destinations no longer take, from GET /drift (newest
 * first). A build without drift learning says so.
 */
import type { PageContext } from '../context.js';
import { badge, count, when } from '../format.js';
import { html, type Html } from '../html.js';
import { emptyState, notice, page, section, table } from '../layout.js';
import { pick, pickNumber, rowsOf, type Row } from '../rows.js';

/** How far back the page asks for drift. */
export const DRIFT_DAYS = 30;

export interface DriftData {
  at: Date;
  /** Null when this build has no GET /drift. */
  rows: Row[] | null;
  error: string | null;
}

export async function driftData(ctx: PageContext): Promise<DriftData> {
  if (!ctx.api.has('GET', '/drift')) return { at: ctx.at, rows: null, error: null };
  const since = new Date(ctx.at.getTime() - DRIFT_DAYS * 86_400_000).toISOString();
  const answer = await ctx.api.get(`/drift?since=${encodeURIComponent(since)}`);
  return { at: ctx.at, rows: rowsOf(answer.body, 'drift'), error: answer.error === null ? null : `${answer.error.code}: ${answer.error.message}` };
}

const KIND_HEALTH: Readonly<Record<string, 'warn' | 'bad' | 'idle'>> = { path_added: 'warn', path_missing: 'bad', type_changed: 'bad', possible_rename: 'warn', destination_field: 'bad' };

export function renderDrift(data: DriftData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, rows } = data;
  if (rows === null) {
    return page({ title: 'Schema drift', current: '/drift', principal: ctx.principal, body: emptyState('Schema drift is not available in this build (the operator API has no GET /drift).') });
  }
  const body =
    rows.length === 0
      ? html`${data.error === null ? '' : notice('error', data.error)}${emptyState(`No drift in the last ${DRIFT_DAYS} days: every payload keeps the paths and types learned.`)}`
      : section(
          'drift',
          `Drift in the last ${DRIFT_DAYS} days (${rows.length})`,
          table(
            'Schema drift, newest first',
            ['kind', 'family', 'event type', 'path', 'type', 'renamed from', 'destination', 'first seen', 'last seen', 'count', 'sample'],
            rows.map((r) => {
              const kind = pick(r, 'kind') ?? '?';
              const oldType = pick(r, 'old_type');
              const newType = pick(r, 'new_type');
              return [
                badge(KIND_HEALTH[kind] ?? 'idle', kind.replace(/_/g, ' ')),
                pick(r, 'family') ?? '-',
                pick(r, 'event_type') ?? '-',
                html`<code>${pick(r, 'path') ?? ''}</code>`,
                oldType === null && newType === null ? '-' : `${oldType ?? '∅'} → ${newType ?? '∅'}`,
                pick(r, 'renamed_from') === null ? '-' : html`<code>${pick(r, 'renamed_from')}</code>`,
                pick(r, 'destination') ?? '-',
                when(pick(r, 'first_seen_at'), at),
                when(pick(r, 'last_seen_at'), at),
                count(pickNumber(r, 'count')),
                pick(r, 'sample') === null ? '-' : html`<code>${pick(r, 'sample')}</code>`,
              ];
            }),
            [false, false, false, false, false, false, false, false, false, true, false],
          ),
          'Samples are redacted by the PII policy.',
        );
  return page({ title: 'Schema drift', current: '/drift', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}
