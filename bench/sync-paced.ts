/**
 * bench:sync's baseline for the send rate: the same records, in the same sObject Collections
 * calls (200 records, `allOrNone: false`), sent with plain jsforce by a client that paces
 * itself to at most N calls in any 1 s window, so it is never refused. No warehouse, no
 * engine, no retries beyond a refused call sent again: what this machine, jsforce and the
 * fake allow at N calls per second.
 */
import { Connection } from 'jsforce';

export interface PacedResult {
  seconds: number;
  calls: number;
  /** Calls the server refused anyway (the client's and the server's clocks differ by the trip). */
  refused: number;
  /** Records with `success: false` in the answers. */
  failed: number;
}

export interface PacedOptions {
  url: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
  requestsPerSecond: number;
  /** Each call's records, as the engine sends them: fields and `Id` (update), or fields and the external ID (upsert). */
  chunks: ReadonlyArray<ReadonlyArray<Record<string, string | number | boolean | null>>>;
  object: string;
  /** The Collections call the engine made: `update` by Id, or `upsert` by `externalIdField`. */
  operation: 'update' | 'upsert';
  externalIdField: string;
  onCall?: (done: number) => void;
}

/** Waits until a call may start without exceeding `perSecond` calls in any 1 s window. */
function pacer(perSecond: number): () => Promise<void> {
  const starts: number[] = [];
  // A little slack: the server counts a call when it arrives, a few ms after it left here.
  const windowMs = 1000 + 15;
  return async () => {
    for (;;) {
      const now = performance.now();
      while (starts.length > 0 && (starts[0] as number) <= now - windowMs) starts.shift();
      if (starts.length < perSecond) {
        starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (starts[0] as number) + windowMs - now));
    }
  };
}

export async function sendPaced(options: PacedOptions): Promise<PacedResult> {
  const conn = new Connection({
    loginUrl: options.url,
    version: options.apiVersion,
    oauth2: { loginUrl: options.url, clientId: options.clientId, clientSecret: options.clientSecret },
  });
  await conn.authorize({ grant_type: 'client_credentials' });
  const slot = pacer(options.requestsPerSecond);
  const result: PacedResult = { seconds: 0, calls: 0, refused: 0, failed: 0 };
  const started = performance.now();
  for (const chunk of options.chunks) {
    for (;;) {
      await slot();
      result.calls += 1;
      try {
        const records = chunk.map((r) => ({ ...r }));
        const sobject = conn.sobject(options.object);
        const saved =
          options.operation === 'update'
            ? await sobject.update(records as Array<{ Id: string }>, { allOrNone: false })
            : await sobject.upsert(records, options.externalIdField, { allOrNone: false });
        result.failed += saved.filter((s) => !s.success).length;
        break;
      } catch (error) {
        if ((error as { errorCode?: string }).errorCode !== 'REQUEST_LIMIT_EXCEEDED') throw error;
        result.refused += 1;
      }
    }
    options.onCall?.(result.calls);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
