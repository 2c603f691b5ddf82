/**
 * The on-disk framing of one spool record: a 16-byte header followed by the payload.
 *
 * ```
 * offset 0   4 bytes  magic "SPL1" (format version 1; also lets recovery find frame starts)
 *        4   u32 LE   payload length in bytes
 *        8   u32 LE   group offset: bytes from the first frame of this frame's commit group
 *                     (one write + one fdatasync) to the start of this frame
 *       12   u32 LE   CRC-32 (zlib) of the payload, continued over bytes 4..12
 *       16   payload
 * ```
 *
 * The group offset is what lets recovery tell a torn tail from corruption: a crash can only
 * tear the group that was being written, so after a bad frame, valid frames may follow only
 * if they belong to that same group (see recovery.ts).
 */
import { crc32 } from 'node:zlib';
import { MAX_PAYLOAD_BYTES } from './errors.js';

/** Bytes before the payload. */
export const FRAME_HEADER_BYTES = 16;

/** "SPL1" as it appears in the file. */
export const FRAME_MAGIC = Buffer.from('SPL1', 'latin1');

/** A frame waiting for its group: the header is complete except for group offset and CRC. */
export interface PendingFrame {
  /** Header + copy of the payload, ready to write once sealed. */
  bytes: Buffer;
  /** CRC-32 of the payload alone, computed when the frame was created. */
  payloadCrc: number;
}

/** Outcome of looking at the bytes at one offset. */
export type FrameCheck =
  /** A whole, valid frame; `end` is the offset just after it. */
  | { kind: 'ok'; length: number; groupOffset: number; end: number }
  /** The buffer ends before the frame does; `needed` is the frame's total size if known. */
  | { kind: 'short'; needed: number }
  /** Not a valid frame; `reason` is for error messages. */
  | { kind: 'bad'; reason: string };

/**
 * Copies `payload` into a new frame. Copying (rather than writing the caller's buffer)
 * means a caller that reuses its buffer after `append` returns cannot change what we
 * checksummed.
 * @example const frame = createFrame(Buffer.from('{"event":"call.ended"}'))
 */
export function createFrame(payload: Buffer): PendingFrame {
  const bytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  FRAME_MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(payload.length, 4);
  bytes.writeUInt32LE(0, 8);
  bytes.writeUInt32LE(0, 12);
  payload.copy(bytes, FRAME_HEADER_BYTES);
  return { bytes, payloadCrc: crc32(payload) };
}

/**
 * Fills in the group offset and the CRC once the frame's place in its group is known.
 * @example sealFrame(frame, 0) // the first frame of a group
 */
export function sealFrame(frame: PendingFrame, groupOffset: number): Buffer {
  frame.bytes.writeUInt32LE(groupOffset, 8);
  frame.bytes.writeUInt32LE(crc32(frame.bytes.subarray(4, 12), frame.payloadCrc), 12);
  return frame.bytes;
}

/**
 * Checks the frame starting at `at` in `buf`. Never throws; callers decide whether a bad
 * frame is a torn tail or corruption.
 * @example checkFrame(segmentBytes, 0) // { kind: 'ok', length: 1500, groupOffset: 0, end: 1516 }
 */
export function checkFrame(buf: Buffer, at: number): FrameCheck {
  if (buf.length - at < FRAME_HEADER_BYTES) return { kind: 'short', needed: FRAME_HEADER_BYTES };
  if (buf.compare(FRAME_MAGIC, 0, 4, at, at + 4) !== 0) return { kind: 'bad', reason: 'no frame magic' };
  const length = buf.readUInt32LE(at + 4);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'bad', reason: `implausible length ${length}` };
  const end = at + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return { kind: 'short', needed: FRAME_HEADER_BYTES + length };
  const expected = buf.readUInt32LE(at + 12);
  const payloadCrc = crc32(buf.subarray(at + FRAME_HEADER_BYTES, end));
  if (crc32(buf.subarray(at + 4, at + 12), payloadCrc) !== expected) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'ok', length, groupOffset: buf.readUInt32LE(at + 8), end };
}
