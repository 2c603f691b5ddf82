/**
 * When the disk fails, nothing is acknowledged that is not durable: a failed write refuses
 * that event with 503 (8x8 retries), and a failed fsync makes the server refuse everything
 * and report not-ready until restarted (the page cache can no longer be trusted).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('spool failures', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const fileHandle = async () => {
    const handle = await open(new URL(import.meta.url), 'r');
    const proto = Object.getPrototypeOf(handle) as { writev: unknown; datasync: unknown };
    await handle.close();
    return proto;
  };

  test('a failed write refuses that event with 503 + Retry-After, and the next event lands', async () => {
    const proto = await fileHandle();
    const original = proto.writev;
    proto.writev = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    try {
      const refused = await h.send('meetings', { sample: 'participant-joined' });
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.json.error?.code, 'SB_INGEST_SPOOL_UNAVAILABLE');
      assert.ok(Number(refused.headers['retry-after']) > 0);
    } finally {
      proto.writev = original;
    }
    assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
    await h.drain();
    assert.equal((await h.query(`SELECT * FROM ${h.raw('meetings_events')}`)).length, 1);
  });

  test('a failed fsync makes every later event 503 and readyz not ready', async () => {
    const proto = await fileHandle();
    const original = proto.datasync;
    proto.datasync = async () => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    };
    try {
      assert.equal((await h.send('meetings', { sample: 'recording-uploaded' })).statusCode, 503);
    } finally {
      proto.datasync = original;
    }
    const later = await h.send('meetings', { sample: 'dial-in-started' });
    assert.equal(later.statusCode, 503, 'still refused after the disk "recovers": only a restart re-checks it');
    const ready = await h.server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable' }, 'the public endpoint says only that');
    const status = await h.admin({ method: 'GET', url: '/status' });
    assert.equal(status.statusCode, 503);
    assert.match((status.json() as { spool: { error: string } }).spool.error, /fdatasync/);
  });
});
