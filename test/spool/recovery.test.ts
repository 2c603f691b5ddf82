import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Spool } from '../../ingest/spool/index.js';
import { payload, readAll, tempSpoolDir } from './spool-test-kit.js';

const HEADER = 16;
const SEGMENT_1 = '00000001.spool';

/** Writes `count` records of `size` bytes, each in its own commit group, and closes. */
async function spoolWith(dir: string, count: number, size: number, segmentBytes?: number): Promise<void> {
  const spool = await Spool.open({ dir, segmentBytes });
  for (let i = 0; i < count; i++) await spool.append(payload(i, size));
  await spool.close();
}

async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
  await writeFile(file, bytes);
}

async function numbersIn(spool: Spool): Promise<number[]> {
  return (await readAll(spool)).map((e) => e.payload.readUInt32LE(0));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('spool crash recovery', () => {
  for (const [name, tail] of [
    ['half a frame', async (file: string) => appendFile(file, (await readFile(file)).subarray(0, HEADER + 50))],
    ['random garbage', async (file: string) => appendFile(file, randomBytes(777))],
    ['zero-filled blocks', async (file: string) => appendFile(file, Buffer.alloc(8192))],
    ['a partial header', async (file: string) => appendFile(file, Buffer.from('SPL1\x10'))],
  ] as const) {
    test(`a torn tail of ${name} is cut off at the last good record and appends continue`, async (t) => {
      const dir = await tempSpoolDir(t);
      await spoolWith(dir, 10, 100);
      const file = join(dir, SEGMENT_1);
      const goodEnd = (await stat(file)).size;
      await tail(file);
      const tornSize = (await stat(file)).size;

      const spool = await Spool.open({ dir });
      assert.deepEqual(spool.recovery, { segment: 1, validEnd: goodEnd, truncatedBytes: tornSize - goodEnd });
      assert.equal((await stat(file)).size, goodEnd);
      assert.deepEqual(spool.end(), { segment: 1, offset: goodEnd });
      await spool.append(payload(10, 100));
      assert.deepEqual(await numbersIn(spool), range(11));
      await spool.close();
    });
  }

  test('a damaged last record is a torn tail', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 10, 100);
    await flipByte(join(dir, SEGMENT_1), 9 * 116 + HEADER + 5);
    const spool = await Spool.open({ dir });
    assert.equal(spool.recovery.truncatedBytes, 116);
    assert.deepEqual(await numbersIn(spool), range(9));
    await spool.close();
  });

  test('valid records after a bad one in the same commit group are still a torn tail', async (t) => {
    const dir = await tempSpoolDir(t);
    const spool = await Spool.open({ dir });
    await spool.append(payload(0, 100));
    const syncsBefore = spool.stats().syncs;
    await Promise.all(range(10).map((i) => spool.append(payload(i + 1, 100)))); // one group
    assert.equal(spool.stats().syncs, syncsBefore + 1);
    await spool.close();
    // Damage the group's third record (record 3 overall): a power loss may lose one page of a
    // group's write and keep the next.
    await flipByte(join(dir, SEGMENT_1), 3 * 116 + HEADER + 1);

    const reopened = await Spool.open({ dir });
    assert.deepEqual(reopened.recovery, { segment: 1, validEnd: 3 * 116, truncatedBytes: 8 * 116 });
    assert.deepEqual(await numbersIn(reopened), [0, 1, 2]);
    await reopened.close();
  });

  test('a damaged record followed by records of later commits fails open with SB_SPOOL_CORRUPT', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 10, 100);
    const file = join(dir, SEGMENT_1);
    await flipByte(file, 3 * 116 + HEADER + 7);
    await assert.rejects(Spool.open({ dir }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SB_SPOOL_CORRUPT');
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.message.includes(`offset ${3 * 116}`), err.message);
      return true;
    });
  });

  test('a damaged header in the middle fails open with SB_SPOOL_CORRUPT', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 10, 100);
    await flipByte(join(dir, SEGMENT_1), 5 * 116 + 5); // the length field
    await assert.rejects(Spool.open({ dir }), { code: 'SB_SPOOL_CORRUPT' });
  });

  test('damage in an older segment is found when it is read', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 12, 100, 500); // 4 records per segment
    await flipByte(join(dir, SEGMENT_1), 2 * 116 + HEADER);
    const spool = await Spool.open({ dir, segmentBytes: 500 });
    await assert.rejects(readAll(spool), { code: 'SB_SPOOL_CORRUPT' });
    assert.equal((await spool.read({ segment: 2, offset: 0 }, { maxRecords: 100, maxBytes: 1 << 20 })).length, 8);
    await spool.close();
  });

  test('a missing segment between others fails open with SB_SPOOL_CORRUPT', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 12, 100, 500);
    await unlink(join(dir, '00000002.spool'));
    await assert.rejects(Spool.open({ dir }), { code: 'SB_SPOOL_CORRUPT', message: /00000002\.spool/ });
  });

  test('a missing identity file next to segments fails open with SB_SPOOL_CORRUPT', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 1, 100);
    await unlink(join(dir, 'spool-id'));
    await assert.rejects(Spool.open({ dir }), { code: 'SB_SPOOL_CORRUPT', message: /spool-id/ });
  });

  test('an empty last segment left by a crash during rotation is used as the active segment', async (t) => {
    const dir = await tempSpoolDir(t);
    await spoolWith(dir, 3, 100);
    await writeFile(join(dir, '00000002.spool'), Buffer.alloc(0));
    const spool = await Spool.open({ dir });
    assert.deepEqual(spool.end(), { segment: 2, offset: 0 });
    await spool.append(payload(3, 100));
    assert.deepEqual(await numbersIn(spool), range(4));
    await spool.close();
  });
});
