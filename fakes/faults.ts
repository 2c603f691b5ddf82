/**
 * Scripted failures, shared by the fakes: `fail({ status: 429, retryAfter: '7' })` makes the
 * next matching request get that answer instead of the real one. The vendor-specific part
 * (what body a vendor sends with the status) stays in each fake, as the default body.
 */

/** A scripted failure: the next `times` requests that `match` get this answer instead. */
export interface Fault<Request = { method: string; path: string }> {
  status: number;
  /** Retry-After header value, e.g. `7` or an HTTP date. */
  retryAfter?: string;
  /** The body; absent: the fake's vendor-shaped default for the status. */
  body?: unknown;
  /** Default 1. */
  times?: number;
  match?: (request: Request) => boolean;
}

export class Faults<Request = { method: string; path: string }> {
  private readonly queue: Array<Fault<Request> & { left: number }> = [];

  add(fault: Fault<Request>): void {
    this.queue.push({ ...fault, left: fault.times ?? 1 });
  }

  /** The scripted answer for `request`, counted as used; undefined when none applies. */
  take(request: Request): { status: number; body: unknown; headers: Record<string, string> } | undefined {
    const fault = this.queue.find((f) => f.left > 0 && (f.match?.(request) ?? true));
    if (fault === undefined) return undefined;
    fault.left -= 1;
    return { status: fault.status, body: fault.body, headers: fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter } };
  }

  clear(): void {
    this.queue.length = 0;
  }
}
