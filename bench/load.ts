/**
 * Autocannon runs against a messaging webhook route, with rotating bodies, measured in
 * slices that can be merged: bench:ingest alternates the two servers slice by slice so that
 * a shared machine's drifting speed hits both alike.
 *
 * Autocannon runs in this process, so its own CPU cost is measured too: on a small machine
 * the load generator competes with the server for the same cores.
 */
import autocannon from 'autocannon';
import type { PayloadSource } from './payloads.js';
import { cpuTimes } from './processes.js';

export const CONNECTIONS = 50;
export const ROUTE = '/webhooks/8x8/messaging';

export interface Target {
  /** The server's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  payloads: PayloadSource;
  authorization: string;
  /** The server's pid, to measure its CPU. */
  pid: number;
}

/** One run's raw figures, before merging. */
export interface Slice {
  /** Autocannon's result with skipAggregateResult (histograms still encoded). */
  raw: autocannon.Result;
  /** 2xx answers to first deliveries of an event (not retries). */
  freshAcked: number;
  /** CPU seconds over the slice: the server's (all threads; main thread) and this process's. */
  serverCpu: number;
  serverMainCpu: number;
  clientCpu: number;
}

export interface LoadResult {
  /** 2xx answers per second: acknowledged deliveries. */
  eventsPerSecond: number;
  /** The same, per slice: how much the machine drifted. */
  sliceRates: number[];
  /** Latency of 2xx answers in ms. */
  p50: number;
  p99: number;
  max: number;
  /** 2xx answers (deliveries acknowledged), and how many were first deliveries of an event. */
  ok: number;
  freshAcked: number;
  non2xx: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** CPU µs per acknowledged delivery: the server's (all threads; main thread) and the load generator's. */
  serverCpuUs: number;
  serverMainCpuUs: number;
  clientCpuUs: number;
}

interface Context {
  fresh?: boolean;
}

/** Drives `target` with 50 connections for `seconds`; `everySecond` runs meanwhile (e.g. to sample RSS). */
export async function runSlice(target: Target, seconds: number, everySecond?: () => void): Promise<Slice> {
  const { payloads } = target;
  let freshAcked = 0;
  const server0 = cpuTimes(target.pid);
  const client0 = process.cpuUsage();
  const ticker = everySecond === undefined ? undefined : setInterval(everySecond, 1000);
  let raw: autocannon.Result;
  try {
    raw = await autocannon({
      url: `${target.url}${ROUTE}`,
      connections: CONNECTIONS,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: target.authorization },
      skipAggregateResult: true,
      requests: [
        {
          // Autocannon calls onResponse for a request before setupRequest for the next one
          // on the same connection, so the per-connection context tells them apart.
          setupRequest: (request, context: Context) => {
            const { body, fresh } = payloads.body();
            context.fresh = fresh;
            return { ...request, body };
          },
          onResponse: (status, _body, context: Context) => {
            if (status >= 200 && status < 300 && context.fresh === true) freshAcked += 1;
          },
        },
      ],
    });
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
  }
  const client = process.cpuUsage(client0);
  const server1 = cpuTimes(target.pid);
  return {
    raw,
    freshAcked,
    serverCpu: server1.total - server0.total,
    serverMainCpu: server1.main - server0.main,
    clientCpu: (client.user + client.system) / 1e6,
  };
}

// Public in autocannon (it merges its workers' results with it) but missing from @types/autocannon.
const { aggregateResult } = autocannon as unknown as {
  aggregateResult(results: autocannon.Result[], options: { url: string; connections: number }): autocannon.Result;
};

/** Merges slices into one result; latency percentiles come from the merged histograms. */
export function summarize(slices: readonly Slice[]): LoadResult {
  if (slices.length === 0) {
    return { eventsPerSecond: 0, sliceRates: [], p50: 0, p99: 0, max: 0, ok: 0, freshAcked: 0, non2xx: 0, errors: 0, timeouts: 0, serverCpuUs: 0, serverMainCpuUs: 0, clientCpuUs: 0 };
  }
  const sum = (pick: (slice: Slice) => number): number => slices.reduce((total, slice) => total + pick(slice), 0);
  const merged = aggregateResult(
    slices.map((slice) => slice.raw),
    { url: 'http://127.0.0.1', connections: CONNECTIONS },
  );
  const ok = sum((s) => s.raw['2xx']);
  const seconds = sum((s) => s.raw.duration);
  const perEvent = (cpuSeconds: number): number => (ok === 0 ? 0 : (cpuSeconds / ok) * 1e6);
  return {
    eventsPerSecond: seconds === 0 ? 0 : ok / seconds,
    sliceRates: slices.map((s) => (s.raw.duration === 0 ? 0 : s.raw['2xx'] / s.raw.duration)),
    p50: merged.latency.p50,
    p99: merged.latency.p99,
    max: merged.latency.max,
    ok,
    freshAcked: sum((s) => s.freshAcked),
    non2xx: sum((s) => s.raw.non2xx),
    errors: sum((s) => s.raw.errors),
    timeouts: sum((s) => s.raw.timeouts),
    serverCpuUs: perEvent(sum((s) => s.serverCpu)),
    serverMainCpuUs: perEvent(sum((s) => s.serverMainCpu)),
    clientCpuUs: perEvent(sum((s) => s.clientCpu)),
  };
}
