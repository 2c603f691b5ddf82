/**
 * The summary bench:models prints: seconds per model and for the data tests (medians), each
 * run's total, then the two targets with their figure and PASS/MISS, and any correctness
 * problem (a failed build or test, or row counts where the engine and the direct SQL differ).
 */

export const MODEL_TARGETS = { incrementalRatio: 0.05, engineOverhead: 0.1 } as const;

/** One timed build. */
export interface Measurement {
  side: 'engine' | 'direct';
  what: 'full' | 'incremental';
  rep: number;
  /** Wall time of the whole build, data tests included. */
  seconds: number;
  /** Seconds per node: `model.calls`, `test.unique_calls_call_id`. */
  nodes: Map<string, number>;
  /** Rows in each model's table afterwards. */
  rows: Map<string, number>;
  /** Failed nodes, one line each. */
  problems: string[];
}

export interface ModelsReport {
  data: string[];
  environment: string;
  reps: number;
  full: Measurement[];
  incremental: Measurement[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const mark = (pass: boolean): string => (pass ? 'PASS' : 'MISS');
const s2 = (s: number): string => s.toFixed(2);

/** Seconds of the models alone (sum of model nodes) in one build. */
function modelSeconds(m: Measurement): number {
  let sum = 0;
  for (const [node, seconds] of m.nodes) if (node.startsWith('model.')) sum += seconds;
  return sum;
}

function testSeconds(m: Measurement): number {
  let sum = 0;
  for (const [node, seconds] of m.nodes) if (node.startsWith('test.')) sum += seconds;
  return sum;
}

export function formatModelsReport(report: ModelsReport): { lines: string[]; correct: boolean } {
  const runs = (list: readonly Measurement[], side: Measurement['side']) => list.filter((m) => m.side === side);
  const groups = {
    fullEngine: runs(report.full, 'engine'),
    fullDirect: runs(report.full, 'direct'),
    incEngine: runs(report.incremental, 'engine'),
    incDirect: runs(report.incremental, 'direct'),
  };
  const first = groups.fullEngine[0];
  const modelNodes = first === undefined ? [] : [...first.nodes.keys()].filter((n) => n.startsWith('model.'));
  const testCount = first === undefined ? 0 : [...first.nodes.keys()].filter((n) => n.startsWith('test.')).length;
  const med = (list: readonly Measurement[], pick: (m: Measurement) => number): number => median(list.map(pick));
  const row = (label: string, pick: (m: Measurement) => number, rows: string): string =>
    `  ${label.padEnd(30)} ${[groups.fullEngine, groups.fullDirect, groups.incEngine, groups.incDirect].map((g) => s2(med(g, pick)).padStart(9)).join(' ')}   ${rows}`.trimEnd();

  const lines = [
    '',
    `bench:models results (medians of ${report.reps} run(s) per column; engine and direct runs alternate, each on a fresh copy of the same DuckDB file)`,
    '',
    ...report.data.map((l) => `  ${l}`),
    `  ${report.environment}`,
    `  builds: ${modelNodes.length} models and their ${testCount} data tests (models/schema.yml), as \`switchboard build\` runs them.`,
    '  direct: the same compiled SQL, planned before the clock starts and run statement by statement, without the engine;',
    '          the phone lookup runs as in the engine (same query, same normalizePhone, same inserts) on both sides.',
    '',
    `  ${'seconds'.padEnd(30)} ${'full'.padStart(9)} ${'full'.padStart(9)} ${'incr'.padStart(9)} ${'incr'.padStart(9)}   rows after full → after incremental`,
    `  ${''.padEnd(30)} ${'engine'.padStart(9)} ${'direct'.padStart(9)} ${'engine'.padStart(9)} ${'direct'.padStart(9)}`,
    ...modelNodes.map((node) => {
      const name = node.slice('model.'.length);
      const rows = `${(first?.rows.get(name) ?? 0).toLocaleString('en-US')} → ${(groups.incEngine[0]?.rows.get(name) ?? 0).toLocaleString('en-US')}`;
      return row(name, (m) => m.nodes.get(node) ?? 0, rows);
    }),
    row('models', modelSeconds, ''),
    row(`data tests (${testCount})`, testSeconds, ''),
    row('build, wall clock', (m) => m.seconds, ''),
    '',
    `  runs, wall clock s: full engine ${groups.fullEngine.map((m) => s2(m.seconds)).join(' / ')}; full direct ${groups.fullDirect.map((m) => s2(m.seconds)).join(' / ')};`,
    `                      incr engine ${groups.incEngine.map((m) => s2(m.seconds)).join(' / ')}; incr direct ${groups.incDirect.map((m) => s2(m.seconds)).join(' / ')}`,
    '',
  ];

  const fullBuild = med(groups.fullEngine, (m) => m.seconds);
  const incBuild = med(groups.incEngine, (m) => m.seconds);
  const ratio = incBuild / fullBuild;
  const modelsRatio = med(groups.incEngine, modelSeconds) / med(groups.fullEngine, modelSeconds);
  const overhead = fullBuild / med(groups.fullDirect, (m) => m.seconds);
  const incOverhead = incBuild / med(groups.incDirect, (m) => m.seconds);
  const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} %`;
  lines.push(
    `  incremental / full = ${ratio.toFixed(3)} (target ≤ ${MODEL_TARGETS.incrementalRatio}) ${mark(ratio <= MODEL_TARGETS.incrementalRatio)}` +
      `   [engine builds with data tests: ${s2(incBuild)} s / ${s2(fullBuild)} s]`,
    `      models alone (without the data tests): ${modelsRatio.toFixed(3)}`,
    `  engine / direct, full build = ${overhead.toFixed(3)}, overhead ${pct(overhead)} (target ≤ ${MODEL_TARGETS.engineOverhead * 100} %) ${mark(overhead <= 1 + MODEL_TARGETS.engineOverhead)}`,
    `      incremental build: ${incOverhead.toFixed(3)}, overhead ${pct(incOverhead)} (no target: mostly fixed costs, and the engine tests only the rows it wrote while the direct SQL tests every row)`,
  );

  const problems: string[] = [];
  for (const m of [...report.full, ...report.incremental]) {
    for (const p of m.problems) problems.push(`${m.what} build ${m.rep}, ${m.side}: ${p}`);
  }
  for (const [label, list] of [['full', report.full], ['incremental', report.incremental]] as const) {
    const reference = list[0];
    for (const m of list.slice(1)) {
      for (const [model, n] of reference?.rows ?? []) {
        if (m.rows.get(model) !== n) problems.push(`${label} build ${m.rep}, ${m.side}: ${model} has ${m.rows.get(model)} rows, ${reference?.side} run ${reference?.rep} had ${n}`);
      }
    }
  }
  if (problems.length > 0) lines.push('', '  PROBLEMS (the figures above are not trustworthy):', ...problems.slice(0, 20).map((p) => `    ${p}`));
  return { lines, correct: problems.length === 0 };
}
