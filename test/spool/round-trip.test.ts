import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Spool, comparePositions, type SpoolPosition } from '../../ingest/spool/index.js';
import { payload, readAll, tempSpoolDir } from './spool-test-kit.js';

describe('spool append and read', () => {
  test('records appended concurrently read back in append order with increasing positions', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir });
    const sizes = [0, 1, 1500, 1024 * 1024, 0, 17, 2048];
    const payloads = Array.from({ length: 300 }, (_, i) => payload(i, sizes[i % sizes.length] ?? 0));
    const positions = await Promise.all(payloads.map((p) => spool.append(p)));
    for (let i = 1; i < positions.length; i++) {
      assert.ok(comparePositions(positions[i - 1] as SpoolPosition, positions[i] as SpoolPosition) < 0, `position ${i} after ${i - 1}`);
    }
    const entries = await readAll(spool);
    assert.equal(entries.length, payloads.length);
    entries.forEach((entry, i) => {
      assert.deepEqual(entry.position, positions[i]);
      assert.ok(entry.payload.equals(payloads[i] as Buffer), `payload ${i}`);
    });
    assert.deepEqual(entries.at(-1)?.next, spool.end());
    await spool.close();
  });

  test('read honours maxRecords and maxBytes but always returns at least one record', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    for (let i = 0; i < 20; i++) await spool.append(payload(i, 1000));
    assert.equal((await spool.read(spool.start(), { maxRecords: 5, maxBytes: 1 << 20 })).length, 5);
    assert.equal((await spool.read(spool.start(), { maxRecords: 100, maxBytes: 2500 })).length, 3);
    assert.equal((await spool.read(spool.start(), { maxRecords: 100, maxBytes: 1 })).length, 1);
    const tail = await spool.read({ segment: 1, offset: 19 * 1016 }, { maxRecords: 100, maxBytes: 1 << 20 });
    assert.equal(tail.length, 1);
    assert.equal(tail[0]?.payload.readUInt32LE(0), 19);
    assert.deepEqual(await spool.read(spool.end(), { maxRecords: 100, maxBytes: 1 << 20 }), []);
    await spool.close();
  });

  test('reads continue across segment rotation, and segments stay within segmentBytes', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir, segmentBytes: 4096 });
    const payloads = Array.from({ length: 200 }, (_, i) => payload(i, 100 + (i % 7) * 50));
    await Promise.all(payloads.slice(0, 100).map((p) => spool.append(p)));
    for (const p of payloads.slice(100)) await spool.append(p);
    const files = (await readdir(dir)).filter((name) => name.endsWith('.spool')).sort();
    assert.ok(files.length > 5, `expected several segments, got ${files.join(', ')}`);
    assert.equal(files[0], '00000001.spool');
    for (const file of files) assert.ok((await stat(join(dir, file))).size <= 4096, file);
    const entries = await readAll(spool, { maxRecords: 1000, maxBytes: 1 << 20 });
    assert.deepEqual(entries.map((e) => e.payload.readUInt32LE(0)), payloads.map((_, i) => i));
    assert.equal(spool.end().segment, files.length);
    await spool.close();
  });

  test('a record larger than segmentBytes gets a segment of its own', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t), segmentBytes: 1024 });
    await spool.append(payload(1, 100));
    const big = await spool.append(payload(2, 5000));
    const after = await spool.append(payload(3, 100));
    assert.deepEqual(big, { segment: 2, offset: 0 });
    assert.deepEqual(after, { segment: 3, offset: 0 });
    assert.deepEqual((await readAll(spool)).map((e) => e.payload.length), [100, 5000, 100]);
    await spool.close();
  });

  test('bytesAfter counts durable bytes to the end without I/O', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t), segmentBytes: 2048 });
    assert.equal(spool.bytesAfter(spool.start()), 0);
    const positions: SpoolPosition[] = [];
    for (let i = 0; i < 10; i++) positions.push(await spool.append(payload(i, 484))); // 500-byte frames
    assert.equal(spool.bytesAfter(spool.start()), 5000);
    assert.equal(spool.bytesAfter(positions[6] as SpoolPosition), 2000);
    assert.equal(spool.bytesAfter(spool.end()), 0);
    await spool.close();
  });

  test('reading from a position beyond the end fails with SB_SPOOL_POSITION', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    await spool.append(payload(1, 10));
    await assert.rejects(spool.read({ segment: 1, offset: 9999 }, { maxRecords: 1, maxBytes: 1 }), { code: 'SB_SPOOL_POSITION' });
    await assert.rejects(spool.read({ segment: 7, offset: 0 }, { maxRecords: 1, maxBytes: 1 }), { code: 'SB_SPOOL_POSITION' });
    await assert.rejects(spool.read({ segment: 1, offset: 3 }, { maxRecords: 1, maxBytes: 1 }), { code: 'SB_SPOOL_CORRUPT' });
    await spool.close();
  });

  test('waitForData wakes on a new durable record, at once when data is already past `from`, and on close', async (t) => {
    const spool = await Spool.open({ dir: await tempSpoolDir(t) });
    const from = spool.end();
    const woken = spool.waitForData();
    await spool.append(payload(1, 10));
    await woken;
    await spool.waitForData(undefined, from);
    const controller = new AbortController();
    const aborted = spool.waitForData(controller.signal, spool.end());
    controller.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    const pending = spool.waitForData();
    await spool.close();
    await pending;
    await spool.waitForData();
  });
});
