/**
 * Dead letters: everything that did not go through (landing rejections, the quarantine, sync
 * rejections, failed pull pages), with its reason, count and age; one entry opened in full;
 * and, for the operate role, a Replay button that sends entries through the same
 * verification and idempotency as the first attempt (../dead-letters.ts, POST /dlq/replay).
 * A landing rejection refused for its credentials, which a replay cannot check again, also
 * gets "Replay with trust", behind a box the operator ticks to vouch for it.
 */
import type { PageContext } from '../context.js';
import { mayOperate } from '../context.js';
import { NEEDS_TRUST, trustable, type DeadLetter, type DeadLetterFilter, type ReplayResult } from '../dead-letters.js';
import { badge, count, span, when } from '../format.js';
import { html, query, type Html } from '../html.js';
import { CONSOLE_PREFIX, emptyState, notice, page, section, table } from '../layout.js';

export type Replayed = { results: ReplayResult[]; error: string | null };

export interface DeadLettersView {
  at: Date;
  entries: DeadLetter[];
  filter: DeadLetterFilter;
  /** The outcome of a replay just made. */
  replayed?: Replayed | undefined;
  error: string | null;
}

export function renderDeadLetters(view: DeadLettersView, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, entries } = view;
  const operate = mayOperate(ctx);
  const rows = entries.map((e) => [
    e.source,
    e.pipeline,
    e.code === null ? '-' : html`<code>${e.code}</code>`,
    e.reason,
    count(e.count),
    when(e.lastAt, at),
    e.lastAt === null ? '-' : span((at.getTime() - Date.parse(e.firstAt ?? e.lastAt)) / 1000),
    html`<a href="${entryUrl(e.id)}" aria-label="Open dead letter ${e.id}">Open</a>`,
    operate ? replayButton([e.id], `Replay ${e.id}`, 'Replay') : html`<span class="muted">operate role</span>`,
  ]);
  const body = html`${view.replayed === undefined ? '' : replayNotice(view.replayed, true)}
${view.error === null ? '' : notice('error', view.error)}
${section(
  'entries',
  `Entries (${entries.length})`,
  entries.length === 0
    ? emptyState('Nothing is waiting: every delivery landed, and every sync and pull went through.')
    : table('Dead letters, newest first', ['source', 'pipeline', 'code', 'reason', 'count', 'last', 'age', 'detail', 'replay'], rows, [false, false, false, false, true, false, true, false, false]),
  'Landing rejections, the quarantine, sync rejections and failed pull pages.',
)}
${operate && entries.length > 1 ? section('all', 'Replay everything listed', replayButton(entries.map((e) => e.id), `Replay all ${entries.length} entries listed`, `Replay all ${entries.length}`), 'Each is verified again with the current config; what lands lands once (its dedupe key).') : ''}`;
  return page({ title: 'Dead letters', current: '/dead-letters', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}

/**
 * One dead letter.
 * @param settled true when a replay just made took it out of the dead letters: `found` is how it was before
 */
export function renderDeadLetter(at: Date, found: { entry: DeadLetter; detail: unknown }, ctx: Pick<PageContext, 'principal'>, replayed?: Replayed, settled = false): Html {
  const { entry } = found;
  const body = html`${replayed === undefined ? '' : replayNotice(replayed, false)}
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
${actions(entry, ctx, replayed, settled)}`)}
${section('detail', settled ? 'Detail, as it was' : 'Detail', detailBody(found.detail))}
<p><a href="${CONSOLE_PREFIX}/dead-letters">Back to all dead letters</a></p>`;
  return page({ title: `Dead letter ${entry.id}`, current: '/dead-letters', principal: ctx.principal, body });
}

function actions(entry: DeadLetter, ctx: Pick<PageContext, 'principal'>, replayed: Replayed | undefined, settled: boolean): Html {
  if (settled) return html`<p>${badge('ok', 'no longer waiting')} The replay took it out of the dead letters; what it sent goes through once.</p>`;
  if (!mayOperate(ctx)) return html`<p class="muted">Replaying needs a token with role operate.</p>`;
  const plain = replayButton([entry.id], `Replay ${entry.id}`, 'Replay this entry', true);
  if (!trustable(entry, replayed?.results)) return plain;
  return html`${plain}
<form class="trust" method="post" action="${CONSOLE_PREFIX}/dead-letters/replay">
<input type="hidden" name="id" value="${entry.id}"><input type="hidden" name="back" value="entry">
<p class="muted">A replay checks the request again with the current config, but credentials are never stored (and Contact Center signatures only as a digest), so this refusal cannot be checked again. Once you know where the request came from (its source IP and headers in the detail below), you can vouch for it: it then lands as verified by <code>replay:operator</code>.</p>
<p><label><input type="checkbox" name="trust" value="vouched" required> I checked where this request came from: land it without checking its credentials</label></p>
<button type="submit" aria-label="Replay ${entry.id} with trust">Replay with trust</button></form>`;
}

/** The sample fields of GET /dlq/:id's detail (a redacted body, a quarantined record), shown apart and indented when they are whole JSON. */
const SAMPLES = ['bodySample', 'recordSample'] as const;

function detailBody(detail: unknown): Html {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return html`<pre>${JSON.stringify(detail, null, 2)}</pre>`;
  const rest: Record<string, unknown> = { ...(detail as Record<string, unknown>) };
  const samples: Html[] = [];
  for (const name of SAMPLES) {
    const sample = rest[name];
    if (typeof sample !== 'string') continue;
    const parsed = parseJson(sample); // a sample cut to its first 1,000 characters is not whole JSON: shown as it is
    if (parsed === undefined) continue;
    delete rest[name];
    samples.push(html`<h3>${name === 'bodySample' ? 'Body sample' : 'Record sample'} <span class="muted">(redacted)</span></h3><pre>${JSON.stringify(parsed, null, 2)}</pre>`);
  }
  return html`<pre>${JSON.stringify(rest, null, 2)}</pre>${samples}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function entryUrl(id: string): string {
  return `${CONSOLE_PREFIX}/dead-letters/entry${query({ id })}`;
}

function replayButton(ids: readonly string[], label: string, text: string, stay = false): Html {
  return html`<form class="inline" method="post" action="${CONSOLE_PREFIX}/dead-letters/replay">
${ids.map((id) => html`<input type="hidden" name="id" value="${id}">`)}
${stay ? html`<input type="hidden" name="back" value="entry">` : ''}
<button type="submit" aria-label="${label}">${text}</button></form>`;
}

/** @param linkTrust link each entry that needs trust to its page, where the trust form is */
function replayNotice(replayed: Replayed, linkTrust: boolean): Html {
  if (replayed.error !== null) return notice('error', html`Replay refused: ${replayed.error}`);
  if (replayed.results.length === 0) return notice('info', 'Nothing was replayed: the entries were gone (replayed already?).');
  const items = replayed.results.map((r) => {
    const message = [r.code, r.message].filter((s) => s !== null && s !== '').join(': ');
    const trust = linkTrust && r.status === 'failed' && r.code !== null && NEEDS_TRUST.has(r.code) ? html` <a href="${entryUrl(r.id)}">Open it to replay with trust</a>.` : '';
    return html`<li><code>${r.id}</code>: <strong>${r.status}</strong>${message === '' ? '' : html` (${message})`}${trust}</li>`;
  });
  const failed = replayed.results.some((r) => r.status === 'failed' || r.status === 'skipped');
  return notice(failed ? 'error' : 'info', html`<p>Replayed ${replayed.results.length}:</p><ul class="outcomes">${items}</ul>`);
}
