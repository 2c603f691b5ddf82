/**
 * What the landing path reports as it goes, for the signals the server computes from it
 * (server/signals: throughput, latency, ratios per minute). Landing code only calls these;
 * it never knows what is done with them.
 *
 * Every method is called on a hot path (a webhook's answer, a drain batch): it must be
 * cheap (counters in memory, no I/O) and must never throw.
 */
import type { RawEventRecord } from './records.js';

/** How a refused webhook counts: 8x8 retries it, it is a dead letter, or it failed on our side. */
export type RefusalKind = 'retry' | 'dead_letter' | 'failure';

/** The landing route and the landing sink (landing-route.ts, landing.ts). */
export interface LandingObserver {
  /**
   * A verified event was made durable in the spool (its 200 follows).
   * @param eventAt 8x8's own time of the event (epoch ms, SourceFamily.eventTime), when it carries one
   * @example observer.accepted(record, Date.parse('2025-03-04T09:15:27.412Z'))
   */
  accepted(record: RawEventRecord, eventAt: number | undefined): void;
  /**
   * A webhook refused: `retry` for a refusal 8x8 retries by itself (429, a full spool: not a
   * rejection), `dead_letter` for one kept in `raw.rejections`, `failure` for one that failed
   * on our side (5xx). The event type is '' when the refusal came before the event was read.
   * @example observer.refused('voice', '', 'dead_letter')
   */
  refused(family: string, eventType: string, kind: RefusalKind): void;
}

/** The drainer (drainer.ts). */
export interface DrainObserver {
  /**
   * Events one drain transaction committed to the raw tables (rejections are not among them).
   * @param landedAt epoch ms, the `landed_at` they were written with
   */
  landed(events: readonly RawEventRecord[], landedAt: number): void;
  /** A drain attempt the warehouse refused or did not answer; its events stay in the spool and are tried again. */
  drainFailed(events: readonly RawEventRecord[]): void;
  /** One spool record the warehouse refused on its own, set aside in the quarantine. */
  quarantined(family: string): void;
}
