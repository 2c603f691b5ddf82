/**
 * What is left of List Tickets' own per-minute budget, from its
 * `zendesk-ratelimit-tickets-index: total=100; remaining=99; resets=41` header
 * (https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting).
 * Unknown until the first answer; a look-up takes one before it starts, so concurrent ones
 * never overdraw it.
 */
export class ListBudget {
  private remaining: number | undefined;
  private inFlight = 0;
  /** When the budget resets, in ms from its last answer; 60 s until one says. */
  retryAfterMs = 60_000;

  /** False when no budget is left for one more look-up. */
  take(): boolean {
    if (this.remaining !== undefined && this.remaining <= 0) return false;
    if (this.remaining !== undefined) this.remaining -= 1;
    this.inFlight += 1;
    return true;
  }

  /** Reads the header of an answer (null when absent). */
  settle(header: string | null): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const remaining = /remaining=(\d+)/.exec(header ?? '')?.[1];
    const resets = /resets=(\d+)/.exec(header ?? '')?.[1];
    if (resets !== undefined) this.retryAfterMs = Math.max(1, Number(resets)) * 1000;
    // Other look-ups still in flight were counted by Zendesk after this answer, or will be.
    if (remaining !== undefined) this.remaining = Math.min(this.remaining ?? Infinity, Number(remaining) - this.inFlight);
  }

  exhaust(retryAfterMs: number | undefined): void {
    this.remaining = 0;
    if (retryAfterMs !== undefined) this.retryAfterMs = Math.max(this.retryAfterMs, retryAfterMs);
  }
}
