import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Spool } from '../../ingest/spool/index.js';
import { payload, readAll, tempSpoolDir } from './spool-test-kit.js';

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.spool')).sort();
}

describe('spool reopen and release', () => {
  test('reopening after close returns the same records and the same id', async (t) => {
    const dir = await tempSpoolDir(t);
    const first = await Spool.open({ dir, segmentBytes: 8192 });
    for (let i = 0; i < 50; i++) await first.append(payload(i, 700));
    const end = first.end();
    await first.close();

    const second = await Spool.open({ dir, segmentBytes: 8192 });
    assert.equal(second.id, first.id);
    assert.equal(second.recovery.truncatedBytes, 0);
    assert.deepEqual(second.end(), end);
    assert.deepEqual((await readAll(second)).map((e) => e.payload.readUInt32LE(0)), Array.from({ length: 50 }, (_, i) => i));
    await second.append(payload(50, 700));
    assert.equal((await readAll(second)).length, 51);
    await second.close();
  });

  test('a newly created spool directory gets a new id', async (t) => {
    const a = await Spool.open({ dir: await tempSpoolDir(t) });
    const b = await Spool.open({ dir: await tempSpoolDir(t) });
    assert.match(a.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.id, b.id);
    await Promise.all([a.close(), b.close()]);
  });

  test('release deletes only whole segments before the position, never the active one, and is idempotent', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir, segmentBytes: 1000 });
    const positions = [];
    for (let i = 0; i < 10; i++) positions.push(await spool.append(payload(i, 384))); // 400-byte frames, 2 per segment
    assert.deepEqual(await segmentFiles(dir), ['00000001.spool', '00000002.spool', '00000003.spool', '00000004.spool', '00000005.spool']);

    await spool.release({ segment: 3, offset: 400 }); // inside segment 3: keep it
    assert.deepEqual(await segmentFiles(dir), ['00000003.spool', '00000004.spool', '00000005.spool']);
    assert.deepEqual(spool.start(), { segment: 3, offset: 0 });
    await spool.release({ segment: 3, offset: 400 });
    assert.deepEqual(await segmentFiles(dir), ['00000003.spool', '00000004.spool', '00000005.spool']);

    await spool.release({ segment: 3, offset: 800 }); // the end of segment 3: all of it lies before
    assert.deepEqual(await segmentFiles(dir), ['00000004.spool', '00000005.spool']);

    await spool.release(spool.end());
    assert.deepEqual(await segmentFiles(dir), ['00000005.spool']);
    await assert.rejects(spool.read(positions[0]!, { maxRecords: 1, maxBytes: 1 }), { code: 'SB_SPOOL_POSITION' });
    assert.deepEqual((await readAll(spool)).map((e) => e.payload.readUInt32LE(0)), [8, 9]);
    await spool.close();

    const reopened = await Spool.open({ dir, segmentBytes: 1000 });
    assert.deepEqual(reopened.start(), { segment: 5, offset: 0 });
    assert.deepEqual((await readAll(reopened)).map((e) => e.payload.readUInt32LE(0)), [8, 9]);
    await reopened.close();
  });

  test('close writes pending appends; appends and reads after close reject with SB_SPOOL_CLOSED', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir });
    const pending = [spool.append(payload(1, 10)), spool.appendLazy(payload(2, 10)), spool.append(payload(3, 10))];
    await spool.close();
    assert.equal((await Promise.all(pending)).length, 3);
    await assert.rejects(spool.append(payload(4, 10)), { code: 'SB_SPOOL_CLOSED' });
    await assert.rejects(spool.appendLazy(payload(4, 10)), { code: 'SB_SPOOL_CLOSED' });
    await assert.rejects(spool.read(spool.start(), { maxRecords: 1, maxBytes: 1 }), { code: 'SB_SPOOL_CLOSED' });
    await spool.close();

    const reopened = await Spool.open({ dir });
    assert.deepEqual((await readAll(reopened)).map((e) => e.payload.readUInt32LE(0)), [1, 2, 3]);
    await reopened.close();
  });

  test('with fsync off, records survive a clean close', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir, fsync: false });
    await Promise.all(Array.from({ length: 100 }, (_, i) => spool.append(payload(i, 50))));
    assert.equal(spool.stats().syncs, 0);
    await spool.close();
    const reopened = await Spool.open({ dir });
    assert.equal((await readAll(reopened)).length, 100);
    await reopened.close();
  });
});
