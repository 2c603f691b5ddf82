/**
 * Schema drift: the paths that appeared, stopped appearing, changed type or look renamed, per
 * family and event type, and the fields destinations no longer take, from GET /drift (newest
 * first). When the drift job does not run (drift.enabled: false, drift.schedule: off) the
 * page says so above what was recorded before.
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
  rows: Row[];
  /** Why no drift is learned (the config key), or null. */
  off: string | null;
  error: string | null;
}

export async function driftData(ctx: PageContext): Promise<DriftData> {
  const since = new Date(ctx.at.getTime() - DRIFT_DAYS * 86_400_000).toISOString();
  const answer = await ctx.api.get(`/drift?since=${encodeURIComponent(since)}`);
  return { at: ctx.at, rows: rowsOf(answer.body, 'drift'), off: ctx.settings.driftOff, error: answer.error === null ? null : `${answer.error.code}: ${answer.error.message}` };
}

const KIND_HEALTH: Readonly<Record<string, 'warn' | 'bad' | 'idle'>> = { path_added: 'warn', path_missing: 'bad', type_changed: 'bad', possible_rename: 'warn', destination_field: 'bad' };

export function renderDrift(data: DriftData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, rows } = data;
  const off = data.off === null ? '' : notice('info', `Schema drift is not learned (${data.off}): nothing new is recorded. What was recorded before is listed below.`);
  const found =
    rows.length === 0
      ? emptyState(`No drift in the last ${DRIFT_DAYS} days: every payload keeps the paths and types learned.`)
      : section(
          'drift',
          `Drift in the last ${DRIFT_DAYS} days (${rows.length})`,
          table(
            'Schema drift, newest first',
            ['kind', 'family', 'event type', 'path', 'type', 'first seen', 'last seen', 'count', 'sample'],
            rows.map((r) => {
              const kind = pick(r, 'kind') ?? '?';
              const oldType = pick(r, 'old_type');
              const newType = pick(r, 'new_type');
              return [
                badge(KIND_HEALTH[kind] ?? 'idle', kind.replace(/_/g, ' ')),
                pick(r, 'family') ?? '-',
                pick(r, 'event_type') ?? '-',
                pathCell(r),
                oldType === null && newType === null ? '-' : html`<span class="whole">${oldType ?? '∅'} → ${newType ?? '∅'}</span>`,
                when(pick(r, 'first_seen_at'), at),
                when(pick(r, 'last_seen_at'), at),
                count(pickNumber(r, 'count')),
                pick(r, 'sample') === null ? '-' : html`<code class="whole">${pick(r, 'sample')}</code>`,
              ];
            }),
            [false, false, false, false, false, false, false, true, false],
          ),
          'Samples are redacted by the PII policy.',
        );
  const body = html`${off}${data.error === null ? '' : notice('error', data.error)}${found}`;
  return page({ title: 'Schema drift', current: '/drift', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}

/** The path, with what it was renamed from (possible_rename) and the sync whose destination refused it (destination_field) under it when there are. */
function pathCell(r: Row): Html {
  const renamedFrom = pick(r, 'renamed_from');
  const destination = pick(r, 'destination');
  return html`<code class="whole">${pick(r, 'path') ?? ''}</code>${renamedFrom === null ? '' : html`<br><span class="muted">renamed from <code class="whole">${renamedFrom}</code></span>`}${destination === null ? '' : html`<br><span class="muted">refused by sync ${destination}</span>`}`;
}
