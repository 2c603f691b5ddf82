/**
 * The spool: Switchboard's write-ahead log for landed webhook events. The HTTP handler
 * appends an event and answers 2xx only once `append` resolves (the event is fsync'd);
 * a drain loop reads events back and loads them into the warehouse in the background,
 * then releases segments its checkpoint has passed.
 *
 * @example
 *   const spool = await Spool.open({ dir: '/var/lib/switchboard/spool' })
 *   await spool.append(Buffer.from(body))            // durable: now answer 200
 *   const batch = await spool.read(checkpoint, { maxRecords: 500, maxBytes: 4 << 20 })
 *   await spool.release(batch.at(-1)!.next)          // after the warehouse committed
 */
import { open, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SwitchboardError } from '../../core/errors.js';
import { MAX_PAYLOAD_BYTES, spoolClosedError, spoolIoError, spoolTooLargeError } from './errors.js';
import { GroupCommitter, type SpoolStats } from './group-committer.js';
import type { SpoolEntry, SpoolPosition } from './position.js';
import { recoverLastSegment, type TailRecovery } from './recovery.js';
import { SegmentReader, type ReadLimits } from './segment-reader.js';
import { SegmentTable } from './segment-table.js';
import { listSegments, prepareSpoolDirectory, segmentPath, syncDirectory } from './spool-directory.js';
import { lockSpoolDirectory } from './lock.js';
import { bindSpool, recordReleased } from './binding.js';

export { comparePositions, type SpoolEntry, type SpoolPosition } from './position.js';
export type { SpoolStats } from './group-committer.js';
export type { TailRecovery } from './recovery.js';
export type { ReadLimits } from './segment-reader.js';

/** @example { dir: '/var/lib/switchboard/spool', segmentBytes: 64 * 1024 * 1024 } */
export interface SpoolOptions {
  /** The spool directory; created (with its parents) if missing. */
  dir: string;
  /** Start a new segment file once the active one would exceed this size. Default 64 MiB. */
  segmentBytes?: number;
  /** fdatasync every group before acknowledging it. Default true; false only for tests and benchmarks that say so. */
  fsync?: boolean;
  /**
   * What the records are for: the warehouse they land in, as one line without secrets, e.g.
   * `postgres db.internal:5432/switchboard (raw schema raw)`. When given, the spool opens only
   * for that target, or for a new one once every record has landed (binding.ts).
   * Default: no binding.
   */
  target?: string;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

interface Waiter {
  resolve: () => void;
  cleanup: () => void;
}

export class Spool {
  /** Random identity made when the directory was created; store it with any checkpoint. */
  readonly id: string;
  /** What opening had to repair in the last segment (log it when `truncatedBytes > 0`). */
  readonly recovery: TailRecovery;
  private readonly dir: string;
  private readonly table: SegmentTable;
  private readonly committer: GroupCommitter;
  private readonly reader: SegmentReader;
  private readonly waiters = new Set<Waiter>();
  private readonly activeReads = new Set<Promise<unknown>>();
  private releasing: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    dir: string,
    id: string,
    table: SegmentTable,
    committer: GroupCommitter,
    recovery: TailRecovery,
    private readonly unlock: () => Promise<void>,
  ) {
    this.dir = dir;
    this.id = id;
    this.table = table;
    this.committer = committer;
    this.recovery = recovery;
    this.reader = new SegmentReader(dir, table);
  }

