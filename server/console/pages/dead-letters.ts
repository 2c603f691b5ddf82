/**
 * Dead letters: everything that did not go through, with its reason, count and age; one entry
 * opened in full; and, for the operate role, a Replay button that sends entries through the
 * same verification and idempotency as the first attempt (../dead-letters.ts).
 */
import type { PageContext } from '../context.js';
import { mayOperate } from '../context.js';
import type { DeadLetter, DeadLetterFilter, ReplayResult } from '../dead-letters.js';
import { badge, count, span, when } from '../format.js';
import { html, query, type Html } from '../html.js';
import { CONSOLE_PREFIX, emptyState, notice, page, section, table } from '../layout.js';

export interface DeadLettersView {
  at: Date;
  /** True when the entries come from GET /dlq (every source). */
  unified: boolean;
  entries: DeadLetter[];
  filter: DeadLetterFilter;
  /** The outcome of a replay just made. */
  replayed?: { results: ReplayResult[]; error: string | null } | undefined;
  error: string | null;
}

export function renderDeadLetters(view: DeadLettersView, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, entries } = view;
  const operate = mayOperate(ctx);
  const scope = view.unified
    ? 'Landing rejections, the quarantine, sync rejections and failed pull pages.'
    : html`Landing rejections and the quarantine (GET /rejections). The unified view of every source (GET /dlq) is not available in this build; sync rejections are on the <a href="${CONSOLE_PREFIX}/syncs">Syncs</a> page.`;
  const rows = entries.map((e) => [
    e.source,
    e.pipeline,
    e.code === null ? '-' : html`<code>${e.code}</code>`,
    e.reason,
    count(e.count),
    when(e.lastAt, at),
    e.lastAt === null ? '-' : span((at.getTime() - Date.parse(e.firstAt ?? e.lastAt)) / 1000),
    html`<a href="${CONSOLE_PREFIX}/dead-letters/entry${query({ id: e.id })}" aria-label="Open dead letter ${e.id}">Open</a>`,
    operate ? replayButton([e.id], `Replay ${e.id}`, 'Replay') : html`<span class="muted">operate role</span>`,
  ]);
  const body = html`${view.replayed === undefined ? '' : replayNotice(view.replayed)}
${view.error === null ? '' : notice('error', view.error)}
${section(
  'entries',
  `Entries (${entries.length})`,
  entries.length === 0
    ? emptyState(view.unified ? 'Nothing is waiting: every delivery landed, and every sync and pull went through.' : 'No landing rejection or quarantined record is waiting.')
    : table('Dead letters, newest first', ['source', 'pipeline', 'code', 'reason', 'count', 'last', 'age', 'detail', 'replay'], rows, [false, false, false, false, true, false, true, false, false]),
  scope,
)}
${operate && entries.length > 1 ? section('all', 'Replay everything listed', replayButton(entries.map((e) => e.id), `Replay all ${entries.length} entries listed`, `Replay all ${entries.length}`), 'Each is verified again with the current config; what lands lands once (its dedupe key).') : ''}`;
  return page({ title: 'Dead letters', current: '/dead-letters', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}

export function renderDeadLetter(at: Date, found: { entry: DeadLetter; detail: unknown }, ctx: Pick<PageContext, 'principal'>, replayed?: DeadLettersView['replayed']): Html {
  const { entry } = found;
  const body = html`${replayed === undefined ? '' : replayNotice(replayed)}
${section('entry', 'Entry', html`<dl class="stats">
  <div><dt>Id</dt><dd class="mono">${entry.id}</dd></div>
  <div><dt>Source</dt><dd>${entry.source}</dd></div>
  <div><dt>Pipeline</dt><dd>${entry.pipeline}</dd></div>
  <div><dt>Code</dt><dd class="mono">${entry.code ?? '-'}</dd></div>
  <div><dt>Count</dt><dd>${count(entry.count)}</dd></div>
  <div><dt>First</dt><dd>${when(entry.firstAt, at)}</dd></div>
  <div><dt>Last</dt><dd>${when(entry.lastAt, at)}</dd></div>
</dl>
<h3>Reason</h3>
<p>${entry.reason}</p>
${
  entry.replayed !== undefined
    ? html`<p>${badge('ok', 'replayed')} ${when(entry.replayed.at, at)}${entry.replayed.as === null ? '' : html` as <code>${entry.replayed.as}</code>`}: it landed, nothing waits.</p>`
    : mayOperate(ctx)
      ? replayButton([entry.id], `Replay ${entry.id}`, 'Replay this entry', true)
      : html`<p class="muted">Replaying needs a token with role operate.</p>`
}`)}
${section('detail', 'Detail', html`<pre>${JSON.stringify(found.detail, null, 2)}</pre>`)}
<p><a href="${CONSOLE_PREFIX}/dead-letters">Back to all dead letters</a></p>`;
  return page({ title: `Dead letter ${entry.id}`, current: '/dead-letters', principal: ctx.principal, body });
}

function replayButton(ids: readonly string[], label: string, text: string, stay = false): Html {
  return html`<form class="inline" method="post" action="${CONSOLE_PREFIX}/dead-letters/replay">
${ids.map((id) => html`<input type="hidden" name="id" value="${id}">`)}
${stay ? html`<input type="hidden" name="back" value="entry">` : ''}
<button type="submit" aria-label="${label}">${text}</button></form>`;
}

function replayNotice(replayed: NonNullable<DeadLettersView['replayed']>): Html {
  if (replayed.error !== null) return notice('error', html`Replay refused: ${replayed.error}`);
  if (replayed.results.length === 0) return notice('info', 'Nothing was replayed: the entries were gone (replayed already?).');
  const items = replayed.results.map((r) => html`<li><code>${r.id}</code>: <strong>${r.status}</strong>${r.message === null ? '' : html` (${r.message})`}</li>`);
  return notice('info', html`<p>Replayed ${replayed.results.length}:</p><ul class="outcomes">${items}</ul>`);
}
