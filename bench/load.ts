/**
 * One autocannon run against a messaging webhook route, with rotating bodies.
 * Autocannon runs in this process, so its own CPU cost is measured too: on a small machine
 * the load generator competes with the server for the same cores.
 */
import autocannon from 'autocannon';
import type { PayloadSource } from './payloads.js';
import { cpuTimes, type CpuTimes } from './processes.js';

export const CONNECTIONS = 50;
export const ROUTE = '/webhooks/8x8/messaging';

export interface LoadOptions {
  /** The server's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  seconds: number;
  payloads: PayloadSource;
  authorization: string;
  /** The server's pid, to measure its CPU over the run. */
  serverPid: number;
  /** Called once a second while the load runs (e.g. to sample RSS). */
  everySecond?: () => void;
}

export interface LoadResult {
  /** 2xx answers per second: acknowledged deliveries. */
  eventsPerSecond: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  max: number;
  /** 2xx answers (deliveries acknowledged), and how many were first deliveries of an event. */
  ok: number;
  freshAcked: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU µs per acknowledged delivery: the server's (all threads, and its main thread) and the load generator's. */
  serverCpuUs: number;
  serverMainCpuUs: number;
  clientCpuUs: number;
}

interface Context {
  fresh?: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { payloads } = options;
  let freshAcked = 0;
  const server0: CpuTimes = cpuTimes(options.serverPid);
  const client0 = process.cpuUsage();
  const ticker = options.everySecond === undefined ? undefined : setInterval(options.everySecond, 1000);
  let result: autocannon.Result;
  try {
    result = await autocannon({
      url: `${options.url}${ROUTE}`,
      connections: CONNECTIONS,
      duration: options.seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: options.authorization },
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
  const server1 = cpuTimes(options.serverPid);
  const ok = result['2xx'];
  const perEvent = (seconds: number): number => (ok === 0 ? 0 : (seconds / ok) * 1e6);
  return {
    eventsPerSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    freshAcked,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuUs: perEvent(server1.total - server0.total),
    serverMainCpuUs: perEvent(server1.main - server0.main),
    clientCpuUs: ok === 0 ? 0 : (client.user + client.system) / ok,
  };
}
