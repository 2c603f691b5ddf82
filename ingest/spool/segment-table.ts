/**
 * The in-memory map of which segments exist and how many *durable* bytes each holds. The
 * writer grows it only after fdatasync (so readers never see unsynced bytes), `release`
 * shrinks it from the front. Everything here is synchronous and does no I/O, which is
 * what makes `end()`, `start()` and `bytesAfter()` cheap enough to call per request.
 */
import type { SpoolPosition } from './position.js';

export class SegmentTable {
  /** Durable byte count of each segment; index 0 is segment `first`. Never empty. */
  private readonly sizes: number[];
  private first: number;

  /**
   * @example new SegmentTable(4, [67108864, 1200]) // segments 4 (sealed) and 5 (active)
   */
  constructor(first: number, sizes: number[]) {
    if (sizes.length === 0) throw new RangeError('a spool always has an active segment');
    this.first = first;
    this.sizes = sizes;
  }

  /** Number of the oldest segment still on disk. */
  get firstSegment(): number {
    return this.first;
  }

  /** Number of the active segment, the only one that still grows. */
  get lastSegment(): number {
    return this.first + this.sizes.length - 1;
  }

  /** Durable bytes of `segment`, or undefined when it was released or does not exist yet. */
  sizeOf(segment: number): number | undefined {
    return this.sizes[segment - this.first];
  }

  /** @example table.start() // { segment: 4, offset: 0 } */
  start(): SpoolPosition {
    return { segment: this.first, offset: 0 };
  }

  /** @example table.end() // { segment: 5, offset: 1200 } */
  end(): SpoolPosition {
    return { segment: this.lastSegment, offset: this.sizes[this.sizes.length - 1] as number };
  }

  /** Records that the active segment is durable up to `size` bytes. */
  setDurableSize(segment: number, size: number): void {
    if (segment !== this.lastSegment) throw new RangeError(`segment ${segment} is not the active segment`);
    this.sizes[this.sizes.length - 1] = size;
  }

  /** Makes `segment` (which must be the next number) the active segment, empty. */
  addSegment(segment: number): void {
    if (segment !== this.lastSegment + 1) throw new RangeError(`segment ${segment} does not follow ${this.lastSegment}`);
    this.sizes.push(0);
  }

  /** Forgets the oldest segment after its file was deleted. Never the active one. */
  dropFirst(): void {
    if (this.sizes.length === 1) throw new RangeError('the active segment cannot be released');
    this.sizes.shift();
    this.first += 1;
  }

  /**
   * Durable bytes from `from` to the end, frame headers included. A position in a released
   * segment counts everything still on disk; the end of a segment and the start of the
   * next count the same.
   * @example table.bytesAfter(table.end()) // 0
   */
  bytesAfter(from: SpoolPosition): number {
    let total = 0;
    for (let i = 0; i < this.sizes.length; i++) {
      const segment = this.first + i;
      if (segment < from.segment) continue;
      const size = this.sizes[i] as number;
      total += segment === from.segment ? Math.max(0, size - from.offset) : size;
    }
    return total;
  }
}