  /**
   * Opens (or creates) the spool in `options.dir` and recovers from any crash: a torn
   * tail of the last segment is cut off; damaged acknowledged data fails the open.
   * @throws SB_SPOOL_CORRUPT naming the file and offset; SB_SPOOL_IO when the directory
   *   cannot be created or read; SB_SPOOL_WAREHOUSE_MISMATCH when it holds records for
   *   another `target` that have not landed.
   */
  static async open(options: SpoolOptions): Promise<Spool> {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
      throw new RangeError(`segmentBytes must be a positive integer, got ${segmentBytes}`);
    }
    const dir = resolve(options.dir);
    const id = await prepareSpoolDirectory(dir);
    const unlock = await lockSpoolDirectory(dir);
    try {
      if (options.target !== undefined) await bindSpool(dir, options.target);
      return await Spool.openLocked(dir, id, segmentBytes, options, unlock);
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  private static async openLocked(
    dir: string,
    id: string,
    segmentBytes: number,
    options: SpoolOptions,
    unlock: () => Promise<void>,
  ): Promise<Spool> {
    const segments = await listSegmentsOrCreateFirst(dir);
    const last = segments[segments.length - 1] as number;
    const sealedSizes = await sizesOf(dir, segments.slice(0, -1));
    const { handle, recovery } = await recoverLastSegment(segmentPath(dir, last), last);
    const table = new SegmentTable(segments[0] as number, [...sealedSizes, recovery.validEnd]);
    let spool: Spool | undefined;
    const committer = new GroupCommitter({
      dir,
      segmentBytes,
      fsync: options.fsync ?? true,
      table,
      handle,
      onDurable: () => spool?.wakeWaiters(),
    });
    spool = new Spool(dir, id, table, committer, recovery, unlock);
    return spool;
  }

  /**
   * Appends one record. Resolves with its position once it (and everything appended
   * before it) is fsync'd. Do not acknowledge the event before this resolves.
   * @throws SB_SPOOL_CLOSED after close(); SB_SPOOL_IO when the write or fsync failed.
   * @example const position = await spool.append(Buffer.from(JSON.stringify(event)))
   */
  append(payload: Buffer): Promise<SpoolPosition> {
    return this.enqueue(payload, false);
  }

  /**
   * Appends without waiting for fsync: resolves once written to the file, and the record
   * becomes durable with the next group commit. For data that may be lost in a crash.
   * Ordering is shared with `append`: a later `append` resolving implies this record is durable.
   * @example await spool.appendLazy(Buffer.from('{"kind":"heartbeat"}'))
   */
  appendLazy(payload: Buffer): Promise<SpoolPosition> {
    return this.enqueue(payload, true);
  }

  /**
   * Reads durable records starting at `from` (a record boundary: `start()`, an entry's
   * `next`, or a position `append` returned). An empty array means caught up.
   * @throws SB_SPOOL_POSITION for a released or future position; SB_SPOOL_CORRUPT.
   * @example const entries = await spool.read(spool.start(), { maxRecords: 100, maxBytes: 1 << 20 })
   */
  read(from: SpoolPosition, limits: ReadLimits): Promise<SpoolEntry[]> {
    if (this.closing !== undefined) return Promise.reject(spoolClosedError());
    if (!(limits.maxRecords >= 1)) return Promise.reject(new RangeError('limits.maxRecords must be at least 1'));
    const reading = this.reader.read(from, limits);
    this.activeReads.add(reading);
    const forget = (): void => void this.activeReads.delete(reading);
    reading.then(forget, forget);
    return reading;
  }

  /** The position after the last durable record, e.g. `{ segment: 5, offset: 1200 }`. */
  end(): SpoolPosition {
    return this.table.end();
  }

  /** The first position still on disk, e.g. `{ segment: 4, offset: 0 }`. */
  start(): SpoolPosition {
    return this.table.start();
  }

  /**
   * Deletes every segment file lying entirely before `upTo`, never the active one, and notes
   * `upTo` in the directory as how far the records have landed (see SpoolOptions.target).
   * Call it with a checkpoint the warehouse has committed. Idempotent.
   * @example await spool.release(lastEntry.next)
   */
  release(upTo: SpoolPosition): Promise<void> {
    // One release at a time, so two callers never race on the same file.
    const next = this.releasing.then(() => this.releaseNow(upTo));
    this.releasing = next.catch(() => undefined);
    return next;
  }

  /**
   * Durable bytes from `from` to `end()`, headers included; no I/O. Use it for backlog
   * metrics and back-pressure.
   * @example spool.bytesAfter(checkpoint) // 1048576
   */
  bytesAfter(from: SpoolPosition): number {
    return this.table.bytesAfter(from);
  }

  /**
   * Resolves the next time new durable data arrives, or at once when the spool is closed.
   * Pass the drain's position as `from` to resolve at once if data is already there past
   * it; without it, data that became durable just before this call is not noticed.
   * Rejects with `signal.reason` when aborted.
   * @example while (!signal.aborted) { const b = await spool.read(pos, lim); if (!b.length) await spool.waitForData(signal, pos); … }
   */
  waitForData(signal?: AbortSignal, from?: SpoolPosition): Promise<void> {
    if (this.closing !== undefined) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (from !== undefined && this.table.bytesAfter(from) > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = { resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Counters since open: records appended, fdatasync calls, bytes written. */
  stats(): SpoolStats {
    return { ...this.committer.stats };
  }

  /**
   * Writes and syncs pending appends, then closes the files. Later appends and reads
   * reject with SB_SPOOL_CLOSED. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private enqueue(payload: Buffer, lazy: boolean): Promise<SpoolPosition> {
    if (this.closing !== undefined) return Promise.reject(spoolClosedError());
    if (payload.length > MAX_PAYLOAD_BYTES) return Promise.reject(spoolTooLargeError(payload.length));
    return this.committer.enqueue(payload, lazy);
  }

  private async closeNow(): Promise<void> {
    this.wakeWaiters();
    try {
      await this.committer.close();
    } finally {
      await Promise.allSettled([...this.activeReads, this.releasing]);
      await this.reader.close();
      await this.unlock();
      this.wakeWaiters();
    }
  }

  private async releaseNow(upTo: SpoolPosition): Promise<void> {
    if (this.closing !== undefined) throw spoolClosedError();
    await recordReleased(this.dir, upTo);
    let removed = false;
    while (this.table.firstSegment < this.table.lastSegment) {
      const segment = this.table.firstSegment;
      const size = this.table.sizeOf(segment) as number;
      const entirelyBefore = segment < upTo.segment || (segment === upTo.segment && upTo.offset >= size);
      if (!entirelyBefore) break;
      const file = segmentPath(this.dir, segment);
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw spoolIoError(`Deleting released segment ${file} failed`, err, { poisoned: false });
      }
      this.table.dropFirst();
      this.reader.forget(segment);
      removed = true;
    }
    if (!removed) return;
    try {
      await syncDirectory(this.dir);
    } catch (err) {
      throw spoolIoError(`fsync of spool directory ${this.dir} after releasing segments failed`, err, { poisoned: false });
    }
  }

  private wakeWaiters(): void {
    for (const waiter of this.waiters) {
      waiter.cleanup();
      waiter.resolve();
    }
    this.waiters.clear();
  }
}

/** The segment numbers on disk; a new spool gets an empty segment 1, durably. */
async function listSegmentsOrCreateFirst(dir: string): Promise<number[]> {
  try {
    const segments = await listSegments(dir);
    if (segments.length > 0) return segments;
    const handle = await open(segmentPath(dir, 1), 'wx');
    await handle.close();
    await syncDirectory(dir);
    return [1];
  } catch (err) {
    if (err instanceof SwitchboardError) throw err;
    throw spoolIoError(`Cannot list or create segments in ${dir}`, err, { poisoned: false });
  }
}

async function sizesOf(dir: string, segments: number[]): Promise<number[]> {
  const sizes: number[] = [];
  for (const segment of segments) {
    try {
      sizes.push((await stat(segmentPath(dir, segment))).size);
    } catch (err) {
      throw spoolIoError(`Cannot stat spool segment ${segmentPath(dir, segment)}`, err, { poisoned: false });
    }
  }
  return sizes;
}
