/**
 * The summary bench:ingest prints: one row per server, then each target with its figure
 * and PASS/MISS. Speed targets only report; the correctness rows decide the exit code.
 */
import type { LoadResult } from './load.js';

export const TARGETS = { ratio: 0.5, p99Ms: 25, rssGrowth: 1.5, drainSeconds: 60 } as const;

export interface Report {
  seconds: number;
  connections: number;
  bare: LoadResult;
  switchboard: LoadResult;
  /** RSS samples (KiB) taken once a second while (b) was under load, and its peak (VmHWM). */
  rssKb: number[];
  peakRssKb: number;
  /** Backlog (bytes) when the load stopped; seconds until it was 0 (null: not within the limit), and what was left. */
  backlogAtEnd: number;
  drainSeconds: number | null;
  backlogLeft: number;
  /** Distinct events and deliveries acknowledged (warm-up included), and what the warehouse holds. */
  acked: { events: number; deliveries: number };
  landed: { events: number; deliveries: number };
  fsync: boolean;
}

export interface Verdict {
  lines: string[];
  /** False when the run itself is broken: acknowledged events not in the warehouse. */
  correct: boolean;
}

const mark = (pass: boolean): string => (pass ? 'PASS' : 'MISS');
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const num = (n: number): string => Math.round(n).toLocaleString('en-US');

function serverRow(name: string, r: LoadResult): string {
  return [
    name.padEnd(36),
    num(r.eventsPerSecond).padStart(8),
    String(r.p50).padStart(6),
    String(r.p99).padStart(6),
    String(r.max).padStart(7),
    String(r.non2xx).padStart(8),
    `${r.errors} (${r.timeouts})`.padStart(10),
    `${r.serverCpuUs.toFixed(0)} (${r.serverMainCpuUs.toFixed(0)})`.padStart(13),
    r.clientCpuUs.toFixed(0).padStart(8),
  ].join(' ');
}

export function formatReport(report: Report): Verdict {
  const { bare: a, switchboard: b } = report;
  const ratio = a.eventsPerSecond === 0 ? 0 : b.eventsPerSecond / a.eventsPerSecond;
  const half = report.rssKb.slice(Math.floor(report.rssKb.length / 2));
  const [low, high] = half.length === 0 ? [0, 0] : [Math.min(...half), Math.max(...half)];
  const bounded = half.length > 0 && high <= low * TARGETS.rssGrowth;
  const trend = slopeKbPerSecond(report.rssKb) / 1024;
  const drained = report.drainSeconds !== null;
  const allLanded = drained && report.landed.events >= report.acked.events && report.landed.deliveries >= report.acked.deliveries;
  const target = (label: string, figure: string, goal: string, verdict: string): string =>
    `  ${label.padEnd(30)} ${figure.padEnd(46)} ${goal.padEnd(26)} ${verdict}`;

  const lines = [
    '',
    `bench:ingest results: ${report.connections} connections, ${report.seconds} s measured per server in alternating slices, messaging webhooks (1 in 20 a retry)`,
    '',
    `  ${'server'.padEnd(36)} ${'events/s'.padStart(8)} ${'p50 ms'.padStart(6)} ${'p99 ms'.padStart(6)} ${'max ms'.padStart(7)} ${'non-2xx'.padStart(8)} ${'errors(t/o)'.padStart(10)} ${'srv CPU µs/ev'.padStart(13)} ${'load µs'.padStart(8)}`,
    `  ${serverRow('(a) bare Fastify, 202, no storage', a)}`,
    `  ${serverRow(`(b) Switchboard, DuckDB, fsync ${report.fsync ? 'on' : 'OFF'}`, b)}`,
    `      events/s per slice: (a) ${a.sliceRates.map(num).join(' / ')}; (b) ${b.sliceRates.map(num).join(' / ')}`,
    '      srv CPU µs/ev: server CPU per acknowledged event, all threads (main thread in brackets);',
    '      load µs: the load generator\'s own CPU per request (it shares the cores).',
    '',
    target('target', 'figure', 'goal', ''),
    target('events/s ratio (b)/(a)', ratio.toFixed(2), `≥ ${TARGETS.ratio.toFixed(2)}`, mark(ratio >= TARGETS.ratio)),
    target('(b) p99 latency', `${b.p99} ms`, `≤ ${TARGETS.p99Ms} ms`, mark(b.p99 <= TARGETS.p99Ms)),
    target(
      '(b) RSS, second half of run',
      `${mib(low)}–${mib(high)}, ${trend >= 0 ? '+' : ''}${trend.toFixed(1)} MiB/s, peak ${mib(report.peakRssKb)}`,
      `bounded: max ≤ ${TARGETS.rssGrowth} × min`,
      mark(bounded),
    ),
    target(
      '(b) warehouse caught up',
      drained
        ? `${report.drainSeconds?.toFixed(1)} s (backlog was ${(report.backlogAtEnd / 1024).toFixed(0)} KiB)`
        : `NO: ${report.backlogLeft} bytes left`,
      `≤ ${TARGETS.drainSeconds} s after the load`,
      drained ? 'PASS' : 'FAIL',
    ),
    target(
      '(b) rows landed',
      `${num(report.landed.events)} events, ${num(report.landed.deliveries)} deliveries`,
      `≥ ${num(report.acked.events)}, ≥ ${num(report.acked.deliveries)} ack'd`,
      allLanded ? 'PASS' : 'FAIL',
    ),
  ];
  if (!report.fsync) lines.push('', '  DIAGNOSTIC RUN: spool.fsync was OFF; these are not the durable figures.');
  return { lines, correct: allLanded };
}

/** Least-squares slope of samples taken once a second (KiB per second); 0 for fewer than 2. */
function slopeKbPerSecond(samples: readonly number[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}
