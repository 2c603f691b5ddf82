/**
 * The SIGKILL tests' load: signed JaaS (meetings) webhooks, one event per key, a POST that
 * reports whether the server acknowledged it (200) or not (any other answer, or a connection
 * the kill reset), rounds of load ended by SIGKILL, and a last drain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJaas } from '../../ingest/families/meetings/index.js';
import type { ServerProcess } from './server-process.js';

/** A PARTICIPANT_LEFT event whose idempotencyKey (the dedupe key) is `key`. */
export function jaasEventBody(key: string): string {
  return JSON.stringify({
    idempotencyKey: key, customerId: 'c1', appId: 'vpaas-magic-cookie-c1', eventType: 'PARTICIPANT_LEFT',
    sessionId: 's1', timestamp: 1741091405512, fqn: 'vpaas-magic-cookie-c1/room', data: { name: 'X', disconnectReason: 'left' },
  });
}

/** POSTs the event for `key`, signed with `secret`; true only when the server answered 200. */
export async function postJaasEvent(url: string, secret: string, key: string): Promise<boolean> {
  const body = jaasEventBody(key);
  try {
    const res = await fetch(`${url}/webhooks/8x8/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jaas-signature': signJaas(secret, Math.floor(Date.now() / 1000), body) },
      body,
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // connection reset by the kill: not acknowledged
  }
}

/** What a {@link sendUnderKills} run sent: deliveries per key that were acknowledged, and attempted. */
export interface KillLoad {
  acked: Map<string, number>;
  attempts: Map<string, number>;
}

/** How {@link sendUnderKills} loads and kills. */
export interface KillLoadOptions {
  rounds: number;
  senders: number;
  secret: string;
  start: () => Promise<ServerProcess>;
  /** Each round is killed after a random time in this range, in ms. Default [200, 800]. */
  killAfterMs?: readonly [number, number];
  /** Each sender waits this long between its sends, in ms, to keep the load a remote warehouse can drain. Default 0. */
  pauseMs?: number;
}

/**
 * `rounds` times: starts a server, has `senders` concurrent senders post signed events (one
 * send in five retries an acknowledged event), and SIGKILLs the server mid-load: after a
 * random 200–800 ms (`killAfterMs`), and not before the round has had 20 acknowledgements,
 * however slow a shared machine is today (a kill before any load would prove nothing).
 */
export async function sendUnderKills(options: KillLoadOptions): Promise<KillLoad> {
  const [killMin, killMax] = options.killAfterMs ?? [200, 800];
  const acked = new Map<string, number>();
  const attempts = new Map<string, number>();
  let next = 0;
  for (let round = 0; round < options.rounds; round++) {
    const server = await options.start();
    let stop = false;
    const senders = Array.from({ length: options.senders }, async () => {
      while (!stop) {
        const ackedKeys = [...acked.keys()];
        const key = next % 5 === 4 && ackedKeys.length > 0 ? (ackedKeys[next % ackedKeys.length] as string) : `k-${next}`;
        next += 1;
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
        if (await postJaasEvent(server.url, options.secret, key)) acked.set(key, (acked.get(key) ?? 0) + 1);
        if (options.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    });
    const ackedBefore = acked.size;
    await new Promise((resolve) => setTimeout(resolve, killMin + Math.random() * (killMax - killMin)));
    for (let waited = 0; acked.size - ackedBefore < 20 && waited < 30_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
  }
  return { acked, attempts };
}

/**
 * Waits up to `timeoutMs` (default 60 s) for `server`'s spool backlog to reach 0 (from its
 * operator API, with the admin token in `dir`), then stops it with SIGTERM. Returns the last
 * backlog and its output.
 */
export async function drainAndStop(server: ServerProcess, dir: string, timeoutMs = 60_000): Promise<{ backlog: number; output: string }> {
  let backlog = -1;
  for (let waited = 0; waited < timeoutMs && backlog !== 0; waited += 100) {
    const headers = { authorization: `Bearer ${readFileSync(join(dir, 'admin-token'), 'utf8').trim()}` };
    const status = (await (await fetch(`${server.adminUrl}/status`, { headers })).json()) as { spool: { backlogBytes: number } };
    backlog = status.spool.backlogBytes;
    if (backlog !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.kill('SIGTERM');
  return { backlog, output: server.output().slice(-4000) };
}
