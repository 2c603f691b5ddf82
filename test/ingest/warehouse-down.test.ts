/**
 * "If the warehouse is slow or down, accepted events wait in a local durable spool and drain
 * later": a real Postgres behind a switchable proxy, down at start-up, then up.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createTcpProxy } from '../helpers/tcp-proxy.js';
import { uniqueSchema } from '../helpers/postgres.js';

/**
 * A server of this test's own on Postgres behind a proxy of its own, the warehouse up or down at
 * start. Closed when the test ends, with the warehouse up so that its schema can be dropped.
 */
async function serveBehindProxy(t: TestContext, { up }: { up: boolean }) {
  const proxy = await createTcpProxy(5432);
  let listening = false;
  const warehouse = {
    async up(): Promise<void> {
      if (listening) return;
      await proxy.start();
      listening = true;
    },
    /** Cuts the pooled connections too. */
    async down(): Promise<void> {
      await proxy.stop();
      listening = false;
    },
  };
  let h: Harness | undefined;
  t.after(async () => {
    await warehouse.up();
    await h?.close();
    await proxy.stop();
  });
  if (up) await warehouse.up();
  const rawSchema = uniqueSchema();
  h = await startHarness({
    config: {
      warehouse: { type: 'postgres', url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, rawSchema },
      drain: { maxBackoffMs: 300 },
    },
    rawSchema,
  });
  return { h, warehouse };
}

describe('a warehouse that is down', () => {
  test('serve starts anyway, acknowledges into the spool, and lands everything once the warehouse answers', async (t) => {
    const { h, warehouse } = await serveBehindProxy(t, { up: false });
    for (const sample of ['participant-joined', 'recording-uploaded', 'dial-in-started']) {
      assert.equal((await h.send('meetings', { sample })).statusCode, 200, 'acknowledged while the warehouse is down');
    }
    await waitFor(async () => {
      const ready = (await h.admin({ method: 'GET', url: '/status' })).json() as {
        status: string;
        spool: { writable: boolean; backlogBytes: number };
        warehouse: { reachable: boolean; error: string | null };
        landing: unknown;
        historyError: string | null;
      };
      return (
        ready.status === 'ready' && ready.spool.writable && !ready.warehouse.reachable && ready.spool.backlogBytes > 0 &&
        ready.landing === null && /^the warehouse is not reachable/.test(ready.historyError ?? '')
      );
    }, '/status: ready (spool writable), warehouse unreachable (so no history read, and it says why), backlog waiting');

    await warehouse.up(); // the warehouse comes back
    await waitFor(async () => h.server.drainer.backlogBytes() === 0, 'the backlog drains');
    const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('meetings_events')}`);
    assert.equal(rows[0]?.n, 3);
  });

  test('a warehouse that goes away mid-run: events keep being acknowledged, and land when it is back', async (t) => {
    const { h, warehouse } = await serveBehindProxy(t, { up: true });
    await h.drain(); // the warehouse answers: the drainer is connected
    await warehouse.down(); // cuts the pooled connections too
    assert.equal((await h.send('voice', { sample: 'session-summary' })).statusCode, 200);
    assert.equal((await h.send('voice', { sample: 'call-status' })).statusCode, 200);
    await waitFor(async () => h.server.drainer.lastError !== null, 'the drainer notices the warehouse is gone');
    await warehouse.up();
    await waitFor(async () => h.server.drainer.backlogBytes() === 0 && h.server.drainer.lastError === null, 'the backlog drains');
    const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('voice_events')}`);
    assert.equal(rows[0]?.n, 2);
  });
});
