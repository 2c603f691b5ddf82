/**
 * The README against the code: its sample of what `switchboard build` prints is what
 * cli/run-output.ts prints for the same nodes, character for character (dots included), and
 * its curated-tables table has a row for every curated, reconciliation and mart model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progressLine, summary } from '../../cli/run-output.js';
import type { NodeResult, ProgressEvent, RunResults } from '../../sql/engine/run.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test("the README's sample build output is the real output for those nodes", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const sample = /`switchboard build` prints a line[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(sample !== undefined, 'the README shows a sample build output');
  const [lines, tail] = sample.split('…\n') as [string, string];

  // The four nodes the sample shows, at the times it shows (local time, as printed).
  const at = (h: number, m: number, s: number) => new Date(2026, 0, 1, h, m, s);
  const calls = { index: 25, total: 86, node: 'model.calls', kind: 'model', description: 'incremental model analytics.calls' } as const;
  const unique = { index: 26, total: 86, node: 'test.unique_calls_call_id', kind: 'test', description: 'test unique_calls_call_id' } as const;
  const ok: NodeResult = { node: calls.node, kind: 'model', status: 'success', rows: 12, seconds: 0.12, materialized: 'incremental (delete+insert)', message: '' };
  const pass: NodeResult = { node: unique.node, kind: 'test', status: 'pass', rows: 0, seconds: 0, materialized: null, message: '' };
  const events: Array<[ProgressEvent, Date]> = [
    [{ ...calls, phase: 'start' }, at(5, 33, 58)],
    [{ ...calls, phase: 'end', result: ok }, at(5, 33, 59)],
    [{ ...unique, phase: 'start' }, at(5, 33, 59)],
    [{ ...unique, phase: 'end', result: pass }, at(5, 33, 59)],
  ];
  assert.equal(lines, events.map(([event, now]) => progressLine(event, now)).join(''));

  // The summary of a run of 17 models and 69 data tests that all passed.
  const results: NodeResult[] = [
    ...Array.from({ length: 17 }, (_, i): NodeResult => ({ ...ok, node: `model.m${i}` })),
    ...Array.from({ length: 69 }, (_, i): NodeResult => ({ ...pass, node: `test.t${i}` })),
  ];
  const run: RunResults = { runId: 'r', command: 'build', startedAt: '', finishedAt: '', seconds: 1.06, success: true, results };
  assert.equal(`\n${tail}`, summary(run, 'analytics.sb_run_results, and data/target/run_results.json'));
});

test("the README's curated-tables table is one table, with a row for every curated, reconciliation and mart model", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Curated tables'), readme.indexOf('\n## ', readme.indexOf('## Curated tables') + 1));
  const table = /\n(\| table \|[^\n]*\n(?:\|[^\n]*\n)+)\n/.exec(section)?.[1] ?? '';
  const rest = section.replace(table, '');
  assert.doesNotMatch(rest, /^\| `/m, 'no table rows outside the table (a blank line cuts a Markdown table in two)');
  const documented = [...table.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]);
  for (const folder of ['curated', 'reconciliation', 'marts']) {
    for (const file of readdirSync(join(ROOT, 'models', folder)).filter((f) => f.endsWith('.sql'))) {
      assert.ok(documented.includes(file.replace(/\.sql$/, '')), `${folder}/${file} has a row`);
    }
  }
});
