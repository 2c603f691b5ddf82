/**
 * What `build` and `test` print: dbt's per-node lines and summary, so that an analyst who
 * knows dbt reads them at a glance.
 *
 *   03:12:01  4 of 42 START incremental model analytics.calls ................................ [RUN]
 *   03:12:01  4 of 42 OK incremental model analytics.calls ................................... [12 rows in 0.31s]
 *   03:12:01  5 of 42 FAIL 3 test not_null_calls_call_id ..................................... [FAIL 3 in 0.05s]
 *   Done. PASS=40 WARN=0 ERROR=1 SKIP=1 TOTAL=42
 */
import type { ProgressEvent, RunResults } from '../sql/engine/run.js';
import { runCounts } from '../server/model-builds.js';

/** Where the status column of a progress line starts, as in dbt. */
const WIDTH = 80;

/** One line (with its newline) for a node starting or ending. */
export function progressLine(event: ProgressEvent, now: Date): string {
  const [verb, status] = labels(event);
  const left = `${event.index} of ${event.total} ${verb} ${event.description} `;
  return `${clock(now)}  ${left}${'.'.repeat(Math.max(3, WIDTH - left.length))} [${status}]\n`;
}

function labels(event: ProgressEvent): [verb: string, status: string] {
  const r = event.result;
  if (event.phase === 'start' || r === undefined) return ['START', 'RUN'];
  const took = `in ${r.seconds.toFixed(2)}s`;
  switch (r.status) {
    case 'success':
      return ['OK', r.rows === null ? `OK ${took}` : `${r.rows} row${r.rows === 1 ? '' : 's'} ${took}`];
    case 'pass':
      return ['PASS', `PASS ${took}`];
    case 'warn':
      return [`WARN ${r.rows ?? 0}`, `WARN ${r.rows ?? 0} ${took}`];
    case 'fail':
      return [`FAIL ${r.rows ?? 0}`, `FAIL ${r.rows ?? 0} ${took}`];
    case 'skipped':
      return ['SKIP', 'SKIP'];
    default:
      return ['ERROR', `ERROR ${took}`];
  }
}

/** The lines after the last node: totals, what went wrong and why, and dbt's `Done.` line. */
export function summary(results: RunResults, savedTo: string): string {
  const models = results.results.filter((r) => r.kind === 'model').length;
  const tests = results.results.length - models;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const what = { build: `${plural(models, 'model')} and ${plural(tests, 'data test')}`, test: plural(tests, 'data test'), seed: plural(models, 'seed') }[results.command];
  const lines = ['', `Finished running ${what} in ${results.seconds.toFixed(2)}s.`, ''];
  const bad = results.results.filter((r) => r.status === 'error' || r.status === 'fail');
  const warned = results.results.filter((r) => r.status === 'warn');
  if (bad.length === 0) {
    lines.push(warned.length === 0 ? 'Completed successfully.' : `Completed with ${plural(warned.length, 'warning')}:`);
  } else {
    lines.push(`Completed with ${plural(bad.length, 'error')}:`);
    for (const r of bad) lines.push('', `  ${r.status === 'fail' ? 'Failure' : 'Error'} in ${r.node}`, `    ${r.message}`);
  }
  for (const r of warned) lines.push('', `  Warning in ${r.node}`, `    ${r.message}`);
  const c = runCounts(results);
  lines.push('', `Run results: ${savedTo}`, '', `Done. PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} TOTAL=${c.total}`);
  return `${lines.join('\n')}\n`;
}

function clock(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
}
