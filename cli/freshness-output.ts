/**
 * What `switchboard source freshness` prints: dbt's per-table lines, with each table's age and
 * thresholds, and its summary.
 *
 *   09:15:27  1 of 5 PASS freshness of raw.voice_events: 12 min old (warn after 1 day, error after 3 days) ... [PASS in 0.02s]
 *   09:15:27  2 of 5 ERROR STALE freshness of raw.messaging_events: 3.5 days old (warn after 1 day, error after 3 days) ... [ERROR STALE in 0.01s]
 *   Done. PASS=4 WARN=0 ERROR=1 SKIP=0 TOTAL=5
 */
import { describeAge, type FreshnessResult, type FreshnessResults } from '../sql/engine/freshness.js';
import { describeTime } from '../sql/engine/sources.js';
import { freshnessCounts } from '../server/source-freshness.js';

/** Where the status column of a line starts, as in dbt. */
const WIDTH = 80;

const LABELS: Readonly<Record<FreshnessResult['status'], string>> = { pass: 'PASS', warn: 'WARN', error: 'ERROR STALE', 'runtime error': 'ERROR' };

/** One line (with its newline) for a table once it is checked. */
export function freshnessLine(result: FreshnessResult, index: number, total: number, now: Date): string {
  const label = LABELS[result.status];
  const { warnAfter, errorAfter } = result.criteria;
  const limits = [...(warnAfter === null ? [] : [`warn after ${describeTime(warnAfter)}`]), ...(errorAfter === null ? [] : [`error after ${describeTime(errorAfter)}`])].join(', ');
  const age = result.status === 'runtime error' ? 'could not be checked' : result.ageSeconds === null ? 'no rows yet' : `${describeAge(result.ageSeconds)} old`;
  const left = `${index} of ${total} ${label} freshness of ${result.source}.${result.table}: ${age} (${limits}) `;
  return `${clock(now)}  ${left}${'.'.repeat(Math.max(3, WIDTH - left.length))} [${label} in ${result.seconds.toFixed(2)}s]\n`;
}

/** The lines after the last table: what is stale or broken and why, where the results went, and dbt's `Done.` line. */
export function freshnessSummary(results: FreshnessResults, savedTo: string): string {
  const c = freshnessCounts(results);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = ['', `Finished running ${plural(c.total, 'source freshness check')} in ${results.seconds.toFixed(2)}s.`, ''];
  const bad = results.results.filter((r) => r.status === 'error' || r.status === 'runtime error');
  const warned = results.results.filter((r) => r.status === 'warn');
  if (bad.length > 0) lines.push(`Completed with ${plural(bad.length, 'error')}:`);
  else lines.push(warned.length === 0 ? 'Completed successfully.' : `Completed with ${plural(warned.length, 'warning')}:`);
  for (const r of bad) lines.push('', `  ${r.status === 'error' ? 'Stale' : 'Error in'} ${r.uniqueId}`, `    ${r.message}`);
  for (const r of warned) lines.push('', `  Warning in ${r.uniqueId}`, `    ${r.message}`);
  lines.push('', `Results: ${savedTo}`, '', `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error + c.runtimeError} SKIP=0 TOTAL=${c.total}`);
  return `${lines.join('\n')}\n`;
}

function clock(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
}
