/**
 * The contract every pull source implements (Work Analytics, Contact Center Historical
 * Analytics, the Connect log exports). A source knows its API: how to fetch a time range
 * page by page, and how far it has got (its `position`). It knows nothing about cursors,
 * schedules or the CLI: the runner (runner.ts) decides which range to pull, hands the
 * source the position it last landed, and lands each page together with its new position
 * in one transaction. So a source only has to make `position` mean "everything before
 * this has landed": after a kill, `pull` is called again with the last landed position.
 */
import type { PulledEvent } from './land.js';

/** A part of the requested range that was not pulled, and why (printed to the operator). */
export interface SkippedRange {
  from: Date;
  to: Date;
  /** e.g. `before-retention` (8x8 keeps only so much history) or `in-future`. */
  reason: string;
  /** A sentence for the operator, e.g. "2023-01-01 … 2024-11-27 skipped: 8x8 Work Analytics keeps only the last 2 years". */
  message: string;
}

/**
 * Something the operator should know about a run that did not stop it, said once per run in
 * its summary (e.g. rows landed without their id column, keyed by a digest instead).
 */
export interface PullNote {
  /** Stable, listed in docs/errors.md, e.g. `SB_PULL_CONNECT_ROW_DIGEST_KEY`. */
  code: string;
  /** A sentence for the operator, with what to do if anything. */
  message: string;
}

/** Where a source is in its range; the CLI draws its progress bar from these. */
export interface PullStep {
  /** The step being read, e.g. a window `2026-03-08` or an export job id. */
  step: string;
  /** 1-based index of that step, and how many steps the range has (when known). */
  stepIndex: number;
  steps: number;
}

/** A step as the runner reports it, with the records this run has landed so far (the runner counts them). */
export interface PullProgress extends PullStep {
  landed: number;
}

/** What the runner gives a source for one range. */
export interface PullIO<P> {
  /**
   * Lands one page's events and records `position` as reached, in one transaction.
   * Call it once per page, in order; an empty page with a new position is fine.
   */
  land(events: readonly PulledEvent[], position: P, step: PullStep): Promise<void>;
  /** Aborted when the operator stops the pull (Ctrl-C, shutdown): stop at the next page. */
  signal: AbortSignal;
  /** Waits (backoff, Retry-After, job polling); tests pass one that returns at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Progress without landing (a job still running, a retry): shown, never stored. */
  report(step: PullStep, note?: string): void;
  /** "Now", for retention limits and default ranges; tests pass a fixed instant. */
  now: Date;
}

/** A time range to pull: [from, to). */
export interface PullRange {
  from: Date;
  to: Date;
}

export interface PullSource<P = unknown> {
  /** The CLI and config name, e.g. `work-analytics`, `cc-interactions`, `connect-sms`. */
  readonly name: string;
  /** One line for `switchboard pull --list`. */
  readonly description: string;
  /** The raw table its events land in (e.g. `work_events`), and their `family`. */
  readonly table: string;
  readonly family: string;
  /**
   * How far back a pull can reach from `now`, e.g. `{ years: 2 }` for Work Analytics;
   * undefined when the API does not say. Informational: the source itself clamps.
   */
  readonly retention?: string;
  /**
   * Pulls [range.from, range.to), starting after `position` (null: from the start of the
   * range), calling `io.land` once per page. Returns the parts of the range it did not
   * pull and why, and `notes` for the run's summary (each said once). Throws a SwitchboardError when it cannot go on (auth, a bad request),
   * after retrying what is worth retrying (429 with Retry-After, 5xx, timeouts).
   */
  pull(range: PullRange, position: P | null, io: PullIO<P>): Promise<{ skipped: SkippedRange[]; notes?: PullNote[] }>;
}
