/**
 * Where a record lives in the spool. A position is a value a drain can store as its
 * checkpoint (together with the spool's `id`) and hand back to `read()` after a restart.
 */

/**
 * A byte offset inside one numbered segment file.
 * @example { segment: 3, offset: 4096 } // the record starting 4096 bytes into 00000003.spool
 */
export interface SpoolPosition {
  /** Sequence number of the segment file (`00000003.spool` is 3). Starts at 1. */
  segment: number;
  /** Byte offset of a record boundary inside that file. */
  offset: number;
}

/**
 * One record returned by `read()`.
 * @example { position: { segment: 1, offset: 0 }, next: { segment: 1, offset: 1516 }, payload }
 */
export interface SpoolEntry {
  /** Where the record starts. */
  position: SpoolPosition;
  /** Where the following record starts: the position to checkpoint once this one is drained. */
  next: SpoolPosition;
  /** The bytes given to `append`. May share memory with neighbouring entries; copy before keeping it for long. */
  payload: Buffer;
}

/**
 * Orders two positions: negative when `a` comes first, 0 when equal, positive otherwise.
 * The end of one segment and the start of the next hold the same data but compare as
 * different positions; `Spool.bytesAfter` treats them as equal.
 * @example [p2, p1].sort(comparePositions)
 */
export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

/** `3:4096`, for messages and logs. */
export function formatPosition(p: SpoolPosition): string {
  return `${p.segment}:${p.offset}`;
}
