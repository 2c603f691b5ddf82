/**
 * npm run bench:pulls: a Work Analytics backfill at scale, against the local Work Analytics
 * (fakes/work-analytics/), into DuckDB. See bench/README.md.
 *
 * - (a) baseline: the backfill's reads alone. The same windows, pages and client as the
 *   pull, each page parsed and dropped: what 8x8's side (here, the fake) and the HTTP
 *   client cost.
 * - (b) `runPull` with the Work Analytics source, as `switchboard pull work-analytics
 *   --from … --to …` runs it: the same reads, and each page landed in raw.work_events
 *   together with its cursor in one transaction.
 *
 * a and b alternate BENCH_REPS times, each b into a fresh DuckDB file; the figures are
 * medians. What landing costs is b's time over a's. The issue sets no speed target, so the
 * ratio is printed for tracking.
 *
 * Exit code: 0 when every run landed every record once; 1 otherwise.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { benchTempDir } from './temp-dir.js';
import { parseConfig } from '../server/config.js';
import { pino } from 'pino';
import { openMigrated } from '../server/switchboard-server.js';
import { warehouseConfigOf } from '../sql/warehouses/index.js';
import { WorkAnalyticsClient } from '../ingest/pulls/work-analytics/client.js';
import { workCallRecordsSource } from '../ingest/pulls/work-analytics/source.js';
import { planWindows } from '../ingest/pulls/work-analytics/windows.js';
import { runPull } from '../ingest/pulls/runner.js';
import { seedWorkCalls, startFakeWorkAnalytics } from '../fakes/work-analytics/index.js';
import { intEnv, say } from './env.js';

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(dir: string): Promise<boolean> {
  const records = intEnv('BENCH_RECORDS', 200_000, 1_000);
  const days = intEnv('BENCH_DAYS', 20, 1);
  const reps = intEnv('BENCH_REPS', 3, 1);
  const config = parseConfig({ pulls: { workAnalytics: {} }, warehouse: { type: 'duckdb', path: 'pull.duckdb' } });
  const work = config.pulls.workAnalytics;
  if (work === undefined) throw new Error('unreachable: pulls.workAnalytics has defaults');
  const timeZone = 'UTC';
  // Whole days, ending two days ago (Work Analytics serves only the last two years).
  const to = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);
  const from = new Date(to.getTime() - days * 86_400_000);
  say(`bench:pulls: ${num(records)} Work call records (BENCH_RECORDS) over ${days} days (BENCH_DAYS), pageSize ${work.pageSize} (the default), ${reps} run(s) each (BENCH_REPS)`);
  const seed = seedWorkCalls({ count: records, start: from, timeZone, spacingMs: Math.floor((days * 86_400_000) / records) });
  const fake = await startFakeWorkAnalytics({ records: seed.records, legs: [] });
  const client = new WorkAnalyticsClient({ baseUrl: fake.baseUrl, apiKey: 'test-api-key', username: 'analyst@example.com', password: 'correct horse' });
  const source = workCallRecordsSource(client, { timeZone, pageSize: work.pageSize, legs: false });
  const expected = seed.records.filter((r) => (r['startTimeUTC'] as number) >= from.getTime() && (r['startTimeUTC'] as number) < to.getTime()).length;

  const readOnly = async (): Promise<{ seconds: number; records: number; pages: number }> => {
    const started = performance.now();
    let count = 0;
    let pages = 0;
    for (const window of planWindows({ from, to, timeZone }).windows) {
      let scrollId: string | null = null;
      do {
        const page = await client.callRecords({ from: window.start, to: window.end, timeZone, pageSize: work.pageSize, scrollId });
        count += page.records.length;
        pages += 1;
        scrollId = page.scrollId;
      } while (scrollId !== null);
    }
    return { seconds: (performance.now() - started) / 1000, records: count, pages };
  };
  let threads = '?';
  const pull = async (): Promise<{ seconds: number; records: number; pages: number; rows: number }> => {
    // Opened as `switchboard pull` opens the default warehouse, from an empty file each time.
    for (const file of ['pull.duckdb', 'pull.duckdb.wal']) rmSync(join(dir, file), { force: true });
    const wh = await openMigrated(warehouseConfigOf(config.warehouse, dir), { rawSchema: 'raw', modelsSchema: 'analytics' }, pino({ level: 'silent' }));
    try {
      threads = String((await wh.all<{ t: string }>("SELECT CAST(current_setting('threads') AS VARCHAR) AS t"))[0]?.t ?? '?');
      const started = performance.now();
      const result = await runPull(wh, source, { rawSchema: 'raw', range: { from, to } });
      const seconds = (performance.now() - started) / 1000;
      const [row] = await wh.all<{ n: number }>('SELECT COUNT(*) AS n FROM raw.work_events');
      return { seconds, records: result.landed, pages: result.pages, rows: Number(row?.n ?? 0) };
    } finally {
      await wh.close();
    }
  };

  await readOnly(); // warm-up: JIT, sockets, the fake's first filter
  const a: number[] = [];
  const b: number[] = [];
  let ok = true;
  for (let rep = 1; rep <= reps; rep++) {
    const base = await readOnly();
    say(`  ${rep}/${reps} (a) reads only:   ${num(base.records)} records in ${num(base.pages)} pages, ${base.seconds.toFixed(2)} s`);
    const landed = await pull();
    say(`  ${rep}/${reps} (b) runPull:      ${num(landed.records)} records in ${num(landed.pages)} pages, ${landed.seconds.toFixed(2)} s; ${num(landed.rows)} rows in raw.work_events`);
    if (base.records !== expected || landed.records !== expected || landed.rows !== expected) {
      say(`  MISMATCH: expected ${num(expected)} records everywhere`);
      ok = false;
    }
    a.push(base.seconds);
    b.push(landed.seconds);
  }
  await fake.close();

  const aRate = expected / median(a);
  const bRate = expected / median(b);
  process.stdout.write(
    [
      '',
      `bench:pulls results (medians of ${reps} alternating runs; ${cpus().length} cores, node ${process.version}, DuckDB threads=${threads}, a fresh file per run)`,
      `  (a) reads only        ${num(aRate).padStart(9)} records/s   (${median(a).toFixed(2)} s)`,
      `  (b) pull and land     ${num(bRate).padStart(9)} records/s   (${median(b).toFixed(2)} s)`,
      `  pull / reads = ${(bRate / aRate).toFixed(2)} (landing in DuckDB with the cursor costs ${(((median(b) - median(a)) / median(b)) * 100).toFixed(0)} % of the backfill's time; no target set)`,
      '',
    ].join('\n'),
  );
  return ok;
}

const { dir, cleanUp } = benchTempDir('pulls', say);
main(dir).then(
  (ok) => {
    cleanUp();
    process.exit(ok ? 0 : 1);
  },
  (error: unknown) => {
    say(`bench:pulls failed: ${(error as Error).stack ?? String(error)}`);
    cleanUp();
    process.exit(2);
  },
);
