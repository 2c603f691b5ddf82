/**
 * What bench:sync prints: the data and environment, each measurement with its breakdown,
 * then each target with its figure, its baseline from the same run, and PASS/MISS.
 */
import type { SyncRunResult } from '../sync/engine.js';
import type { Buckets } from './sync-probe.js';
import type { PacedResult } from './sync-paced.js';

export const SYNC_TARGETS = {
  /** The diff of a 1M-row model with 1 % changed, on DuckDB. */
  diffSeconds: 5,
  /** Records/s over the rate-limit ceiling N × 200. */
  ceilingShare: 0.9,
  /** API calls per record with sObject Collections. */
  collectionsCallsPerRecord: 1 / 150,
  /** "Far lower" with Bulk API 2.0, read as an order of magnitude below the Collections target. */
  bulkCallsPerRecord: 1 / 1500,
} as const;

/** One timed sync run through the engine. */
export interface SendMeasurement {
  label: string;
  result: SyncRunResult;
  /** From the engine's `planned` event (the diff is done) to the end of the run. */
  sendSeconds: number;
  buckets: Buckets;
  apiCalls: number;
  limited: number;
  byKind: Record<string, number>;
  bulkThreshold: number;
  batchSize: number;
  /** Rows the run appended to switchboard_sync.outcomes, by status. */
  outcomeRows: Record<string, number>;
}

