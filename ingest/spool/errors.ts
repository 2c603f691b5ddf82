/**
 * The spool's error codes. Stable once released; each message says what happened and what
 * an operator (or the calling code) should do next.
 *
 * - `SB_SPOOL_CLOSED`: an append or read arrived after `close()`.
 * - `SB_SPOOL_IO`: a write, fsync or file operation failed. After a failed fsync the spool
 *   refuses every further append, because the kernel may have dropped the dirty pages while
 *   reporting the error only once ("fsyncgate", https://lwn.net/Articles/752063/); only a
 *   reopen, which re-reads the files, re-establishes what is really on disk.
 * - `SB_SPOOL_CORRUPT`: a record that was acknowledged as durable fails its checksum.
 * - `SB_SPOOL_POSITION`: a read started at a position the spool does not hold (released,
 *   or beyond the end).
 * - `SB_SPOOL_RECORD_TOO_LARGE`: a payload above {@link MAX_PAYLOAD_BYTES}.
 */
import { SwitchboardError } from '../../core/errors.js';

/** The largest payload `append` accepts: 256 MiB (the frame header stores a u32 length). */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** @example throw spoolClosedError() */
export function spoolClosedError(): SwitchboardError {
  return new SwitchboardError(
    'SB_SPOOL_CLOSED',
    'The spool is closed. Open a new Spool (Spool.open) before appending or reading; during shutdown, stop accepting requests before closing the spool.',
  );
}

/**
 * @example spoolIoError('fdatasync of /data/spool/00000003.spool failed', err, { poisoned: true })
 */
export function spoolIoError(what: string, cause: unknown, options: { poisoned: boolean }): SwitchboardError {
  const advice = options.poisoned
    ? 'The spool now refuses appends because the state of unsynced data is unknown; fix the disk (space, permissions, hardware), then restart the process so the spool is reopened and recovered. Records acknowledged earlier are safe.'
    : 'This append was not stored; retry it (the caller should answer 5xx so the sender retries). If it keeps failing, check free space and permissions of the spool directory.';
  // `poisoned` tells callers whether to stop appending (see Landing) without parsing the text.
  return Object.assign(new SwitchboardError('SB_SPOOL_IO', `${what}: ${describe(cause)}. ${advice}`, { cause }), {
    poisoned: options.poisoned,
  });
}

/** @example spoolCorruptError('/data/spool/00000002.spool', 4096, 'checksum mismatch') */
export function spoolCorruptError(file: string, offset: number, detail: string): SwitchboardError {
  return new SwitchboardError(
    'SB_SPOOL_CORRUPT',
    `Spool file ${file} is damaged at byte offset ${offset}: ${detail}. Records stored there were acknowledged, so this is not a crash-torn tail. ` +
      'Keep a copy of the spool directory for investigation; to resume, move the damaged file away (its records from that offset on are lost) and restart.',
  );
}

/** @example spoolPositionError('position 3:100 was released') */
export function spoolPositionError(detail: string): SwitchboardError {
  return new SwitchboardError(
    'SB_SPOOL_POSITION',
    `Cannot read the spool from this position: ${detail}. A drain checkpoint is only valid for the spool id it was taken from; restart the drain from spool.start() if the checkpoint belongs to another (or a recreated) spool.`,
  );
}

/** @example spoolTooLargeError(300 * 1024 * 1024) */
export function spoolTooLargeError(bytes: number): SwitchboardError {
  return new SwitchboardError(
    'SB_SPOOL_RECORD_TOO_LARGE',
    `A spool record of ${bytes} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes. Reject the request (413) before appending it.`,
  );
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code} (${cause.message})`;
  }
  return String(cause);
}
