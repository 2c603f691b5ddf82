/**
 * 8x8's own time of an event, as a family reads it (SourceFamily.eventTime), for the
 * event → received latency (server/signals). It runs on every accepted delivery while signals
 * are on, so the shapes 8x8 sends most take a fast path: an epoch number, or ISO-8601 text in
 * UTC (`…Z`). Anything else goes through core's reader of every 8x8 time format (toUtcIso,
 * 8x8.md §6), which also reads offsets and up to 7 fraction digits.
 */
import { toUtcIso } from '../../core/normalize/time.js';

const T = 84; // 'T'
const Z = 90; // 'Z'

/**
 * A time 8x8 sent, as epoch milliseconds; undefined when `value` is none. Epoch numbers are
 * told apart by magnitude as core/normalize/time.ts does (below 1e11 seconds, 1e14 ms,
 * 1e17 µs, else ns).
 * @example eventTimeMs('2025-03-04T09:15:27.412Z') → 1741079727412
 * @example eventTimeMs(1632490058278) → 1632490058278
 */
export function eventTimeMs(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    if (value < 1e11) return Math.floor(value * 1000);
    if (value < 1e14) return Math.floor(value);
    if (value < 1e17) return Math.floor(value / 1000);
    return Math.floor(value / 1e6);
  }
  if (typeof value !== 'string' || value === '') return undefined;
  // `YYYY-MM-DDThh:mm:ss[.f…]Z`: Date.parse reads it exactly (fractions past the millisecond
  // cut). Checked by two characters, not a regex: anything else Date.parse refuses (NaN) or
  // that is not this shape goes to toUtcIso.
  if (value.length >= 20 && value.charCodeAt(10) === T && value.charCodeAt(value.length - 1) === Z) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  const iso = toUtcIso(value);
  return iso === null ? undefined : Date.parse(iso);
}

/**
 * The first of the values that is a time (eventTimeMs). Fixed parameters, not a rest array:
 * it runs per delivery. @example firstEventTime(undefined, '2025-03-04T11:00:00Z') → 1741086000000
 */
export function firstEventTime(a: unknown, b?: unknown, c?: unknown, d?: unknown): number | undefined {
  return eventTimeMs(a) ?? eventTimeMs(b) ?? eventTimeMs(c) ?? eventTimeMs(d);
}
