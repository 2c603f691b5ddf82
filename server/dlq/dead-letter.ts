/**
 * What a dead letter is: anything that did not go through, from one of four places, in one
 * shape (`switchboard dlq`, the operator API's /dlq, the console):
 *
 * - `landing`: a webhook refused at the door (`<raw>.rejections`, ingest/replay.ts);
 * - `quarantine`: a record the warehouse refused on its own (`<raw>._quarantine`, ingest/quarantine.ts);
 * - `sync`: a row a destination refused (`switchboard_sync.rejections`, sync/);
 * - `pull`: a pull page that failed (`<raw>._pull_failures`, ingest/pulls/failures.ts).
 *
 * Replayed or resolved ones are not dead letters any more.
 */
import { SwitchboardError } from '../../core/errors.js';

export const DEAD_LETTER_SOURCES = ['landing', 'quarantine', 'sync', 'pull'] as const;
export type DeadLetterSource = (typeof DEAD_LETTER_SOURCES)[number];

export interface DeadLetter {
  /**
   * Source-prefixed: `rejection:<rejection id>`, `quarantine:<quarantine id>`,
   * `sync:<sync>:<key>`, `pull:<run id>:<page>`.
   */
  id: string;
  source: DeadLetterSource;
  /** The family (landing, quarantine), the sync's name, or the pull source's name. */
  pipeline: string;
  /** Why, in the words of whoever refused it. */
  reason: string;
  /** A stable code when there is one (`SB_INGEST_SIGNATURE_INVALID`, a destination's `INVALID_FIELD`), else null. */
  code: string | null;
  /** How many times it was refused: a rejection's occurrences, a row's refusals since it was last sent, a page's failed runs. */
  count: number;
  /** First and last refusal, ISO. */
  firstAt: string;
  lastAt: string;
  /** Seconds since firstAt. */
  ageSeconds: number;
}

/** Which dead letters: every field narrows (ids too, when given). */
export interface DeadLetterFilter {
  ids?: readonly string[] | undefined;
  source?: DeadLetterSource | undefined;
  /** Family, sync or pull source. */
  pipeline?: string | undefined;
  /** Case-insensitive part of the reason. */
  reason?: string | undefined;
  /** The code, exactly. */
  code?: string | undefined;
  /** ISO times: last refused at or after `since`, and before `until`. */
  since?: string | undefined;
  until?: string | undefined;
  /** At most this many (default 100 to list, 1000 to replay; at most 10 000). */
  limit?: number | undefined;
}

/** What a replay did with one dead letter. */
export interface DeadLetterOutcome {
  id: string;
  /**
   * - `replayed`: it went through this time (landed, sent, pulled);
   * - `would-replay`: a dry run found it replayable; nothing was sent;
   * - `resolved`: nothing was left to send (a sync row that left the model, or the
   *   destination already has it); it is no longer a dead letter;
   * - `failed`: refused or failing again; it stays a dead letter (the message says why);
   * - `skipped`: it cannot be replayed (the message says why);
   * - `not-found`: no such dead letter (replayed already, or a wrong id).
   */
  status: 'replayed' | 'would-replay' | 'resolved' | 'failed' | 'skipped' | 'not-found';
  message: string;
  code?: string;
}

export interface ReplayOptions {
  dryRun?: boolean;
  /** Landing rejections of header-authenticated families: land without re-checking credentials (ingest/replay.ts). */
  trust?: boolean;
}

/** One dead letter in full: the entry and what its source knows (headers, a redacted body sample, attempts, the failed run). */
export interface DeadLetterDetail {
  entry: DeadLetter;
  detail: Record<string, unknown>;
}

export type ParsedId =
  | { source: 'landing'; rejectionId: string }
  | { source: 'quarantine'; quarantineId: string }
  | { source: 'sync'; sync: string; key: string }
  | { source: 'pull'; failureId: string };

/**
 * An id's source and parts.
 * @throws SwitchboardError SB_DLQ_BAD_ID for anything else
 * @example parseId('sync:calls_to_salesforce:c-42') → { source: 'sync', sync: 'calls_to_salesforce', key: 'c-42' }
 */
export function parseId(id: string): ParsedId {
  const colon = id.indexOf(':');
  const prefix = colon < 0 ? id : id.slice(0, colon);
  const rest = colon < 0 ? '' : id.slice(colon + 1);
  if (rest !== '') {
    if (prefix === 'rejection') return { source: 'landing', rejectionId: rest };
    if (prefix === 'quarantine') return { source: 'quarantine', quarantineId: rest };
    if (prefix === 'pull') return { source: 'pull', failureId: rest };
    if (prefix === 'sync') {
      // Sync names are identifiers (no colon); the key is everything after.
      const at = rest.indexOf(':');
      if (at > 0) return { source: 'sync', sync: rest.slice(0, at), key: rest.slice(at + 1) };
    }
  }
  throw new SwitchboardError(
    'SB_DLQ_BAD_ID',
    `"${id}" is not a dead letter id: they look like rejection:<id>, quarantine:<id>, sync:<sync>:<key> or pull:<run>:<page>, as switchboard dlq list prints them.`,
  );
}

/** Seconds from `firstAt` to `now`, never negative. */
export function ageSeconds(firstAt: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(firstAt)) / 1000));
}

/** A warehouse timestamp as ISO text (the drivers answer ISO text; a Date is accepted too). */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? String(value) : new Date(parsed).toISOString();
}

/** Whether `reason` contains `part`, ignoring case: the exact check after the SQL's LIKE, which also lets `%` and `_` match anything. */
export function reasonMatches(reason: string, part: string | undefined): boolean {
  return part === undefined || reason.toLowerCase().includes(part.toLowerCase());
}

/** The code of a SwitchboardError (or a driver's), for an outcome. */
export function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
}