export interface SyncReport {
  data: string[];
  environment: string;
  reps: number;
  rps: number;
  changed: number;
  diff: { dryRun: number[]; create: number[]; hash: number[] };
  collections: SendMeasurement;
  paced: PacedResult;
  bulk: SendMeasurement;
  problems: string[];
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const s2 = (s: number): string => s.toFixed(2);
const mark = (pass: boolean): string => (pass ? 'PASS' : 'MISS');
/** 0.0057 → "1/175". */
const oneIn = (ratio: number): string => (ratio === Infinity ? 'n/a (nothing sent)' : ratio === 0 ? '0' : `1/${num(1 / ratio)}`);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function kinds(byKind: Record<string, number>): string {
  return Object.entries(byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

function describeSend(m: SendMeasurement): string[] {
  const b = m.buckets;
  const other = Math.max(0, m.result.seconds - b.checkpoint.seconds - b.warehouse.seconds - b.send.seconds - b.backoff.seconds);
  const asked = b.backoff.asked;
  return [
    `${m.label}: bulkThreshold ${num(m.bulkThreshold)}, batch ${num(m.batchSize)} records per send()`,
    `    ${num(m.result.sent)} sent, ${num(m.result.rejected)} rejected, ${num(m.result.retrying)} still retrying, status ${m.result.status}` +
      `${m.result.error === null ? '' : ` (${m.result.error.code}: ${m.result.error.message})`}`,
    `    run ${s2(m.result.seconds)} s = diff and planning ${s2(m.result.seconds - m.sendSeconds)} s + sending ${s2(m.sendSeconds)} s`,
    `    where the time went: send() ${s2(b.send.seconds)} s in ${b.send.count} call(s); backoff ${s2(b.backoff.seconds)} s in ${b.backoff.count} wait(s)` +
      `${asked.length === 0 ? '' : ` (asked ${asked.map((ms) => s2(ms / 1000)).join(', ')} s)`}; ` +
      `checkpoints ${s2(b.checkpoint.seconds)} s in ${b.checkpoint.count} transaction(s); other SQL ${s2(b.warehouse.seconds)} s; the rest ${s2(other)} s`,
    `    checkpoint statements: ${[...b.statements]
      .sort((x, y) => y[1].seconds - x[1].seconds)
      .map(([kind, t]) => `${kind} ${s2(t.seconds)} s in ${t.count} (${num(t.params)} parameters)`)
      .join('; ')}`,
    `    outcome rows written: ${kinds(m.outcomeRows)}`,
    `    API calls: ${num(m.apiCalls)} (${kinds(m.byKind)}), ${num(m.limited)} of them refused for the rate limit`,
  ];
}

export function formatSyncReport(r: SyncReport): { lines: string[]; correct: boolean } {
  const diff = median(r.diff.dryRun);
  const create = median(r.diff.create);
  const hash = median(r.diff.hash);
  const ceiling = r.rps * 200;
  const c = r.collections;
  const rate = c.result.sent / c.sendSeconds;
  const pacedRate = r.changed / r.paced.seconds;
  // Nothing sent: no figure (Infinity reads as MISS below).
  const perRecord = (m: SendMeasurement): number => (m.result.sent === 0 ? Infinity : m.apiCalls / m.result.sent);
  const cPerRecord = perRecord(c);
  const b = r.bulk;
  const bPerRecord = perRecord(b);
  const lines = [
    '',
    `bench:sync results (the diff: median of ${r.reps} run(s), alternating with its baseline)`,
    '',
    ...r.data.map((l) => `  ${l}`),
    `  ${r.environment}`,
    '',
    `  diff (\`switchboard sync --dry-run\`: runSync with dryRun): ${r.diff.dryRun.map(s2).join(' / ')} s`,
    `    of which CREATE TABLE … AS the diff: ${r.diff.create.map(s2).join(' / ')} s`,
    `    baseline, hashing every row alone (same content expression, no join, no dedupe, nothing written): ${r.diff.hash.map(s2).join(' / ')} s`,
    `  ${describeSend(c).join('\n  ')}`,
    `    baseline, the same ${num(r.paced.calls - r.paced.refused)} Collections calls from plain jsforce, paced by the client to ${r.rps} per 1 s window: ` +
      `${s2(r.paced.seconds)} s, ${num(pacedRate)} records/s, ${r.paced.refused} refused, ${r.paced.failed} failed records`,
    `  ${describeSend(b).join('\n  ')}`,
    `    records/s over the send: ${num(b.result.sent / b.sendSeconds)} (no rate ceiling applies: the calls are few)`,
    '',
    `  diff = ${s2(diff)} s (CREATE TABLE AS ${s2(create)} s) vs hashing every row ${s2(hash)} s = ${(diff / hash).toFixed(2)} × (target < ${SYNC_TARGETS.diffSeconds} s) ${mark(diff < SYNC_TARGETS.diffSeconds)}`,
    `  records/s = ${num(rate)} of ceiling ${num(ceiling)} (N=${r.rps} req/s × 200) = ${(rate / ceiling).toFixed(3)} (target ≥ ${SYNC_TARGETS.ceilingShare.toFixed(2)}) ${mark(rate / ceiling >= SYNC_TARGETS.ceilingShare)}` +
      `   [client-paced jsforce: ${num(pacedRate)} = ${(pacedRate / ceiling).toFixed(3)}]`,
    `  API calls/record, Collections = ${num(c.apiCalls)} / ${num(c.result.sent)} = ${oneIn(cPerRecord)} (target ≤ 1/150) ${mark(cPerRecord <= SYNC_TARGETS.collectionsCallsPerRecord)}` +
      `   [refused calls included; without them ${c.result.sent === 0 ? 'n/a' : oneIn((c.apiCalls - c.limited) / c.result.sent)}]`,
    `  API calls/record, Bulk 2.0 = ${num(b.apiCalls)} / ${num(b.result.sent)} = ${oneIn(bPerRecord)}` +
      `${Number.isFinite(bPerRecord / cPerRecord) ? ` = ${(bPerRecord / cPerRecord).toFixed(2)} × Collections'` : ''} ` +
      `(target "far lower", read as ≤ 1/1,500) ${mark(bPerRecord <= SYNC_TARGETS.bulkCallsPerRecord)}`,
  ];
  if (r.problems.length > 0) lines.push('', '  PROBLEMS (the figures above are not trustworthy):', ...r.problems.map((p) => `    ${p}`));
  return { lines, correct: r.problems.length === 0 };
}
