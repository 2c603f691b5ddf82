/**
 * Reads durable records back out of segment files while appends continue.
 *
 * Reads go through their own read-only file handles (kept open between calls, so a drain
 * loop does not reopen a file per batch) and fetch large chunks, parsing many frames per
 * read syscall. They never look past the durable size the {@link SegmentTable} reports,
 * so a record still waiting for its fdatasync is invisible. Every frame's checksum is
 * verified here, which is also how older segments are validated: lazily, as they are read.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { spoolCorruptError, spoolIoError, spoolPositionError } from './errors.js';
import { FRAME_HEADER_BYTES, checkFrame } from './frame.js';
import { formatPosition, type SpoolEntry, type SpoolPosition } from './position.js';
import type { SegmentTable } from './segment-table.js';
import { segmentPath } from './spool-directory.js';

/** Smallest and largest single read; small batches still read 64 KiB to amortise syscalls. */
const MIN_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/** Idle handles beyond this many are closed (a drain touches one or two segments at a time). */
const MAX_OPEN_HANDLES = 4;

/** How much one `read` call may return. */
export interface ReadLimits {
  /** At most this many records. Must be at least 1. */
  maxRecords: number;
  /** Stop once this many payload bytes were returned; one record is returned even if larger. */
  maxBytes: number;
}

interface CachedHandle {
  handle: Promise<FileHandle>;
  users: number;
  /** Segment was released: close as soon as no read uses it. */
  forgotten: boolean;
}

export class SegmentReader {
  private readonly dir: string;
  private readonly table: SegmentTable;
  private readonly handles = new Map<number, CachedHandle>();

  constructor(dir: string, table: SegmentTable) {
    this.dir = dir;
    this.table = table;
  }

  /**
   * Reads records from `from`. Returns [] when `from` is the durable end.
   * @throws SB_SPOOL_POSITION when `from` was released or lies beyond the end;
   *   SB_SPOOL_CORRUPT when a stored record fails its checksum.
   * @example await reader.read({ segment: 1, offset: 0 }, { maxRecords: 500, maxBytes: 1 << 20 })
   */
  async read(from: SpoolPosition, limits: ReadLimits): Promise<SpoolEntry[]> {
    const entries: SpoolEntry[] = [];
    let { segment, offset } = from;
    let bytes = 0;
    while (entries.length < limits.maxRecords && (bytes < limits.maxBytes || entries.length === 0)) {
      const size = this.durableSize(segment, offset, from);
      if (offset === size) {
        if (segment === this.table.lastSegment) break;
        segment += 1;
        offset = 0;
        continue;
      }
      const wanted = Math.min(size - offset, clamp(limits.maxBytes - bytes + FRAME_HEADER_BYTES, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES));
      let chunk = await this.readAt(segment, offset, wanted);
      let at = 0;
      while (at < chunk.length && entries.length < limits.maxRecords && (bytes < limits.maxBytes || entries.length === 0)) {
        const frame = checkFrame(chunk, at);
        if (frame.kind === 'short') {
          if (offset + at + frame.needed > size) throw this.corrupt(segment, offset + at, 'record extends past the durable end');
          if (at > 0) break; // re-read from this frame on the next pass
          chunk = await this.readAt(segment, offset, frame.needed);
          continue;
        }
        if (frame.kind === 'bad') {
          const atStart = segment === from.segment && offset + at === from.offset;
          throw this.corrupt(segment, offset + at, atStart ? `${frame.reason}, or the requested position is not a record boundary` : frame.reason);
        }
        entries.push({
          position: { segment, offset: offset + at },
          next: { segment, offset: offset + frame.end },
          payload: chunk.subarray(at + FRAME_HEADER_BYTES, frame.end),
        });
        bytes += frame.length;
        at = frame.end;
      }
      offset += at;
    }
    return entries;
  }

  /** The segment's file was deleted: drop its handle once no read is using it. */
  forget(segment: number): void {
    const cached = this.handles.get(segment);
    if (cached === undefined) return;
    cached.forgotten = true;
    if (cached.users === 0) this.closeHandle(segment, cached);
  }

  /** Closes every handle; call after the last read has settled. */
  async close(): Promise<void> {
    const closing = [...this.handles.entries()].map(([segment, cached]) => this.closeHandle(segment, cached));
    await Promise.all(closing);
  }

  private durableSize(segment: number, offset: number, from: SpoolPosition): number {
    const size = this.table.sizeOf(segment);
    if (size === undefined && segment < this.table.firstSegment) {
      throw spoolPositionError(`position ${formatPosition(from)} lies in a released segment; the spool now starts at ${formatPosition(this.table.start())}`);
    }
    if (size === undefined || offset > size || offset < 0) {
      throw spoolPositionError(`position ${formatPosition(from)} lies beyond the durable end ${formatPosition(this.table.end())}`);
    }
    return size;
  }

  /** Reads exactly `length` bytes at `position`. */
  private async readAt(segment: number, position: number, length: number): Promise<Buffer> {
    const cached = this.acquire(segment);
    try {
      const handle = await cached.handle;
      const buf = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, position + filled);
        if (bytesRead === 0) throw this.corrupt(segment, position + filled, 'file is shorter than the data acknowledged in it');
        filled += bytesRead;
      }
      return buf;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SB_SPOOL_CORRUPT') throw err;
      throw spoolIoError(`Reading ${segmentPath(this.dir, segment)} failed`, err, { poisoned: false });
    } finally {
      cached.users -= 1;
      if (cached.forgotten && cached.users === 0) this.closeHandle(segment, cached);
    }
  }

  private acquire(segment: number): CachedHandle {
    let cached = this.handles.get(segment);
    if (cached === undefined) {
      this.evictIdle();
      const handle = open(segmentPath(this.dir, segment), 'r');
      handle.catch(() => this.handles.delete(segment)); // let the next read retry the open
      cached = { handle, users: 0, forgotten: false };
      this.handles.set(segment, cached);
    }
    cached.users += 1;
    return cached;
  }

  private evictIdle(): void {
    for (const [segment, cached] of this.handles) {
      if (this.handles.size < MAX_OPEN_HANDLES) return;
      if (cached.users === 0) this.closeHandle(segment, cached);
    }
  }

  private closeHandle(segment: number, cached: CachedHandle): Promise<void> {
    if (this.handles.get(segment) === cached) this.handles.delete(segment);
    return cached.handle.then(
      (handle) => handle.close(),
      () => undefined,
    ).catch(() => undefined);
  }

  private corrupt(segment: number, offset: number, detail: string): Error {
    return spoolCorruptError(segmentPath(this.dir, segment), offset, detail);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
