/**
 * Group commit: turns many concurrent appends into few `writev` + `fdatasync` pairs.
 *
 * While one group is being written and synced, new appends wait in memory. When the group
 * is durable, everything that queued meanwhile becomes the next group: one writev, one
 * fdatasync, and all of its promises resolve. With 50 concurrent appenders a group holds
 * about 50 records, so the cost of an fdatasync is shared 50 ways; no timer is involved.
 *
 * Failure rules (an append resolves only when its record is durable):
 * - a failed write rejects its whole group; the partial write is truncated away and later
 *   groups continue at the same offset;
 * - a failed fdatasync (or segment rotation) rejects its group and *poisons* the committer:
 *   every queued and future append rejects with SB_SPOOL_IO, because after a failed fsync
 *   the kernel may have dropped dirty pages while clearing the error, so a later fsync
 *   success would prove nothing (https://lwn.net/Articles/752063/).
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { SwitchboardError } from '../../core/errors.js';
import { spoolIoError } from './errors.js';
import { createFrame, sealFrame, type PendingFrame } from './frame.js';
import type { SpoolPosition } from './position.js';
import { segmentPath, syncDirectory } from './spool-directory.js';
import type { SegmentTable } from './segment-table.js';

/** A group never grows beyond this (unless one record alone is larger), bounding the torn tail. */
const MAX_GROUP_BYTES = 8 * 1024 * 1024;
/** Buffers per writev call; Linux's IOV_MAX is 1024. */
const MAX_IOVECS = 1024;

/** Counters for tests and metrics; they only ever grow. */
export interface SpoolStats {
  /** Records written (and, with fsync on, synced). */
  appends: number;
  /** fdatasync calls on segment files; far fewer than `appends` when group commit works. */
  syncs: number;
  /** Frame bytes written, headers included. */
  bytes: number;
}

export interface GroupCommitterOptions {
  dir: string;
  segmentBytes: number;
  fsync: boolean;
  table: SegmentTable;
  /** Open handle of the active segment (the last one in `table`), positioned anywhere. */
  handle: FileHandle;
  /** Called each time more data became durable. */
  onDurable: () => void;
}

interface QueuedAppend {
  frame: PendingFrame;
  /** Resolve after the write instead of after the fsync. */
  lazy: boolean;
  resolve: (position: SpoolPosition) => void;
  reject: (error: unknown) => void;
}

interface Group {
  segment: number;
  rotate: boolean;
  start: number;
  bytes: number;
  items: QueuedAppend[];
  buffers: Buffer[];
}

export class GroupCommitter {
  readonly stats: SpoolStats = { appends: 0, syncs: 0, bytes: 0 };
  private readonly options: GroupCommitterOptions;
  private handle: FileHandle;
  private segment: number;
  private writeOffset: number;
  private queue: QueuedAppend[] = [];
  private running: Promise<void> | undefined;
  private scheduled = false;
  /** The cause that poisoned the committer, if any. */
  private poison: unknown;
  private poisoned = false;

  constructor(options: GroupCommitterOptions) {
    this.options = options;
    this.handle = options.handle;
    this.segment = options.table.lastSegment;
    this.writeOffset = options.table.end().offset;
  }

