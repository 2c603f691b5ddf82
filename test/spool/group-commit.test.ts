import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Spool, comparePositions, type SpoolPosition } from '../../ingest/spool/index.js';
import { ioError, patchFileHandle, payload, readAll, tempSpoolDir } from './spool-test-kit.js';

const numbers = async (spool: Spool): Promise<number[]> => (await readAll(spool)).map((e) => e.payload.readUInt32LE(0));

describe('spool group commit', () => {
  test('200 concurrent appends share far fewer than 200 fdatasync calls', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append(payload(i, 1500))));
    const stats = spool.stats();
    assert.equal(stats.appends, 200);
    assert.equal(stats.bytes, 200 * 1516);
    assert.ok(stats.syncs >= 1 && stats.syncs <= 20, `expected few fdatasyncs, got ${stats.syncs}`);
    await spool.close();
  });

  test('appendLazy takes its place in append order, and a later append makes it durable', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    const calls = [spool.append(payload(0, 10)), spool.appendLazy(payload(1, 10)), spool.append(payload(2, 10)), spool.appendLazy(payload(3, 10))];
    calls.push(spool.append(payload(4, 10)));
    const positions = await Promise.all(calls);
    for (let i = 1; i < positions.length; i++) assert.ok(comparePositions(positions[i - 1] as SpoolPosition, positions[i] as SpoolPosition) < 0);
    assert.deepEqual(await numbers(spool), [0, 1, 2, 3, 4]);
    await spool.close();
  });

  test('a lazy append resolves once written, but reads and end() wait for the fdatasync', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let held = 0;
    await patchFileHandle(t, 'datasync', (original) =>
      async function (this: FileHandle) {
        held += 1;
        await gate;
        return original.call(this);
      },
    );
    const lazy = spool.appendLazy(payload(1, 10));
    let durableDone = false;
    const durable = spool.append(payload(2, 10)).finally(() => (durableDone = true));
    assert.deepEqual(await lazy, { segment: 1, offset: 0 });
    assert.equal(held, 1);
    await nextTurn();
    assert.equal(durableDone, false);
    assert.deepEqual(await spool.read(spool.start(), { maxRecords: 10, maxBytes: 1 << 20 }), []);
    assert.deepEqual(spool.end(), { segment: 1, offset: 0 });
    openGate();
    assert.deepEqual(await durable, { segment: 1, offset: 26 });
    assert.deepEqual(await numbers(spool), [1, 2]);
    await spool.close();
  });

  test('a failed fdatasync rejects its whole group and every later append with SB_SPOOL_IO', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir });
    await spool.append(payload(0, 100));
    let failures = 0;
    await patchFileHandle(t, 'datasync', (original) =>
      function (this: FileHandle) {
        // Fail once; later fsyncs "succeed", which after fsyncgate proves nothing.
        if (failures++ === 0) return Promise.reject(ioError('EIO'));
        return original.call(this);
      },
    );
    const group = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => spool.append(payload(i + 1, 100))));
    for (const result of group) {
      assert.equal(result.status, 'rejected');
      const reason = (result as PromiseRejectedResult).reason as Error & { code?: string; cause?: { code?: string } };
      assert.equal(reason.code, 'SB_SPOOL_IO');
      assert.equal(reason.cause?.code, 'EIO');
    }
    await assert.rejects(spool.append(payload(9, 100)), { code: 'SB_SPOOL_IO' });
    await assert.rejects(spool.appendLazy(payload(9, 100)), { code: 'SB_SPOOL_IO' });
    assert.deepEqual(await numbers(spool), [0]);
    await spool.close();
  });

  test('a failed write rejects its group, is cut off, and later appends reuse its offset', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir });
    await spool.append(payload(0, 100));
    let failed = false;
    await patchFileHandle(
      t,
      'writev',
      (original) =>
        async function (this: FileHandle, buffers: readonly NodeJS.ArrayBufferView[], position?: number) {
          if (failed) return original.call(this, buffers, position);
          failed = true;
          await original.call(this, buffers.slice(0, 1), position); // a partial write, then the disk fills up
          throw ioError('ENOSPC');
        } as FileHandle['writev'],
    );
    const group = await Promise.allSettled([1, 2, 3].map((i) => spool.append(payload(i, 100))));
    assert.deepEqual(group.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.equal(((group[0] as PromiseRejectedResult).reason as { code: string }).code, 'SB_SPOOL_IO');
    assert.deepEqual(await spool.append(payload(4, 100)), { segment: 1, offset: 116 });
    assert.deepEqual(await numbers(spool), [0, 4]);
    await spool.close();

    const reopened = await Spool.open({ dir });
    assert.equal(reopened.recovery.truncatedBytes, 0);
    assert.deepEqual(await numbers(reopened), [0, 4]);
    await reopened.close();
  });
});
