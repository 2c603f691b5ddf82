/**
 * How `switchboard dlq` prints dead letters for a person: a table for `list`, the entry and
 * its detail for `show`, one line per outcome and a tally for `replay`. `--json` prints the
 * operator API's own JSON instead.
 */
import { DEAD_LETTER_SOURCES, type DeadLetter, type DeadLetterDetail, type DeadLetterOutcome } from '../server/dlq/dead-letter.js';

/** The widest reason a table row shows; `dlq show <id>` has all of it. */
const REASON_CHARS = 80;

/** `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}

/**
 * The table `dlq list` prints, with a summary line.
 * @example
 *   ID                       SOURCE   PIPELINE  CODE                         COUNT  AGE    REASON
 *   rejection:3f1c2a9e-…     landing  meetings  SB_INGEST_SIGNATURE_INVALID      1  2h 5m  X-Jaas-Signature does not match …
 */
export function deadLetterTable(entries: readonly DeadLetter[]): string {
  if (entries.length === 0) return 'No dead letters match: everything went through.\n';
  const rows = entries.map((e) => [e.id, e.source, e.pipeline, e.code ?? '-', String(e.count), formatAge(e.ageSeconds), oneLine(e.reason, REASON_CHARS)]);
  const header = ['ID', 'SOURCE', 'PIPELINE', 'CODE', 'COUNT', 'AGE', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : i === 4 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd();
  const tally = DEAD_LETTER_SOURCES.map((source) => [source, entries.filter((e) => e.source === source).length] as const)
    .filter(([, n]) => n > 0)
    .map(([source, n]) => `${n} ${source}`)
    .join(', ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${entries.length} dead letter(s): ${tally}. Details: switchboard dlq show <id>; send them again: switchboard dlq replay <id>… or a filter.\n`;
}

/** What `dlq show` prints. */
export function deadLetterDetail({ entry, detail }: DeadLetterDetail): string {
  const lines = [
    entry.id,
    `  source    ${entry.source} (${entry.pipeline})`,
    `  code      ${entry.code ?? '-'}`,
    `  reason    ${entry.reason}`,
    `  count     ${entry.count}`,
    `  first     ${entry.firstAt} (${formatAge(entry.ageSeconds)} ago)`,
    `  last      ${entry.lastAt}`,
    '',
    'Detail',
  ];
  for (const [key, value] of Object.entries(detail)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    lines.push(`  ${key}: ${(text ?? 'null').split('\n').join('\n    ')}`);
  }
  lines.push('', `Replay it: switchboard dlq replay ${entry.id} (--dry-run first to see what it would do)`);
  return `${lines.join('\n')}\n`;
}

/** One outcome of `dlq replay`. */
export function outcomeLine(o: DeadLetterOutcome): string {
  return `${o.id}  ${o.status.padEnd(12)}  ${o.code === undefined ? '' : `${o.code}: `}${o.message}\n`;
}

/** The tally after the outcomes, e.g. `2 replayed, 1 failed`. */
export function outcomeTally(outcomes: readonly DeadLetterOutcome[], dryRun: boolean): string {
  if (outcomes.length === 0) return 'No dead letters match: nothing to replay.\n';
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const tally = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  return `${dryRun ? '(dry run: nothing was sent) ' : ''}${tally}\n`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
