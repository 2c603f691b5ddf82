/**
 * `switchboard status` as an operator reads it: one short section per concern (landing, spool
 * and drain, the last build, syncs, pulls, jobs), each fact with its time and how long ago.
 * `--json` prints the report exactly as GET /status sent it instead (server/status-report.ts).
 *
 *   Switchboard is ready (node web-1:4026531836:4242:9f3a1c)
 *
 *   Landing          events  last received                       rejections  last rejected
 *     voice               2  2025-03-04 09:15:27Z (2 min ago)             0  -
 *   …
 *   Source freshness       status  last loaded                       thresholds
 *     raw.meetings_events  ERROR   2025-03-01 08:00:00Z (3 days ago)  warn after 1 day, error after 3 days
 *   …
 *   Syncs
 *     alerts_to_slack → slack (schedule "0 * * * *")
 *       last run 2025-03-04 09:10:00Z (7 min ago): FAILED, sent 0, rejected 0, retrying 0
 *       SB_SYNC_SLACK_SECRET_MISSING: SWITCHBOARD_SLACK_BOT_TOKEN is not set …
 */
import type { StatusReport } from '../server/status-report.js';
import { formatBytes } from '../core/format-bytes.js';

/** What GET /status answered (a server of another version may leave parts out), or /readyz's `{ status }` alone. */
export type StatusAnswer = Partial<StatusReport> & { status?: string };

