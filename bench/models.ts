/**
 * npm run bench:models: the bundled models on DuckDB, at scale. See bench/README.md.
 *
 * 1. Generates BENCH_EVENTS (default 1 000 000) realistic raw events over BENCH_DAYS (28)
 *    days, plus a delta of 1 % more that lands in the 5 minutes after them (models-dataset.ts).
 * 2. Full build of the base: the engine (`build()`, as `switchboard build` runs it, with the
 *    data tests) against the same compiled SQL run directly (models-direct.ts), each on a
 *    fresh copy of the same database file, BENCH_REPS (3) times each in alternating order.
 * 3. Incremental build after the delta landed, the same way.
 * 4. Prints the medians: incremental / full (target ≤ 0.05) and engine / direct (target ≤ 1.10).
 *
 * Exit code: 0 when the run completed, whatever the speed targets say (a benchmark reports);
 * 1 when a build failed, a data test failed, or the engine and the direct SQL disagree on row
 * counts; 2 when the run broke.
 */
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { benchTempDir } from './temp-dir.js';
import { parseConfig } from '../server/config.js';
import { PULL_ONLY_TABLES, rawEventTable } from '../ingest/raw-tables.js';
import { FAMILY_TABLES } from './models-events.js';
import { generateDataset, loadRawFiles, type Dataset, type RawTable } from './models-dataset.js';
import { planDirectBuild, runDirectBuild, type DirectStep } from './models-direct.js';
import { formatModelsReport, type Measurement } from './models-report.js';
import { modelSchema } from '../sql/engine/compile.js';
import { selectModels } from '../sql/engine/select.js';
import { BUNDLED_MODELS_DIR, modelsRuntime } from '../sql/engine/from-config.js';
import type { Project } from '../sql/engine/model.js';
import { loadProject } from '../sql/engine/project.js';
import { build, type ProjectSettings } from '../sql/engine/run.js';
import type { Warehouse } from '../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../sql/warehouses/index.js';
import { intEnv, say } from './env.js';

const DELTA_SHARE = 0.01;
const WINDOW_MS = 5 * 60_000;

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (s: number): string => `${s.toFixed(2)} s`;

/** Which side ran a build: the engine, or the same SQL run directly. */
type Side = 'engine' | 'direct';

interface Bench {
  dir: string;
  project: Project;
  settings: ProjectSettings;
  /** What `switchboard build` leaves out with this config (modelsRuntime's defaultExclude). */
  exclude: readonly string[];
  /** How `switchboard build` opens DuckDB with the default config, plus BENCH_THREADS/BENCH_MEMORY. */
  open: (path: string) => Promise<Warehouse>;
}

