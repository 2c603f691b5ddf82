/**
 * docs/ops ships a Grafana dashboard and Prometheus alert rules; every metric they name must
 * exist in /metrics of a running server, so a renamed metric fails here, not on a dashboard.
 * Names are read from every PromQL expression (`expr`) as `switchboard_*` identifiers; a
 * histogram's `_bucket`, `_sum` and `_count` series count as the histogram.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startHarness, type Harness } from '../helpers/harness.js';

const OPS = fileURLToPath(new URL('../../../docs/ops/', import.meta.url));

/** Every `expr` string anywhere in `value` (dashboard targets, rule expressions). */
function expressions(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(expressions);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'expr' && typeof v === 'string' ? [v] : expressions(v)));
}

function metricNames(exprs: readonly string[]): Set<string> {
  return new Set(exprs.flatMap((e) => [...e.matchAll(/\bswitchboard_[a-z0-9_]+\b/g)].map((m) => m[0])));
}

let h: Harness;
let served: Map<string, string>;
before(async () => {
  h = await startHarness();
  const res = await h.admin({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  served = new Map([...res.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
});
after(() => h.close());

/** Whether `/metrics` has `name`, a histogram's or summary's series included. */
function exists(name: string): boolean {
  if (served.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && ['histogram', 'summary'].includes(served.get(base) ?? '');
}

for (const [file, read] of [
  ['grafana-dashboard.json', (text: string) => JSON.parse(text) as unknown],
  ['prometheus-rules.yml', (text: string) => parse(text) as unknown],
] as const) {
  test(`every metric docs/ops/${file} names exists in /metrics`, () => {
    const exprs = expressions(read(readFileSync(`${OPS}${file}`, 'utf8')));
    assert.ok(exprs.length >= 10, `${file} has its expressions (${exprs.length})`);
    const names = metricNames(exprs);
    assert.ok(names.size >= 8, `${file} names metrics: ${[...names].join(', ')}`);
    assert.deepEqual([...names].filter((name) => !exists(name)), [], `metrics ${file} names that /metrics lacks`);
  });
}

test('the rules are well-formed: each has a name, an expression and a summary', () => {
  const rules = (parse(readFileSync(`${OPS}prometheus-rules.yml`, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; expr?: string; annotations?: { summary?: string } }> }> }).groups.flatMap((g) => g.rules);
  for (const rule of rules) {
    assert.match(rule.alert ?? '', /^Switchboard[A-Za-z]+$/);
    assert.ok((rule.expr ?? '') !== '' && (rule.annotations?.summary ?? '') !== '', rule.alert);
  }
});
