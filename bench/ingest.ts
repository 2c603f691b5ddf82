/**
 * npm run bench:ingest: the landing endpoint against a bare Fastify route, in one run.
 *
 *   (a) bench/bare-server.ts: same path, reads the body, answers 202, stores nothing;
 *   (b) `switchboard serve` on DuckDB with durable landing (fsync on, the default).
 *
 * Each gets 50 connections of realistic messaging webhooks for BENCH_SECONDS (default 15)
 * after a 2 s warm-up. Printed: events/s, p50/p99 latency, errors, the ratio (b)/(a), and
 * for (b) RSS over time and at peak, then how long the warehouse takes to catch up and
 * whether every acknowledged event landed (a failure there exits non-zero).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openWarehouse } from '../sql/warehouses/index.js';
import { PayloadSource } from './payloads.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 50;
const SECRET = 'Bearer bench-secret';
const DIST = fileURLToPath(new URL('../', import.meta.url)); // dist/
const children: ChildProcess[] = [];

interface RunResult {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  freshAcked: number;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function startChild(args: string[], env: Record<string, string>, pattern: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

async function load(url: string, seconds: number, count: boolean, payloads = new PayloadSource()): Promise<RunResult> {
  let freshAcked = 0;
  const result = await autocannon({
    url: `${url}/webhooks/8x8/messaging`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: SECRET },
    requests: [
      {
        setupRequest: (request, context) => {
          const { body, fresh } = payloads.body();
          (context as { fresh?: boolean }).fresh = fresh;
          return { ...request, body };
        },
        onResponse: (status, _body, context) => {
          if (count && status >= 200 && status < 300 && (context as { fresh?: boolean }).fresh === true) freshAcked += 1;
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    eventsPerSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    freshAcked,
  };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    say(`bench:ingest: ${CONNECTIONS} connections, ${SECONDS} s per server (BENCH_SECONDS), realistic messaging webhooks`);

    say('starting (a) bare Fastify …');
    const bare = await startChild([join(DIST, 'bench/bare-server.js')], {}, /listening on (http:\/\/\S+)/);
    say('warming up (a) …');
    await load(bare.url, 2, false);
    say(`running ${SECONDS} s against (a) bare Fastify …`);
    const bareCpu = cpuSeconds(bare.child.pid as number);
    const a = await load(bare.url, SECONDS, false);
    const aCpuUs = ((cpuSeconds(bare.child.pid as number) - bareCpu) / a.ok) * 1e6;
    bare.child.kill('SIGTERM');

    const config = join(dir, 'switchboard.json');
    writeFileSync(
      config,
      JSON.stringify({
        warehouse: { type: 'duckdb', path: join(dir, 'wh.duckdb') },
        // BENCH_FSYNC=0 is a diagnostic only (how much is the disk?): acknowledged events could be lost.
        spool: { dir: join(dir, 'spool'), fsync: process.env.BENCH_FSYNC !== '0' },
        server: { rateLimit: { max: 100_000_000 } },
        admin: { enabled: false },
        log: { level: 'warn' },
      }),
    );
    say('starting (b) switchboard serve (DuckDB, fsync on) …');
    const sb = await startChild(
      [join(DIST, 'cli/main.js'), 'serve', '--config', config, '--port', '0'],
      { SWITCHBOARD_MESSAGING_AUTHORIZATION: SECRET },
      /listening on (http:\/\/[^\s;()]+)/,
    );
    const pid = sb.child.pid as number;
    say('warming up (b) …');
    const payloads = new PayloadSource(); // shared, so the measured run sends new events, not the warm-up's again
    const warm = await load(sb.url, 2, true, payloads);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssKb(pid, 'VmRSS')), 1000);
    say(`running ${SECONDS} s against (b) Switchboard …`);
    const sbCpu = cpuSeconds(pid);
    const b = await load(sb.url, SECONDS, true, payloads);
    const bCpuUs = ((cpuSeconds(pid) - sbCpu) / b.ok) * 1e6;
    clearInterval(sampler);
    const peakKb = rssKb(pid, 'VmHWM');

    say('waiting for the warehouse to catch up …');
    const drainStart = Date.now();
    let backlog = -1;
    while (Date.now() - drainStart < 120_000) {
      const ready = (await (await fetch(`${sb.url}/readyz`)).json()) as { spool: { backlogBytes: number } };
      backlog = ready.spool.backlogBytes;
      if (backlog === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const exited = new Promise((resolve) => sb.child.once('exit', resolve));
    sb.child.kill('SIGTERM');
    await exited;
    const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
    const [row] = await wh.all<{ n: number; deliveries: number }>(
      'SELECT count(*) AS n, sum(delivery_count) AS deliveries FROM raw.messaging_events',
    );
    await wh.close();
    const acked = warm.freshAcked + b.freshAcked;

    const half = rss.slice(Math.floor(rss.length / 2));
    const ratio = b.eventsPerSecond / a.eventsPerSecond;
    const mark = (pass: boolean) => (pass ? 'PASS' : 'MISS');
    const fmt = (r: RunResult) =>
      `${r.eventsPerSecond.toFixed(0).padStart(8)} ev/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
    const lines = [
      '',
      'bench:ingest results',
      `  (a) bare Fastify, 202, no storage   ${fmt(a)}`,
      `  (b) Switchboard, durable on DuckDB  ${fmt(b)}`,
      '',
      `  ratio (b)/(a) events/s     ${ratio.toFixed(2)}    target ≥ 0.50   ${mark(ratio >= 0.5)}`,
      `  (b) p99 latency            ${b.p99} ms    target ≤ 25 ms  ${mark(b.p99 <= 25)}`,
      `  server CPU per event       (a) ${aCpuUs.toFixed(0)} µs   (b) ${bCpuUs.toFixed(0)} µs (includes landing in DuckDB)`,
      `  (b) peak RSS               ${(peakKb / 1024).toFixed(0)} MiB; RSS in the second half ${(Math.min(...half) / 1024).toFixed(0)}–${(Math.max(...half) / 1024).toFixed(0)} MiB   target: bounded   ${mark(Math.max(...half) <= Math.min(...half) * 1.5)}`,
      `  warehouse caught up        ${backlog === 0 ? `${drainSeconds.toFixed(1)} s after the load` : `NOT within 120 s (backlog ${backlog} bytes)`}`,
      `  landed                     ${row?.n} events (${row?.deliveries} deliveries) for ${acked} distinct events acknowledged`,
    ];
    if (process.env.BENCH_FSYNC === '0') lines.push('  DIAGNOSTIC RUN: spool.fsync was off; these are not the durable figures');
    process.stdout.write(`${lines.join('\n')}\n`);
    if (backlog !== 0 || Number(row?.n ?? 0) < acked) {
      process.stderr.write('FAILED: acknowledged events are missing from the warehouse\n');
      process.exitCode = 1;
    }
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
