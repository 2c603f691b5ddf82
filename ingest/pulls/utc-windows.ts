/**
 * Fixed-size UTC windows over a pull's range, for the APIs that take instants (CC reports,
 * Connect exports). Work Analytics reads wall-clock days in a zone instead: see
 * work-analytics/windows.ts.
 */
import type { PullRange, SkippedRange } from './source.js';

/**
 * [range.from, range.to) clamped to `now`, cut into windows of `windowMs` starting at
 * `range.from`; the part after `now` is reported as skipped (`in-future`). `wholeSeconds`
 * rounds the bounds down to the second, for APIs that take no milliseconds.
 *
 * @example planUtcWindows({ from: d('2026-03-07'), to: d('2026-03-09T12:00Z') }, now, 86_400_000) → 3 windows, the last 12 h
 */
export function planUtcWindows(range: PullRange, now: Date, windowMs: number, options: { wholeSeconds?: boolean } = {}): { windows: PullRange[]; skipped: SkippedRange[] } {
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  const round = (at: number): number => (options.wholeSeconds === true ? Math.floor(at / 1000) * 1000 : at);
  const from = round(range.from.getTime());
  const nowMs = round(now.getTime());
  const to = Math.min(round(range.to.getTime()), nowMs);
  const skipped: SkippedRange[] = [];
  if (range.to.getTime() > nowMs) {
    const cut = new Date(Math.max(range.from.getTime(), nowMs));
    skipped.push({ from: cut, to: range.to, reason: 'in-future', message: `${cut.toISOString()} … ${range.to.toISOString()} skipped: it has not happened yet` });
  }
  const windows: PullRange[] = [];
  for (let start = from; start < to; start += windowMs) windows.push({ from: new Date(start), to: new Date(Math.min(start + windowMs, to)) });
  return { windows, skipped };
}