export function renderStatus(report: StatusAnswer, now: Date = new Date()): string {
  const at = (iso: string | null | undefined): string => when(iso, now);
  const sections = [
    headline(report),
    landing(report, at),
    spoolAndDrain(report),
    lastBuild(report, at),
    sourceFreshness(report, at),
    syncs(report, at),
    pulls(report, at),
    jobs(report, at),
    history(report),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

type At = (iso: string | null | undefined) => string;

function headline(r: StatusAnswer): string {
  const state = r.status === 'ready' ? 'ready' : `NOT READY (${r.status ?? 'unknown'})`;
  const config = r.config === undefined ? '' : `\n  config: ${r.config.source ?? 'built-in defaults'} (fingerprint ${r.config.fingerprint.slice(0, 12)})`;
  return `Switchboard is ${state}${r.node === undefined ? '' : ` (node ${r.node})`}${config}`;
}

function landing(r: StatusAnswer, at: At): string {
  if (r.warehouse === undefined) return '';
  const lines: string[] = [];
  if (r.landing === null || r.landing === undefined) {
    lines.push('Landing (per family: not readable now, see below)');
  } else {
    lines.push(
      ...table([
        ['Landing', 'events', 'last received', 'rejections', 'last rejected'],
        ...r.landing.map((f) => [`  ${f.family}`, count(f.events), at(f.lastReceivedAt), count(f.rejections), at(f.lastRejectedAt)]),
      ], [false, true, false, true, false]),
    );
  }
  lines.push(`  since this process started: ${count(r.warehouse.landedEvents)} event(s) and ${count(r.warehouse.landedRejections)} rejection(s) landed`);
  return lines.join('\n');
}

function spoolAndDrain(r: StatusAnswer): string {
  if (r.spool === undefined || r.warehouse === undefined) return '';
  const lines = ['Spool and drain'];
  lines.push(`  backlog    ${bytes(r.spool.backlogBytes)} waiting of ${bytes(r.spool.maxBytes)} (spool.maxBytes); ${r.spool.writable ? 'accepting webhooks' : `NOT ACCEPTING webhooks${r.spool.error === null ? ' (full)' : `: ${r.spool.error}`}`}`);
  lines.push(`  warehouse  ${r.warehouse.reachable ? 'reachable' : `NOT REACHABLE: ${r.warehouse.error ?? 'no answer'} (events wait in the spool)`}`);
  if (r.drain !== undefined) {
    const state = r.drain.stalled ? `STALLED for ${r.drain.stalledForSeconds} s (drain.stallAfterSeconds ${r.drain.stallAfterSeconds})` : r.spool.backlogBytes > 0 ? 'draining' : 'caught up';
    lines.push(`  drain      ${state}; ${count(r.drain.quarantined)} quarantined, ${count(r.drain.conflicts)} conflicting version(s) since start`);
  }
  return lines.join('\n');
}

function lastBuild(r: StatusAnswer, at: At): string {
  if (r.models === undefined) return '';
  const { lastRun, running, schedule } = r.models;
  const lines = [`Last build${running ? ' (one is running now)' : ''}`];
  if (lastRun === null) {
    lines.push(`  none yet (models.schedule ${quoted(schedule)}; run one with switchboard build)`);
  } else {
    const counts = Object.entries(lastRun.counts).map(([status, n]) => `${status} ${count(n)}`).join(', ') || 'no nodes';
    lines.push(`  ${at(lastRun.finishedAt)}: ${lastRun.success ? 'success' : 'FAILED'} (${lastRun.command}: ${counts}; run ${lastRun.runId})`);
  }
  return lines.join('\n');
}

function sourceFreshness(r: StatusAnswer, at: At): string {
  const list = r.sourceFreshness;
  if (list === undefined) return '';
  if (list === null) return 'Source freshness (not readable now, see below)';
  if (list.length === 0) return 'Source freshness\n  not checked yet (switchboard source freshness; serve checks on models.freshnessSchedule)';
  const limit = (label: string, seconds: number | null) => (seconds === null ? [] : [`${label} after ${duration(seconds)}`]);
  const rows = list.map((f) => [
    `  ${f.name}`,
    f.status.toUpperCase(),
    f.maxLoadedAt === null ? (f.status === 'runtime error' ? f.message : 'no rows yet') : at(f.maxLoadedAt),
    [...limit('warn', f.warnAfterSeconds), ...limit('error', f.errorAfterSeconds)].join(', '),
  ]);
  const checked = list.map((f) => f.snapshottedAt).sort().at(-1);
  return [...table([['Source freshness', 'status', 'last loaded', 'thresholds'], ...rows], [false, false, false, false]), `  checked ${at(checked)}`].join('\n');
}

/** `30 min`, `2 h`, `3 days`: a threshold in its largest whole unit. */
function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${Math.round(seconds / 60)} min`;
}

function syncs(r: StatusAnswer, at: At): string {
  if (r.syncs === undefined || r.syncs.length === 0) return r.syncs === undefined ? '' : 'Syncs\n  none configured (config key syncs)';
  const lines = ['Syncs'];
  for (const s of r.syncs) {
    lines.push(`  ${s.sync} → ${s.destination} (schedule ${quoted(s.schedule)})${s.running ? ': running now' : ''}`);
    const run = s.lastRun;
    if (run === null) lines.push('    no run yet');
    else {
      lines.push(`    last run ${at(run.finishedAt)}: ${run.status.toUpperCase()}, sent ${count(run.sent)}, rejected ${count(run.rejected)}, retrying ${count(run.retrying)}${run.planned > 0 ? ` of ${count(run.planned)} planned` : ''}`);
      if (run.error !== null) lines.push(`    ${run.error.code}: ${run.error.message}`);
    }
    for (const refused of s.refused) {
      lines.push(`    refused, waiting: ${count(refused.records)} × ${refused.code ?? '(no code)'}${refused.reason === null ? '' : ` (${refused.reason})`}`);
    }
  }
  return lines.join('\n');
}

function pulls(r: StatusAnswer, at: At): string {
  if (r.pulls === undefined || r.pulls.length === 0) return '';
  const lines = ['Pulls'];
  for (const p of r.pulls) {
    lines.push(`  ${p.source} (schedule ${quoted(p.schedule)})${p.running ? ': running now' : ''}`);
    const run = p.lastRun;
    if (run === null) lines.push('    no run yet');
    else {
      const range = run.from === '' ? '' : `, ${run.from} → ${run.to}`;
      lines.push(`    last run ${at(run.finishedAt)}: ${run.status}${range}, ${count(run.landed)} landed`);
      if (run.error !== null) lines.push(`    ${run.error.code}: ${run.error.message}`);
    }
  }
  return lines.join('\n');
}

function jobs(r: StatusAnswer, at: At): string {
  if (r.jobs === undefined || r.jobs.length === 0) return '';
  const rows = r.jobs.map((j) => {
    const where =
      j.running !== null
        ? `running here since ${at(j.running.startedAt)} (${j.running.trigger})`
        : j.heldBy !== null
          ? `running on ${j.heldBy.node} (lease until ${at(j.heldBy.expiresAt)})`
          : 'idle';
    const last = j.lastRun === null ? '-' : `${j.lastRun.status}${j.lastRun.error === null ? '' : ` ${j.lastRun.error.code}`}, ${at(j.lastRun.finishedAt)}`;
    return [`  ${j.job}`, j.schedule, j.nextRunAt === null ? '-' : at(j.nextRunAt), where, last];
  });
  return table([['Jobs', 'schedule', 'next run', 'now', 'last run'], ...rows], [false, false, false, false, false]).join('\n');
}

function history(r: StatusAnswer): string {
  return r.historyError === null || r.historyError === undefined ? '' : `Note: the control tables could not be read: ${r.historyError}`;
}

/** Rows padded into columns; `right` aligns a column's cells to the right (numbers). */
function table(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, i) => (right[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** `2025-03-04 09:15:27Z (2 min ago)`, `-` for none. */
export function when(iso: string | null | undefined, now: Date): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const stamp = `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const seconds = Math.round((now.getTime() - ms) / 1000);
  const span = Math.abs(seconds);
  const size = span < 60 ? `${span} s` : span < 3600 ? `${Math.round(span / 60)} min` : span < 172_800 ? `${Math.round(span / 3600)} h` : `${Math.round(span / 86_400)} days`;
  return `${stamp} (${seconds >= 0 ? `${size} ago` : `in ${size}`})`;
}

const bytes = formatBytes;

const count = (n: number): string => n.toLocaleString('en-US');
const quoted = (schedule: string): string => (schedule === 'off' ? 'off' : `"${schedule}"`);
