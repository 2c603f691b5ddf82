/**
 * "If the warehouse is slow or down, accepted events wait in a local durable spool and drain
 * later": a real Postgres behind a switchable proxy, down at start-up, then up.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { uniqueSchema } from '../helpers/postgres.js';

describe('a warehouse that is down', () => {
  let proxy: TcpProxy;
  let h: Harness;
  after(async () => {
    await h?.close();
    await proxy?.stop();
  });

  test('serve starts anyway, acknowledges into the spool, and lands everything once the warehouse answers', async () => {
    proxy = await createTcpProxy(5432);
    const rawSchema = uniqueSchema();
    h = await startHarness({
      config: {
        warehouse: { type: 'postgres', url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, rawSchema },
        drain: { maxBackoffMs: 300 },
      },
      rawSchema,
    });
    for (const sample of ['participant-joined', 'recording-uploaded', 'dial-in-started']) {
      assert.equal((await h.send('meetings', { sample })).statusCode, 200, 'acknowledged while the warehouse is down');
    }
    await waitFor(async () => {
      const ready = (await h.admin({ method: 'GET', url: '/status' })).json() as {
        status: string;
        spool: { writable: boolean; backlogBytes: number };
        warehouse: { reachable: boolean; error: string | null };
      };
      return ready.status === 'ready' && ready.spool.writable && !ready.warehouse.reachable && ready.spool.backlogBytes > 0;
    }, '/status: ready (spool writable), warehouse unreachable, backlog waiting');

    await proxy.start(); // the warehouse comes back
    await waitFor(async () => h.server.drainer.backlogBytes() === 0, 'the backlog drains');
    const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('meetings_events')}`);
    assert.equal(rows[0]?.n, 3);
  });

  test('a warehouse that goes away mid-run: events keep being acknowledged, and land when it is back', async () => {
    await proxy.stop(); // cuts the pooled connections too
    assert.equal((await h.send('voice', { sample: 'session-summary' })).statusCode, 200);
    assert.equal((await h.send('voice', { sample: 'call-status' })).statusCode, 200);
    await waitFor(async () => h.server.drainer.lastError !== null, 'the drainer notices the warehouse is gone');
    await proxy.start();
    await waitFor(async () => h.server.drainer.backlogBytes() === 0 && h.server.drainer.lastError === null, 'the backlog drains');
    const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('voice_events')}`);
    assert.equal(rows[0]?.n, 2);
  });
});

