/**
 * Syncs: per sync its destination, schedule, last run (what it planned, sent, refused and
 * still retries), the records its destination refused by code, and a dry-run preview (role
 * operate): the changes the next run would send, planned through POST /sync with dryRun, so
 * nothing is sent.
 */
import type { SyncStatus } from '../../status-report.js';
import { readLatestBacklog } from '../reads/signals.js';
import type { PageContext } from '../context.js';
import { mayOperate } from '../context.js';
import { badge, count, when } from '../format.js';
import { html, type Html } from '../html.js';
import { CONSOLE_PREFIX, emptyState, notice, page, section, table } from '../layout.js';

/** A dry run's answer, as much of it as the page shows. */
export interface SyncPreview {
  sync: string;
  error: string | null;
  /** Planned changes by action, e.g. `{ create: 2, update: 1 }`. */
  planned: Record<string, number>;
  samples: Array<{ action: string; key: string; fields: unknown }>;
}

export interface SyncsData {
  at: Date;
  syncs: SyncStatus[];
  /** From the backlog signal, when this build has it: changes waiting across all syncs. */
  pending: number | null;
  preview?: SyncPreview | undefined;
}

export async function syncsData(ctx: PageContext): Promise<SyncsData> {
  const [report, backlog] = await Promise.all([ctx.status(), readLatestBacklog(ctx.warehouse, ctx.settings.modelsSchema, ctx.at, true)]);
  return { at: ctx.at, syncs: report.syncs, pending: backlog?.syncPending ?? null };
}

/** Runs a dry run of `name` in-process (POST /sync { names, dryRun: true }) and reads its result line. */
export async function previewSync(ctx: PageContext, name: string): Promise<SyncPreview> {
  const answer = await ctx.api.postStream('/sync', { names: [name], dryRun: true });
  if (answer.error !== null) return { sync: name, error: `${answer.error.code}: ${answer.error.message}`, planned: {}, samples: [] };
  for (const line of answer.lines) {
    const value = line as { sync?: string; result?: { planned?: Record<string, number>; samples?: SyncPreview['samples']; error?: { code: string; message: string } | null }; error?: { code: string; message: string } };
    if (value.error !== undefined) return { sync: name, error: `${value.error.code}: ${value.error.message}`, planned: {}, samples: [] };
    if (value.result !== undefined) {
      const failed = value.result.error ?? null;
      return { sync: name, error: failed === null ? null : `${failed.code}: ${failed.message}`, planned: value.result.planned ?? {}, samples: value.result.samples ?? [] };
    }
  }
  return { sync: name, error: 'The dry run ended without a result.', planned: {}, samples: [] };
}

export function renderSyncs(data: SyncsData, ctx: Pick<PageContext, 'principal'>): Html {
  const { at, syncs } = data;
  if (syncs.length === 0) {
    return page({ title: 'Syncs', current: '/syncs', principal: ctx.principal, body: emptyState('No sync is configured (config key syncs).') });
  }
  const operate = mayOperate(ctx);
  const rows = syncs.map((s) => {
    const run = s.lastRun;
    const state = s.running ? badge('warn', 'running') : run === null ? badge('idle', 'never ran') : run.status === 'success' ? badge('ok', 'success') : run.status === 'partial' ? badge('warn', 'partial') : badge('bad', 'failed');
    return [
      html`<strong>${s.sync}</strong>`,
      s.destination,
      html`<code>${s.schedule}</code>`,
      state,
      run === null ? '-' : when(run.finishedAt, at),
      run === null ? '-' : `${count(run.planned)} / ${count(run.sent)} / ${count(run.rejected)} / ${count(run.retrying)} / ${count(run.skipped)}`,
      run?.error === null || run === null ? '-' : html`<code>${run.error.code}</code> ${run.error.message}`,
      operate ? previewButton(s.sync) : html`<span class="muted">operate role</span>`,
    ];
  });
  const refused = syncs.flatMap((s) => s.refused.map((r) => [s.sync, r.code === null ? '-' : html`<code>${r.code}</code>`, count(r.records), r.reason ?? '-']));
  const body = html`${data.preview === undefined ? '' : previewSection(data.preview)}
${section('syncs', 'Syncs', table('Each sync and its last run that sent', ['sync', 'destination', 'schedule', 'last run', 'finished', 'planned / sent / rejected / retrying / skipped', 'error', 'preview'], rows), html`Pending changes: ${data.pending === null ? 'run a preview to see what the next run would send' : `${count(data.pending)} across all syncs (backlog signal)`}.`)}
${section('refused', 'Refused records waiting', refused.length === 0 ? emptyState('No record is waiting after a refusal.') : table('Records the destinations refused, by code', ['sync', 'code', 'records', 'one reason'], refused, [false, false, true, false]), html`They are sent again when their row changes, or with <code>switchboard sync --replay-rejected</code>; all dead letters are on <a href="${CONSOLE_PREFIX}/dead-letters">Dead letters</a>.`)}`;
  return page({ title: 'Syncs', current: '/syncs', principal: ctx.principal, body, lead: html`Read ${when(at.toISOString(), at)}.` });
}

function previewButton(sync: string): Html {
  return html`<form class="inline" method="post" action="${CONSOLE_PREFIX}/syncs/preview"><input type="hidden" name="sync" value="${sync}"><button type="submit" class="secondary" aria-label="Preview the next run of ${sync} (dry run)">Preview</button></form>`;
}

function previewSection(preview: SyncPreview): Html {
  if (preview.error !== null) return notice('error', html`Dry run of ${preview.sync} failed: ${preview.error}`);
  const planned = Object.entries(preview.planned);
  const total = planned.reduce((sum, [, n]) => sum + n, 0);
  const samples = preview.samples.map((s) => [s.action, html`<code>${s.key}</code>`, html`<code>${JSON.stringify(s.fields)}</code>`]);
  return section(
    'preview',
    `Dry run of ${preview.sync}: ${count(total)} change(s) pending`,
    html`${planned.length === 0 ? '' : html`<p>${planned.map(([action, n]) => `${action} ${n}`).join(', ')}</p>`}
${samples.length === 0 ? emptyState('Nothing would be sent: the destination is up to date.') : table('A few changes per action, as they would be sent', ['action', 'key', 'fields'], samples)}`,
    'Planned only: nothing was sent, and the sync state did not move.',
  );
}
