/**
 * npm run bench:ingest: the landing endpoint against a bare Fastify route, in one run.
 *
 *   (a) bench/bare-server.ts: same path, reads the body, answers 202, stores nothing;
 *   (b) `switchboard serve` on DuckDB with durable landing (spool fsync on, the default).
 *
 * Each gets 50 connections of realistic messaging webhooks for BENCH_SECONDS (default 15)
 * after a 2 s warm-up that is not counted. Printed: events/s, latency, errors and CPU per
 * event for both, the ratio (b)/(a), (b)'s RSS over time, how long the warehouse takes to
 * catch up, and whether every acknowledged event landed. See bench/README.md.
 *
 * Exit code: 0 whether speed targets pass or miss (a benchmark reports); 1 when acknowledged
 * events are missing from the warehouse; 2 when the run broke (a server did not start, …).
 *
 * Diagnostics, never the reported configuration: BENCH_FSYNC=0 turns the spool's fsync off;
 * BENCH_CPU_PROF=<dir> makes the Switchboard child write a V8 CPU profile there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, runLoad } from './load.js';
import { PayloadSource } from './payloads.js';
import { killAllChildren, memoryKb, startChild } from './processes.js';
import { formatReport, TARGETS } from './report.js';
import { backlogBytes, countLanded, startSwitchboard, waitForDrain } from './switchboard.js';

const WARM_UP_SECONDS = 2;
const AUTHORIZATION = 'Bearer bench-secret';
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

function benchSeconds(): number {
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`BENCH_SECONDS must be a whole number of seconds ≥ 1, not "${process.env.BENCH_SECONDS}"`);
  return seconds;
}

async function main(dir: string): Promise<boolean> {
  const seconds = benchSeconds();
  const fsync = process.env.BENCH_FSYNC !== '0';
  const cpuProfileDir = process.env.BENCH_CPU_PROF === undefined ? undefined : resolve(process.env.BENCH_CPU_PROF);
  say(`bench:ingest: ${CONNECTIONS} connections, ${WARM_UP_SECONDS} s warm-up + ${seconds} s measured per server (BENCH_SECONDS)`);

  say('starting (a) bare Fastify …');
  const bare = await startChild([BARE_SERVER], {}, /listening on (http:\/\/\S+)/);
  const bareLoad = { url: bare.url, payloads: new PayloadSource(), authorization: AUTHORIZATION, serverPid: bare.pid };
  say(`warming up (a) for ${WARM_UP_SECONDS} s …`);
  await runLoad({ ...bareLoad, seconds: WARM_UP_SECONDS });
  say(`running ${seconds} s against (a) bare Fastify …`);
  const a = await runLoad({ ...bareLoad, seconds });
  await bare.stop('SIGTERM', 5_000);

  say(`starting (b) switchboard serve (DuckDB, spool fsync ${fsync ? 'on' : 'OFF: diagnostic only'}) …`);
  const sb = await startSwitchboard({ dir, authorization: AUTHORIZATION, fsync, cpuProfileDir });
  // One payload source for warm-up and run: the run sends new events, and both are checked.
  const sbLoad = { url: sb.url, payloads: new PayloadSource(), authorization: AUTHORIZATION, serverPid: sb.pid };
  say(`warming up (b) for ${WARM_UP_SECONDS} s …`);
  const warm = await runLoad({ ...sbLoad, seconds: WARM_UP_SECONDS });
  say(`running ${seconds} s against (b) Switchboard …`);
  const rssKb: number[] = [];
  const b = await runLoad({ ...sbLoad, seconds, everySecond: () => rssKb.push(memoryKb(sb.pid, 'VmRSS')) });
  const peakRssKb = memoryKb(sb.pid, 'VmHWM');
  const backlogAtEnd = await backlogBytes(sb.url);

  say(`waiting up to ${TARGETS.drainSeconds} s for the warehouse to catch up (${(backlogAtEnd / 1024).toFixed(0)} KiB in the spool) …`);
  const drain = await waitForDrain(sb.url, TARGETS.drainSeconds * 1000);
  say('stopping (b) and counting what landed …');
  const code = await sb.stop('SIGTERM');
  if (code !== 0) throw new Error(`switchboard serve exited with ${code} on SIGTERM:\n${sb.output()}`);
  const landed = await countLanded(dir);
  if (cpuProfileDir !== undefined) say(`CPU profile of (b) written under ${cpuProfileDir}`);

  const verdict = formatReport({
    seconds,
    connections: CONNECTIONS,
    bare: a,
    switchboard: b,
    rssKb,
    peakRssKb,
    backlogAtEnd,
    drainSeconds: drain.seconds,
    backlogLeft: drain.backlog,
    acked: { events: warm.freshAcked + b.freshAcked, deliveries: warm.ok + b.ok },
    landed,
    fsync,
  });
  process.stdout.write(`${verdict.lines.join('\n')}\n`);
  return verdict.correct;
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
const cleanUp = (): void => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the servers`);
    cleanUp();
    process.exit(130);
  });
}

try {
  const correct = await main(dir);
  if (!correct) {
    say('FAILED: acknowledged events are missing from the warehouse (or it did not catch up to check)');
    process.exitCode = 1;
  }
} catch (error) {
  say(`bench:ingest broke: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  cleanUp();
}
