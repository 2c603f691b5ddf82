/**
 * `npm run test:live -- <warehouse> [suite …] [node --test options]`: the live suites
 * (test/live/<warehouse>-<suite>.live.ts; all of them unless some are named) against a real
 * warehouse, when the environment names one (README › Testing › Live suites). `npm test`
 * never runs them: their compiled names end in `.live.js`, which test/run.sh's `*.test.js`
 * does not match.
 *
 * A live run that could not happen must never read as a pass, so every outcome but "all
 * live tests ran and passed" exits non-zero:
 * - 0: every live test passed;
 * - 1: a live test failed, or the run left something behind in the warehouse or TMPDIR;
 * - 2: usage: no warehouse named, one without live suites, or a suite it does not have;
 * - 3: NOT TESTED: the environment the warehouse needs is not set, and nothing ran (or the
 *   `node --test` options given selected no test). Not 78 (sysexits' EX_CONFIG): Drone CI
 *   reads 78 as "stop the pipeline early, successfully".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_WAREHOUSES, type LiveWarehouse } from './live-warehouses.js';

const EXIT_PASSED = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_TESTED = 3;

/** The compiled live files: this file runs as dist/test/live/run.js, next to them. */
const HERE = fileURLToPath(new URL('.', import.meta.url));

function usage(): string {
  const names = [...LIVE_WAREHOUSES.keys()];
  return [
    'usage: npm run test:live -- <warehouse> [suite …] [node --test options]',
    '',
    `Runs the live suites against a real warehouse (all of its suites unless some are named). Warehouses with live suites: ${names.join(', ')}.`,
    ...[...LIVE_WAREHOUSES.values()].flatMap((w) => [`  ${w.name}: needs ${w.needs}`, `    suites: ${[...liveFiles(w).keys()].join(', ') || '(none built: npm run test:live builds them)'}`]),
    '',
    'Exit codes: 0 passed; 1 a live test failed or left something behind; 2 usage; 3 not tested',
    '(the environment is not set: nothing ran, and that is not a pass). See README › Testing › Live suites.',
  ].join('\n');
}

/** The live files of `warehouse` by suite, sorted: dist/test/live/<name>-<suite>.live.js. */
function liveFiles(warehouse: LiveWarehouse): Map<string, string> {
  const suffix = '.live.js';
  return new Map(
    readdirSync(HERE)
      .filter((name) => name.startsWith(`${warehouse.name}-`) && name.endsWith(suffix))
      .sort()
      .map((name) => [name.slice(warehouse.name.length + 1, -suffix.length), join(HERE, name)]),
  );
}

/** What one `node --test` run did. */
interface NodeTestRun {
  status: number;
  /** Tests that passed, from the TAP summary (`# pass N`); 0 when it could not be read. */
  passed: number;
  /** What the tests left in their TMPDIR. */
  leftovers: string[];
}

/**
 * Runs `node --test` over `files` in a scratch TMPDIR (removed afterwards). It reports as
 * usual (spec, on stdout) and in TAP to a file of the runner's, whose summary says how many
 * tests passed: a name pattern that matched nothing must not read as a pass.
 */
async function nodeTest(files: string[], extra: string[], env: NodeJS.ProcessEnv): Promise<NodeTestRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'switchboard-live-'));
  const reports = mkdtempSync(join(tmpdir(), 'switchboard-live-report-'));
  const tap = join(reports, 'report.tap');
  try {
    const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`];
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...reporters, ...extra, ...files], { env: { ...env, TMPDIR: scratch }, stdio: 'inherit' });
    // Ctrl-C reaches the child too (same process group); a signal to the runner alone is passed on.
    // Either way the runner waits for it, then deletes what the run left behind.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const status = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(EXIT_FAILED));
      child.once('exit', (code) => resolve(code ?? EXIT_FAILED));
    });
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    const summary = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const passed = Number(/^# pass (\d+)$/m.exec(summary)?.[1] ?? 0);
    return { status, passed, leftovers: readdirSync(scratch) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(reports, { recursive: true, force: true });
  }
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return EXIT_PASSED;
  }
  const [name, ...rest] = args;
  const warehouse = name === undefined ? undefined : LIVE_WAREHOUSES.get(name);
  if (warehouse === undefined) {
    console.error(`${name === undefined || name.startsWith('-') ? 'test:live: name a warehouse.' : `test:live: no live suites for "${name}".`}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const firstOption = rest.findIndex((arg) => arg.startsWith('-'));
  const suites = firstOption === -1 ? rest : rest.slice(0, firstOption);
  const extra = firstOption === -1 ? [] : rest.slice(firstOption);
  const available = liveFiles(warehouse);
  const unknown = suites.filter((suite) => !available.has(suite));
  if (unknown.length > 0) {
    console.error(`test:live: ${warehouse.name} has no live suite ${unknown.map((u) => `"${u}"`).join(', ')}; it has: ${[...available.keys()].join(', ') || 'none built'}.\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const missing = warehouse.missing(process.env);
  if (missing.length > 0) {
    console.error(
      `live ${warehouse.title}: NOT TESTED — set ${warehouse.needs} (README › Testing › Live suites): ${missing.join('; ')}. ` +
        `Nothing was run; this is not a pass (exit ${EXIT_NOT_TESTED}).`,
    );
    return EXIT_NOT_TESTED;
  }
  const files = suites.length === 0 ? [...available.values()] : suites.map((suite) => available.get(suite) as string);
  if (files.length === 0) {
    console.error(`live ${warehouse.title}: no live test files in ${HERE}; build first (npm run test:live compiles them).`);
    return EXIT_FAILED;
  }
  const env = { ...process.env, ...warehouse.prepare() };
  const run = await nodeTest(files, extra, env);
  let status = run.status === 0 ? EXIT_PASSED : EXIT_FAILED;
  if (status === EXIT_PASSED && run.passed === 0) {
    console.error(`live ${warehouse.title}: NOT TESTED — no live test ran (the options selected none: ${extra.join(' ') || 'none given'}). This is not a pass (exit ${EXIT_NOT_TESTED}).`);
    status = EXIT_NOT_TESTED;
  }
  if (run.leftovers.length > 0) {
    console.error(`live ${warehouse.title}: the tests left these in their TMPDIR; each test must remove what it creates:\n  ${run.leftovers.join('\n  ')}`);
    status = EXIT_FAILED;
  }
  try {
    const left = await warehouse.leftovers(env);
    if (left.length > 0) {
      console.error(`live ${warehouse.title}: deleted what the tests left in the warehouse (each file must drop its own):\n  ${left.join('\n  ')}`);
      status = EXIT_FAILED;
    }
  } catch (error) {
    console.error(`live ${warehouse.title}: could not check for, or delete, what the run left in the warehouse: ${(error as Error).message}`);
    status = EXIT_FAILED;
  }
  console.error(`live ${warehouse.title}: ${status === EXIT_PASSED ? `PASSED (${run.passed} tests in ${files.length} files)` : status === EXIT_NOT_TESTED ? 'NOT TESTED' : 'FAILED'}`);
  return status;
}

process.exitCode = await main(process.argv.slice(2));