async function main(dir: string): Promise<boolean> {
  const events = intEnv('BENCH_EVENTS', 1_000_000, 1_000);
  const days = intEnv('BENCH_DAYS', 28, 1);
  const reps = intEnv('BENCH_REPS', 3, 1);
  const seed = intEnv('BENCH_SEED', 1, 0);
  const config = parseConfig({});
  const threads = process.env.BENCH_THREADS === undefined ? config.warehouse.type === 'duckdb' ? config.warehouse.threads : undefined : intEnv('BENCH_THREADS', 1, 1);
  const memoryLimit = process.env.BENCH_MEMORY ?? (config.warehouse.type === 'duckdb' ? config.warehouse.memoryLimit : undefined);
  const checkpointThreshold = config.warehouse.type === 'duckdb' ? config.warehouse.checkpointThreshold : undefined;
  const bench: Bench = {
    dir,
    project: await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb')),
    settings: modelsRuntime(config, {}, process.cwd()).settings,
    exclude: process.env.BENCH_EXCLUDE === undefined ? modelsRuntime(config, {}, process.cwd()).defaultExclude : process.env.BENCH_EXCLUDE.split(',').filter((s) => s !== ''),
    open: (path) => openWarehouse({ type: 'duckdb', path, threads, memoryLimit, checkpointThreshold }),
  };
  const rawSchema = bench.settings.sources.raw ?? 'raw';
  say(`bench:models: ${num(events)} events (BENCH_EVENTS) over ${days} days (BENCH_DAYS), ${reps} run(s) per measurement (BENCH_REPS), in ${dir}`);

  let started = performance.now();
  const data = generateDataset({
    events, days, deltaShare: DELTA_SHARE, windowMs: WINDOW_MS, seed, dir,
    onProgress: (n) => say(`  generating events: ${num(n)} / ${num(events)} (${secs((performance.now() - started) / 1000)})`),
  });
  const generateSeconds = (performance.now() - started) / 1000;
  say(`generated ${num(total(data.base) + total(data.delta))} events in ${secs(generateSeconds)}; loading the base into DuckDB …`);
  started = performance.now();
  const basePath = join(dir, 'base.duckdb');
  await withWarehouse(bench, basePath, async (wh) => {
    await wh.run(wh.dialect.createSchema(rawSchema));
    for (const table of PULL_ONLY_TABLES) await wh.run(wh.dialect.createTable(rawEventTable(rawSchema, table)));
    for (const table of Object.values(FAMILY_TABLES)) await wh.run(wh.dialect.createTable(rawEventTable(rawSchema, table)));
  });
  await loadRawFiles(basePath, rawSchema, Object.values(FAMILY_TABLES).map((table) => ({ table, file: data.files.base[table] })));
  for (const table of Object.values(FAMILY_TABLES)) rmSync(data.files.base[table]);
  const loadSeconds = (performance.now() - started) / 1000;
  say(`loaded in ${secs(loadSeconds)}`);
  const environment = await describeEnvironment(bench, basePath);

  const dialect = dialectFor('duckdb');
  const direct = { full: await planDirectBuild(bench.project, dialect, bench.settings, false, bench.exclude), incremental: await planDirectBuild(bench.project, dialect, bench.settings, true, bench.exclude) };
  const full: Measurement[] = [];
  const builtPath = join(dir, 'built.duckdb');
  for (let i = 0; i < reps; i++) {
    for (const side of alternate(i)) {
      const keep = side === 'engine' && full.every((m) => m.side !== 'engine') ? builtPath : undefined;
      full.push(await measure(bench, side, 'full', i + 1, reps, basePath, direct.full, keep));
    }
  }

  say('landing the delta on a copy of the built database …');
  const deltaPath = join(dir, 'delta.duckdb');
  renameSync(builtPath, deltaPath);
  const lookbackSeconds = bench.settings.lookbackSeconds ?? 3600;
  // The incremental models re-read what landed within the lookback before their newest row.
  await loadRawFiles(deltaPath, rawSchema, Object.values(FAMILY_TABLES).map((table) => ({ table: table as RawTable, file: data.files.delta[table] })));
  const reread = await withWarehouse(bench, deltaPath, async (wh) => {
    let n = 0;
    for (const table of Object.values(FAMILY_TABLES)) {
      const [row] = await wh.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(rawSchema, table)} WHERE landed_at > ${wh.dialect.param(1)} AND landed_at <= ${wh.dialect.param(2)}`,
        [new Date(data.t0 - lookbackSeconds * 1000), new Date(data.t0)],
      );
      n += Number(row?.n ?? 0);
    }
    return n;
  });
  const incremental: Measurement[] = [];
  for (let i = 0; i < reps; i++) {
    for (const side of alternate(i)) incremental.push(await measure(bench, side, 'incremental', i + 1, reps, deltaPath, direct.incremental));
  }

  const excluded = bench.exclude.length === 0 ? 'none' : `${bench.exclude.join(' ')} (no pull source is configured, so \`switchboard build\` leaves them out; BENCH_EXCLUDE= includes them)`;
  const report = formatModelsReport({ data: describeData(data, days, generateSeconds, loadSeconds, { lookbackSeconds, reread }), environment: `${environment}\n  excluded models: ${excluded}`, reps, full, incremental });
  process.stdout.write(`${report.lines.join('\n')}\n`);
  return report.correct;
}

/** Rep 1: engine then direct; rep 2: direct then engine; …, so drift hits both alike. */
function alternate(rep: number): Side[] {
  return rep % 2 === 0 ? ['engine', 'direct'] : ['direct', 'engine'];
}

/**
 * One build on a fresh copy of `from`: the engine or the direct SQL, timed from the first
 * statement to the last, not counting opening and closing the database.
 */
async function measure(bench: Bench, side: Side, what: 'full' | 'incremental', rep: number, reps: number, from: string, steps: readonly DirectStep[], keepAs?: string): Promise<Measurement> {
  const path = join(bench.dir, 'work.duckdb');
  copyFileSync(from, path);
  say(`${what} build ${rep}/${reps}, ${side === 'engine' ? 'engine' : 'same SQL run directly'} …`);
  const measurement = await withWarehouse(bench, path, async (wh): Promise<Measurement> => {
    const started = performance.now();
    let nodes: Map<string, number>;
    const problems: string[] = [];
    if (side === 'engine') {
      const results = await build(wh, bench.project, { settings: bench.settings, exclude: bench.exclude });
      nodes = new Map(results.results.map((r) => [r.node, r.seconds]));
      for (const r of results.results) if (r.status !== 'success' && r.status !== 'pass') problems.push(`${r.node}: ${r.status} ${r.message}`.slice(0, 300));
    } else {
      const result = await runDirectBuild(wh, steps);
      nodes = result.seconds;
      problems.push(...result.failedTests.map((t) => `${t}: failing rows`));
    }
    const seconds = (performance.now() - started) / 1000;
    return { side, what, rep, seconds, nodes, rows: await rowCounts(bench, wh), problems };
  });
  say(`  ${secs(measurement.seconds)}${measurement.problems.length > 0 ? `, ${measurement.problems.length} problem(s)` : ''}`);
  if (keepAs === undefined) rmSync(path);
  else renameSync(path, keepAs);
  return measurement;
}

/** Rows in every model's table after a build: the engine and the direct SQL must agree. */
async function rowCounts(bench: Bench, wh: Warehouse): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const model of selectModels(bench.project, [], bench.exclude)) {
    const table = wh.dialect.tableName(modelSchema(model, bench.settings.targetSchema), model.name);
    const [row] = await wh.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    counts.set(model.name, Number(row?.n ?? 0));
  }
  return counts;
}

async function withWarehouse<T>(bench: Bench, path: string, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await bench.open(path);
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}

function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function describeData(data: Dataset, days: number, generateSeconds: number, loadSeconds: number, lookback: { lookbackSeconds: number; reread: number }): string[] {
  const base = total(data.base);
  const delta = total(data.delta);
  const shares = Object.entries(FAMILY_TABLES)
    .map(([family, table]) => `${family} ${((100 * (data.base[table] + data.delta[table])) / (base + delta)).toFixed(1)} %`)
    .join(', ');
  return [
    `data: ${num(base + delta)} raw events (${shares}), ${num(data.customers)} customer numbers; generated in ${secs(generateSeconds)}, loaded in ${secs(loadSeconds)}`,
    `      base: ${num(base)} events landed over ${days} days up to ${new Date(data.t0).toISOString()}, and built in full`,
    `      delta: ${num(delta)} events (${((100 * delta) / base).toFixed(2)} % more) landed in the ${WINDOW_MS / 60_000} minutes after: ` +
      `${num(data.deltaExisting)} on calls, messages, meetings and chats already in the base, ${num(data.deltaNew)} on new ones`,
    `      the incremental staging models also re-read the ${num(lookback.reread)} base events landed in the lookback (models.lookbackSeconds = ${lookback.lookbackSeconds}) before the delta`,
  ];
}

async function describeEnvironment(bench: Bench, path: string): Promise<string> {
  return withWarehouse(bench, path, async (wh) => {
    const [row] = await wh.all<{ version: string; threads: string; memory: string }>(
      `SELECT version() AS version, current_setting('threads') AS threads, current_setting('memory_limit') AS memory`,
    );
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const tuned = process.env.BENCH_THREADS !== undefined || process.env.BENCH_MEMORY !== undefined ? ' (BENCH_THREADS/BENCH_MEMORY)' : ' (the config defaults)';
    return `environment: ${availableParallelism()} cores (${cpu}), node ${process.version}, DuckDB ${row?.version ?? '?'} with threads=${row?.threads ?? '?'}, memory_limit=${row?.memory ?? '?'}${tuned}`;
  });
}

const { dir, cleanUp } = benchTempDir('models', say);

try {
  if (!(await main(dir))) {
    say('FAILED: a build or data test failed, or the engine and the direct SQL disagree (see above)');
    process.exitCode = 1;
  }
} catch (error) {
  say(`bench:models broke: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 2;
} finally {
  cleanUp();
}
