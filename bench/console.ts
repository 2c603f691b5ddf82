/**
 * npm run bench:console: the web console's overview with 30 days of signals on DuckDB.
 * See bench/README.md.
 *
 * 1. Starts the whole server in-process on a fresh DuckDB file (a temp dir) and seeds every
 *    minute of the last BENCH_DAYS (30) days into the signal tables (test/helpers/signal-tables.ts:
 *    11 throughput pipelines, 4 latency stages, the backlog: about 690 000 rows a month).
 * 2. Signs in to the console with the bootstrap token, as a browser would.
 * 3. Times, BENCH_REPS (7) times each in turn: the baseline (three plain aggregate queries
 *    over the same 30 days of the same tables: the least any overview must read), the overview
 *    over 30 days, and over 24 hours (GET /console/ through inject: the status report, the
 *    bucketed signal queries and the HTML).
 * 4. Prints the medians, overview / baseline, and whether the 30-day overview is under 1 s.
 *
 * Exit code: 0 when the run completed, whatever the figures say (a benchmark reports); 2
 * when it broke (a page that does not answer 200 included).
 */
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { benchTempDir } from './temp-dir.js';
import { loadConfig } from '../server/config.js';
import { createSwitchboardServer, type SwitchboardServer } from '../server/switchboard-server.js';
import { adminDataDir, clientToken } from '../server/admin-tokens.js';
import { seedSignals } from '../test/helpers/signal-tables.js';
import { intEnv, say } from './env.js';

/** The target the issue sets for the overview with 30 days of data. */
const TARGET_MS = 1000;
const HOST = 'localhost:80';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const days = intEnv('BENCH_DAYS', 30, 1);
  const reps = intEnv('BENCH_REPS', 7, 1);
  const { dir, cleanUp } = benchTempDir('console', say);
  let server: SwitchboardServer | null = null;
  try {
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({ warehouse: { type: 'duckdb', path: join(dir, 'bench.duckdb') }, spool: { dir: join(dir, 'data', 'spool') }, log: { level: 'silent' }, models: { schedule: 'off' } }),
    );
    const config = loadConfig({ path: join(dir, 'switchboard.json'), cwd: dir, env: {} });
    server = await createSwitchboardServer(config, pino({ level: 'silent' }), dir);
    const warehouse = server.warehouse;
    const schema = config.file.models.schema;
    const now = new Date();
    say(`Seeding ${days} days of signals into ${schema}.sb_signal_* on DuckDB…`);
    const seedMs = await timed(async () => void (await seedSignals(warehouse, schema, { days, now })));
    const [rows] = await warehouse.all(
      `SELECT (SELECT count(*) FROM ${schema}.sb_signal_throughput) + (SELECT count(*) FROM ${schema}.sb_signal_latency) + (SELECT count(*) FROM ${schema}.sb_signal_backlog) AS n`,
    );
    say(`  ${Number(rows?.n).toLocaleString('en-US')} rows in ${(seedMs / 1000).toFixed(1)} s`);

    const admin = server.admin;
    const token = clientToken(adminDataDir(config, dir), {}) ?? '';
    const login = await admin.inject({
      method: 'POST',
      url: '/console/login',
      headers: { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token }).toString(),
    });
    if (login.statusCode !== 303) throw new Error(`sign-in answered ${login.statusCode}: ${login.body.slice(0, 300)}`);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';

    const since = new Date(now.getTime() - days * 86_400_000);
    const baseline = async (): Promise<void> => {
      await warehouse.all(`SELECT stage, count(*) AS n, sum(events) AS events, sum(retries) AS retries FROM ${schema}.sb_signal_throughput WHERE minute >= $1 GROUP BY stage`, [since]);
      await warehouse.all(`SELECT stage, count(*) AS n, max(p95_ms) AS p95 FROM ${schema}.sb_signal_latency WHERE minute >= $1 GROUP BY stage`, [since]);
      await warehouse.all(`SELECT count(*) AS n, max(sync_pending) AS pending FROM ${schema}.sb_signal_backlog WHERE minute >= $1`, [since]);
    };
    const overview = (window: string) => async (): Promise<void> => {
      const res = await admin.inject({ method: 'GET', url: `/console/?window=${window}`, headers: { host: HOST, cookie } });
      if (res.statusCode !== 200 || !res.body.includes('id="throughput-data"')) throw new Error(`the overview (${window}) answered ${res.statusCode} without its charts: ${res.body.slice(0, 300)}`);
    };
    const runs = { baseline, month: overview('30d'), day: overview('24h') };
    const times: Record<keyof typeof runs, number[]> = { baseline: [], month: [], day: [] };
    for (const run of Object.values(runs)) await run(); // warm-up, not counted
    for (let i = 0; i < reps; i += 1) {
      for (const [name, run] of Object.entries(runs) as Array<[keyof typeof runs, () => Promise<void>]>) times[name].push(await timed(run));
    }

    const base = median(times.baseline);
    const month = median(times.month);
    const day = median(times.day);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const out = [
      '',
      `Console overview, ${days} days of signals on DuckDB (${Number(rows?.n).toLocaleString('en-US')} rows), median of ${reps} (${availableParallelism()} × ${cpu})`,
      '',
      '  what                                   median ms   vs baseline',
      `  baseline: 3 plain aggregate queries   ${base.toFixed(1).padStart(10)}   1.00`,
      `  overview, 30 days (6-hour buckets)    ${month.toFixed(1).padStart(10)}   ${(month / base).toFixed(2)}`,
      `  overview, 24 hours (15-min buckets)   ${day.toFixed(1).padStart(10)}   ${(day / base).toFixed(2)}`,
      '',
      `30-day overview under ${TARGET_MS} ms: ${month < TARGET_MS ? 'yes' : 'NO'} (${month.toFixed(0)} ms)`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    await server?.close();
    cleanUp();
  }
}

main().catch((error: unknown) => {
  say(`bench:console broke: ${(error as Error).stack ?? String(error)}`);
  process.exit(2);
});
