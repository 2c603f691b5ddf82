/**
 * npm run bench:ingest: the landing endpoint against a bare Fastify route, in one run.
 *
 *   (a) bench/bare-server.ts: same path, reads the body, answers 202, stores nothing;
 *   (b) `switchboard serve` on DuckDB with durable landing (spool fsync on, the default).
 *
 * Each gets 50 connections of realistic messaging webhooks for BENCH_SECONDS (default 15)
 * after a 2 s warm-up that is not counted, in BENCH_SLICES (default 3) slices taken in
 * turn, a, b, a, b, …: a shared machine's speed drifts by more than the difference being
 * measured, and alternating makes the drift hit both servers alike. Printed: events/s,
 * latency, errors and CPU per event for both, the ratio (b)/(a), (b)'s RSS over time, how
 * long the warehouse takes to catch up, and whether every acknowledged event landed.
 * See bench/README.md.
 *
 * Exit code: 0 whether speed targets pass or miss (a benchmark reports); 1 when acknowledged
 * events are missing from the warehouse; 2 when the run broke (a server did not start, …).
 *
 * Diagnostics, never the reported configuration: BENCH_FSYNC=0 turns the spool's fsync off;
 * BENCH_CPU_PROF=<dir> makes the Switchboard child write a V8 CPU profile there;
 * BENCH_SIGNALS=0 turns the signals off (signals.enabled), to measure what they cost landing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONNECTIONS, runSlice, summarize, type Slice, type Target } from './load.js';
import { PayloadSource } from './payloads.js';
import { killAllChildren, memoryKb, startChild } from './processes.js';
import { formatReport, TARGETS } from './report.js';
import { backlogBytes, countLanded, startSwitchboard, waitForDrain } from './switchboard.js';
import { say } from './env.js';

const WARM_UP_SECONDS = 2;
const AUTHORIZATION = 'Bearer bench-secret';
const BARE_SERVER = fileURLToPath(new URL('./bare-server.js', import.meta.url));

/** 5 → "5", 5.333… → "5.3". */
function formatSeconds(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function benchSeconds(): number {
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`BENCH_SECONDS must be a whole number of seconds ≥ 1, not "${process.env.BENCH_SECONDS}"`);
  return seconds;
}

/** Splits BENCH_SECONDS into BENCH_SLICES (default 3) alternating slices per server. */
function slicing(seconds: number): { slices: number; sliceSeconds: number } {
  const wanted = Number(process.env.BENCH_SLICES ?? 3);
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`BENCH_SLICES must be a whole number ≥ 1, not "${process.env.BENCH_SLICES}"`);
  const slices = Math.min(wanted, seconds);
  return { slices, sliceSeconds: seconds / slices };
}

async function main(dir: string): Promise<boolean> {
  const seconds = benchSeconds();
  const { slices, sliceSeconds } = slicing(seconds);
  const fsync = process.env.BENCH_FSYNC !== '0';
  const signals = process.env.BENCH_SIGNALS !== '0';
  const cpuProfileDir = process.env.BENCH_CPU_PROF === undefined ? undefined : resolve(process.env.BENCH_CPU_PROF);
  say(
    `bench:ingest: ${CONNECTIONS} connections; ${WARM_UP_SECONDS} s warm-up, then ${seconds} s measured per server ` +
      `(BENCH_SECONDS) in ${slices} alternating slice(s) (BENCH_SLICES)`,
  );

  say('starting (a) bare Fastify …');
  const bare = await startChild([BARE_SERVER], {}, /listening on (http:\/\/\S+)/);
  say(`starting (b) switchboard serve (DuckDB, spool fsync ${fsync ? 'on' : 'OFF: diagnostic only'}, signals ${signals ? 'on' : 'OFF (BENCH_SIGNALS=0)'}) …`);
  const sb = await startSwitchboard({ dir, authorization: AUTHORIZATION, fsync, cpuProfileDir, signals });
  const a: Target = { url: bare.url, payloads: new PayloadSource(), authorization: AUTHORIZATION, pid: bare.pid };
  // One payload source for (b)'s warm-up and slices: every slice sends new events, all checked.
  const b: Target = { url: sb.url, payloads: new PayloadSource(), authorization: AUTHORIZATION, pid: sb.pid };

  say(`warming up (a) and (b), ${WARM_UP_SECONDS} s each …`);
  await runSlice(a, WARM_UP_SECONDS);
  const warm = await runSlice(b, WARM_UP_SECONDS);
  let drain = await waitForDrain(sb, TARGETS.drainSeconds * 1000);

  const aSlices: Slice[] = [];
  const bSlices: Slice[] = [];
  const rssKb: number[] = [];
  let backlogAtEnd = 0;
  for (let i = 1; i <= slices && drain.seconds !== null; i++) {
    const of = slices > 1 ? ` (slice ${i}/${slices})` : '';
    say(`running ${formatSeconds(sliceSeconds)} s against (a) bare Fastify${of} …`);
    aSlices.push(await runSlice(a, sliceSeconds));
    say(`running ${formatSeconds(sliceSeconds)} s against (b) Switchboard${of} …`);
    bSlices.push(await runSlice(b, sliceSeconds, () => rssKb.push(memoryKb(sb.pid, 'VmRSS'))));
    backlogAtEnd = await backlogBytes(sb);
    // (b) catches up before (a) runs again, so its drainer never takes (a)'s CPU.
    if (i === slices) say(`waiting up to ${TARGETS.drainSeconds} s for the warehouse to catch up (${(backlogAtEnd / 1024).toFixed(0)} KiB in the spool) …`);
    drain = await waitForDrain(sb, TARGETS.drainSeconds * 1000);
  }
  const peakRssKb = memoryKb(sb.pid, 'VmHWM');
  await bare.stop('SIGTERM', 5_000);

  say('stopping (b) and counting what landed …');
  const code = await sb.stop('SIGTERM');
  if (code !== 0) throw new Error(`switchboard serve exited with ${code} on SIGTERM:\n${sb.output()}`);
  const landed = await countLanded(dir);
  if (cpuProfileDir !== undefined) say(`CPU profile of (b) written under ${cpuProfileDir}`);

  const bResult = summarize(bSlices);
  const verdict = formatReport({
    seconds,
    connections: CONNECTIONS,
    bare: summarize(aSlices),
    switchboard: bResult,
    rssKb,
    peakRssKb,
    backlogAtEnd,
    drainSeconds: drain.seconds,
    backlogLeft: drain.backlog,
    acked: { events: warm.freshAcked + bResult.freshAcked, deliveries: warm.raw['2xx'] + bResult.ok },
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
