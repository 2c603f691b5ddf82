/**
 * A signed JaaS (meetings) webhook, as the SIGKILL tests send them: one event per key, and a
 * POST that reports whether the server acknowledged it (200) or not (any other answer, or a
 * connection the kill reset).
 */
import { signJaas } from '../../ingest/families/meetings/index.js';

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
