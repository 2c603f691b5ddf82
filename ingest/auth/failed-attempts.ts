/**
 * Failed attempts per source address in a fixed window: the webhook routes' unverified
 * traffic (server.rateLimit.unverifiedMax) and /oauth/token. Past `max` in a window the
 * address is refused until the window ends. Memory is bounded: a scan from many addresses
 * forgets the oldest windows rather than growing.
 */
const MAX_TRACKED = 10_000;

export class FailedAttempts {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /**
   * @param max failures allowed per window, e.g. 10
   * @param windowMs e.g. 60_000
   * @param now the clock (injected in tests)
   */
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Records one failure from `ip`. */
  fail(ip: string): void {
    const now = this.now();
    const current = this.live(ip, now);
    if (current !== undefined) {
      current.count += 1;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(ip, { start: now, count: 1 });
  }

  /** 0 when `ip` may try; otherwise how many seconds until it may (for Retry-After). */
  blockedForSeconds(ip: string): number {
    const now = this.now();
    const current = this.live(ip, now);
    if (current === undefined || current.count < this.max) return 0;
    return Math.max(1, Math.ceil((current.start + this.windowMs - now) / 1000));
  }

  private live(ip: string, now: number): { start: number; count: number } | undefined {
    const current = this.windows.get(ip);
    if (current !== undefined && now - current.start >= this.windowMs) {
      this.windows.delete(ip);
      return undefined;
    }
    return current;
  }
}