  /**
   * Queues one record. `lazy` resolves once written, otherwise once synced.
   * @example const position = await committer.enqueue(Buffer.from('{}'), false)
   */
  enqueue(payload: Buffer, lazy: boolean): Promise<SpoolPosition> {
    if (this.poisoned) return Promise.reject(this.poisonedError());
    const frame = createFrame(payload);
    return new Promise((resolve, reject) => {
      this.queue.push({ frame, lazy, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued, then closes the segment file. */
  async close(): Promise<void> {
    while (this.running !== undefined || this.queue.length > 0) {
      if (this.running === undefined) this.startRun();
      await this.running;
    }
    try {
      // With fsync off nothing was synced yet; a clean shutdown should still be durable.
      if (!this.options.fsync && !this.poisoned) await this.handle.datasync();
    } catch (err) {
      throw spoolIoError(`fdatasync of ${segmentPath(this.options.dir, this.segment)} at close failed`, err, { poisoned: true });
    } finally {
      await this.handle.close().catch(() => undefined);
    }
  }

  /**
   * Starts the next group on a later turn of the event loop rather than synchronously, so
   * that appenders woken by the previous group (all resolved in one go) enqueue first and
   * travel together instead of the first one going alone.
   */
  private schedule(): void {
    if (this.running !== undefined || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running === undefined) this.startRun();
    });
  }

  private startRun(): void {
    this.running = this.run()
      .catch((err: unknown) => {
        // Only a bug lands here (I/O errors are handled per group); never leave appends hanging.
        this.poisoned = true;
        this.poison = err;
      })
      .finally(() => {
        this.running = undefined;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.poisoned) {
        const error = this.poisonedError();
        for (const item of this.queue.splice(0)) item.reject(error);
        return;
      }
      await this.commit(this.takeGroup());
    }
  }

  /** Takes queued appends for one group and decides where they go. */
  private takeGroup(): Group {
    const { segmentBytes } = this.options;
    const firstLength = (this.queue[0] as QueuedAppend).frame.bytes.length;
    // Rotate once the next record would not fit; an empty segment takes any record.
    const rotate = this.writeOffset > 0 && this.writeOffset + firstLength > segmentBytes;
    const segment = rotate ? this.segment + 1 : this.segment;
    const start = rotate ? 0 : this.writeOffset;
    let bytes = 0;
    let count = 0;
    for (const item of this.queue) {
      const length = item.frame.bytes.length;
      if (count > 0 && (start + bytes + length > segmentBytes || bytes + length > MAX_GROUP_BYTES)) break;
      bytes += length;
      count += 1;
    }
    const items = this.queue.splice(0, count);
    const buffers: Buffer[] = [];
    let groupOffset = 0;
    for (const item of items) {
      buffers.push(sealFrame(item.frame, groupOffset));
      groupOffset += item.frame.bytes.length;
    }
    return { segment, rotate, start, bytes, items, buffers };
  }

  private async commit(group: Group): Promise<void> {
    if (group.rotate) {
      try {
        await this.rotate(group.segment);
      } catch (err) {
        this.fail(group, spoolIoError(`Creating spool segment ${segmentPath(this.options.dir, group.segment)} failed`, err, { poisoned: true }), err);
        return;
      }
    }
    const file = segmentPath(this.options.dir, group.segment);
    try {
      await writeAll(this.handle, group.buffers, group.start);
    } catch (err) {
      await this.undoWrite(group, file, err);
      return;
    }
    this.writeOffset = group.start + group.bytes;
    const position = positionsOf(group);
    group.items.forEach((item, i) => item.lazy && item.resolve(position(i)));
    if (this.options.fsync) {
      try {
        await this.handle.datasync();
        this.stats.syncs += 1;
      } catch (err) {
        const error = spoolIoError(`fdatasync of ${file} failed`, err, { poisoned: true });
        this.fail({ ...group, items: group.items.filter((item) => !item.lazy) }, error, err);
        return;
      }
    }
    this.stats.appends += group.items.length;
    this.stats.bytes += group.bytes;
    this.options.table.setDurableSize(group.segment, this.writeOffset);
    this.options.onDurable();
    group.items.forEach((item, i) => !item.lazy && item.resolve(position(i)));
  }

  /** A write failed: cut the partial bytes off so the next group can reuse the offset. */
  private async undoWrite(group: Group, file: string, cause: unknown): Promise<void> {
    try {
      await this.handle.truncate(group.start);
    } catch (truncateError) {
      this.fail(group, spoolIoError(`Writing to ${file} failed and the partial write could not be undone`, cause, { poisoned: true }), truncateError);
      return;
    }
    const error = spoolIoError(`Writing ${group.items.length} record(s) to ${file} failed`, cause, { poisoned: false });
    for (const item of group.items) item.reject(error);
  }

  /** Rejects the group and poisons the committer. */
  private fail(group: Group, error: SwitchboardError, cause: unknown): void {
    this.poisoned = true;
    this.poison = cause;
    for (const item of group.items) item.reject(error);
  }

  private poisonedError(): SwitchboardError {
    return spoolIoError('The spool refuses appends after an earlier write or fsync failure', this.poison, { poisoned: true });
  }

  /** Creates the next segment file and makes its directory entry durable before use. */
  private async rotate(next: number): Promise<void> {
    const { dir, table } = this.options;
    // 'wx+' fails if the file exists: never clobber a segment.
    const handle = await open(segmentPath(dir, next), 'wx+');
    try {
      await syncDirectory(dir);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    const previous = this.handle;
    this.handle = handle;
    this.segment = next;
    this.writeOffset = 0;
    table.addSegment(next);
    // The previous segment was synced by its last group; a close error cannot lose data.
    await previous.close().catch(() => undefined);
  }
}

function positionsOf(group: Group): (index: number) => SpoolPosition {
  const offsets: number[] = [];
  let offset = group.start;
  for (const buffer of group.buffers) {
    offsets.push(offset);
    offset += buffer.length;
  }
  return (index) => ({ segment: group.segment, offset: offsets[index] as number });
}

/** writev until every byte is written, tolerating partial writes. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers.slice();
  let at = position;
  while (pending.length > 0) {
    const batch = pending.slice(0, MAX_IOVECS);
    const { bytesWritten } = await handle.writev(batch, at);
    if (bytesWritten <= 0) throw new Error('writev made no progress');
    at += bytesWritten;
    let remaining = bytesWritten;
    let consumed = 0;
    while (consumed < pending.length && remaining >= (pending[consumed] as Buffer).length) {
      remaining -= (pending[consumed] as Buffer).length;
      consumed += 1;
    }
    pending = pending.slice(consumed);
    if (remaining > 0) pending[0] = (pending[0] as Buffer).subarray(remaining);
  }
}
