/**
 * Crash recovery for the active (last) segment: find where the valid records end, and cut
 * off a torn tail left by a crash.
 *
 * Why only the last segment: the spool moves to a new segment only after the previous
 * group's fdatasync succeeded, so older segments were complete before the newer one got
 * its first byte. Their records are still checksummed on every read.
 *
 * Torn tail versus corruption: a crash can damage only the commit group that was being
 * written (the next group starts only after this one's fdatasync), and none of that
 * group was acknowledged. Within that group, though, a power loss may persist a later page
 * and lose an earlier one, so valid frames *can* follow a bad one. Each frame records how
 * far it is from the start of its group; if every valid frame after the first bad one
 * belongs to the bad one's group, the rest is a torn tail and is cut off. A valid frame of
 * a *later* group means the bad bytes were acknowledged data: that is corruption.
 */
import { open } from 'node:fs/promises';
import { FRAME_MAGIC, checkFrame } from './frame.js';
import { spoolCorruptError, spoolIoError } from './errors.js';
import type { FileHandle } from 'node:fs/promises';

/** What recovery did to the last segment, for the start-up log. */
export interface TailRecovery {
  /** The segment number scanned. */
  segment: number;
  /** Offset where valid records end: the next append goes here. */
  validEnd: number;
  /** Bytes cut off after `validEnd` (0 after a clean shutdown). */
  truncatedBytes: number;
}

/**
 * Returns the offset just after the last valid frame of `buf`.
 * @throws SB_SPOOL_CORRUPT naming `file` and the offset of the first bad frame, when valid
 *   frames of a later commit group follow it.
 * @example findValidEnd(await readFile(path), path) // 1048576
 */
export function findValidEnd(buf: Buffer, file: string): number {
  let at = 0;
  while (at < buf.length) {
    const frame = checkFrame(buf, at);
    if (frame.kind !== 'ok') {
      assertOnlyTornGroupFollows(buf, at, file, frame.kind === 'bad' ? frame.reason : 'incomplete frame');
      return at;
    }
    at = frame.end;
  }
  return at;
}

function assertOnlyTornGroupFollows(buf: Buffer, badAt: number, file: string, reason: string): void {
  let search = badAt + 1;
  for (;;) {
    const candidate = buf.indexOf(FRAME_MAGIC, search);
    if (candidate < 0) return;
    const frame = checkFrame(buf, candidate);
    if (frame.kind !== 'ok') {
      search = candidate + 1;
      continue;
    }
    const groupStart = candidate - frame.groupOffset;
    if (groupStart > badAt) {
      throw spoolCorruptError(file, badAt, `${reason}; a valid record of a later commit follows at offset ${candidate}`);
    }
    // Skip the payload: bytes inside it that look like a frame are not one.
    search = frame.end;
  }
}

/**
 * Opens the last segment for writing, cuts off a torn tail and makes the cut durable.
 * Reads the whole segment into memory (at most segmentBytes, plus one record), which for
 * the default 64 MiB takes well under a second; older segments are not read here.
 * The caller owns the returned handle.
 * @example const { handle, recovery } = await recoverLastSegment('/data/spool/00000007.spool', 7)
 */
export async function recoverLastSegment(file: string, segment: number): Promise<{ handle: FileHandle; recovery: TailRecovery }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r+');
  } catch (err) {
    throw spoolIoError(`Cannot open spool segment ${file}`, err, { poisoned: false });
  }
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buf, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const validEnd = findValidEnd(buf.subarray(0, filled), file);
    if (validEnd < size) {
      await handle.truncate(validEnd);
      await handle.datasync();
    }
    return { handle, recovery: { segment, validEnd, truncatedBytes: size - validEnd } };
  } catch (err) {
    await handle.close().catch(() => undefined);
    if ((err as { code?: unknown }).code === 'SB_SPOOL_CORRUPT') throw err;
    throw spoolIoError(`Cannot recover spool segment ${file}`, err, { poisoned: false });
  }
}
