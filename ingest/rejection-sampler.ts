/**
 * Bounds what refusals cost. A flood of unauthenticated requests once stored 360 MB of
 * rejections and grew the server to 1.2 GB; now each source may have its refusals stored one
 * by one only up to `rejections.perSourcePerMinute`, and all sources together up to
 * `rejections.maxPerMinute`. Past that, refusals are *counted*, not dropped: once a minute,
 * one summary rejection per (source, family, code) says how many there were
 * (`occurrences`), without body or headers.
 */
import type { RejectionRecord } from './records.js';

export interface RejectionSamplerOptions {
  /** Refusals stored one by one per source address and minute. */
  perSourcePerMinute: number;
  /** Refusals stored one by one per minute, all sources together. */
  maxPerMinute: number;
  /** Most distinct (source, family, code) summaries held between flushes; more fold into source `*`. */
  maxSummaries?: number;
}

const WINDOW_MS = 60_000;

/** Refusals counted but not stored one by one, waiting for the next flush. */
interface Summary {
  first: RejectionRecord;
  count: number;
}

export class RejectionSampler {
  private windowStart = 0;
  private total = 0;
  private readonly perSource = new Map<string, number>();
  private readonly summaries = new Map<string, Summary>();

  constructor(private readonly options: RejectionSamplerOptions) {}

  /**
   * True when `rejection` is to be stored one by one; otherwise it is counted into a summary
   * that {@link flush} returns.
   */
  admit(rejection: RejectionRecord, now = Date.now()): boolean {
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.total = 0;
      this.perSource.clear();
    }
    const fromSource = this.perSource.get(rejection.ip) ?? 0;
    if (fromSource < this.options.perSourcePerMinute && this.total < this.options.maxPerMinute) {
      // The map only holds sources seen this minute, and at most maxPerMinute of them.
      this.perSource.set(rejection.ip, fromSource + 1);
      this.total += 1;
      return true;
    }
    const max = this.options.maxSummaries ?? 10_000;
    let key = `${rejection.ip}\u0001${rejection.family}\u0001${rejection.errorCode}`;
    if (!this.summaries.has(key) && this.summaries.size >= max) key = `*\u0001${rejection.family}\u0001${rejection.errorCode}`;
    const summary = this.summaries.get(key);
    if (summary === undefined) this.summaries.set(key, { first: { ...rejection, ip: key.startsWith('*\u0001') ? '*' : rejection.ip }, count: 1 });
    else summary.count += 1;
    return false;
  }

  /** The summary rejections counted since the last flush (one per source, family and code), and forgets them. */
  flush(now = Date.now()): RejectionRecord[] {
    const out: RejectionRecord[] = [];
    for (const { first, count } of this.summaries.values()) {
      out.push({
        ...first,
        rejectionId: `${first.rejectionId}+${count}`,
        receivedAt: now,
        reason: `${count} more refusal(s) like this one (${first.errorCode}) from ${first.ip} since the previous summary, past rejections.perSourcePerMinute or rejections.maxPerMinute: counted here, not stored one by one. The first of them said: ${first.reason}`,
        headers: {},
        body: null,
        bodyTruncated: false,
        occurrences: count,
      });
    }
    this.summaries.clear();
    return out;
  }
}
