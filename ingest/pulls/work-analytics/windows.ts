/**
 * Query windows for Work Analytics. The API reads `startTime`/`endTime` as wall-clock
 * `YYYY-MM-DD HH:MM:SS` in the `timeZone` parameter, and serves only the last 2 years
 * (../shared/reference/8x8.md §4.2). So a requested range is first clamped to that
 * retention (what falls outside is reported, not silently dropped), then cut into windows
 * of a calendar size in that zone: a 1-day window across a DST change is 23 or 25 hours.
 */
import { DateTime, Duration, type DurationLikeObject } from 'luxon';
import { WorkAnalyticsError } from './errors.js';
import type { SkippedRange } from '../source.js';

/** One query window, [start, end), with its times as the API wants them. */
export interface QueryWindow {
  /** Window start (inclusive), e.g. `2026-03-08T05:00:00.000Z`. */
  start: Date;
  /** Window end (exclusive). */
  end: Date;
  /** `start` as wall-clock time in `timeZone`, e.g. `2026-03-08 00:00:00`. */
  startTime: string;
  /** `end` as wall-clock time in `timeZone`, e.g. `2026-03-09 00:00:00`. */
  endTime: string;
  /** The IANA zone both strings are in, e.g. `America/New_York`. */
  timeZone: string;
}

export interface WindowPlanOptions {
  /** Requested range start (inclusive). */
  from: Date;
  /** Requested range end (exclusive). */
  to: Date;
  /** IANA zone for the query strings, e.g. `America/New_York` or `UTC`. */
  timeZone: string;
  /** "Now", for the retention limit; tests pass a fixed instant. Default: the clock. */
  now?: Date;
  /** The size of each window in the zone's calendar. Default `{ days: 1 }`. */
  windowSize?: DurationLikeObject;
  /** How far back 8x8 serves data. Default `{ years: 2 }`. */
  retention?: DurationLikeObject;
}

export interface WindowPlan {
  windows: QueryWindow[];
  /** Parts of the request that will not be queried (empty when nothing was cut). */
  skipped: SkippedRange[];
}

/** Formats an instant as the API's `YYYY-MM-DD HH:MM:SS`, in `timeZone`. */
export function formatQueryTime(instant: Date, timeZone: string): string {
  return zoned(instant, timeZone).toFormat('yyyy-MM-dd HH:mm:ss');
}

/**
 * Clamps [from, to) to the retention window ending at `now`, and splits the rest into windows.
 *
 * @example
 *   planWindows({ from: new Date('2026-03-07T05:00:00Z'), to: new Date('2026-03-10T04:00:00Z'), timeZone: 'America/New_York' })
 *   // → 3 windows; the second is `2026-03-08 00:00:00` … `2026-03-09 00:00:00` (23 hours)
 */
export function planWindows(options: WindowPlanOptions): WindowPlan {
  const { timeZone } = options;
  const now = zoned(options.now ?? new Date(), timeZone);
  const size = Duration.fromObject(options.windowSize ?? { days: 1 });
  if (!size.isValid || size.toMillis() <= 0) throw new RangeError('windowSize must be a positive duration');
  // The earliest instant 8x8 still serves, counted in the zone's calendar ("the last 2 years").
  const earliest = now.minus(options.retention ?? { years: 2 });
  const skipped: SkippedRange[] = [];
  let from = zoned(options.from, timeZone);
  let to = zoned(options.to, timeZone);

  if (from < earliest) {
    const cut = to < earliest ? to : earliest;
    skipped.push({
      from: from.toJSDate(),
      to: cut.toJSDate(),
      reason: 'before-retention',
      message: `${label(from)} … ${label(cut)} (${timeZone}) skipped: 8x8 Work Analytics keeps only the last 2 years (since ${label(earliest)})`,
    });
    from = cut;
  }
  if (to > now) {
    const cut = from > now ? from : now;
    skipped.push({
      from: cut.toJSDate(),
      to: to.toJSDate(),
      reason: 'in-future',
      message: `${label(cut)} … ${label(to)} (${timeZone}) skipped: it has not happened yet`,
    });
    to = cut;
  }

  const windows: QueryWindow[] = [];
  let start = from;
  while (start < to) {
    // plus() in a zone keeps the wall clock, so days stay calendar days across DST.
    const next = start.plus(size);
    const end = next < to ? next : to;
    windows.push({
      start: start.toJSDate(),
      end: end.toJSDate(),
      startTime: start.toFormat('yyyy-MM-dd HH:mm:ss'),
      endTime: end.toFormat('yyyy-MM-dd HH:mm:ss'),
      timeZone,
    });
    start = end;
  }
  return { windows, skipped };
}

function zoned(instant: Date, timeZone: string): DateTime {
  const value = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!value.isValid) {
    throw new WorkAnalyticsError(
      'SB_PULL_WORK_TIME_ZONE',
      `"${timeZone}" is not an IANA time zone (or the instant is invalid): ${value.invalidExplanation ?? value.invalidReason}. Use a name such as America/New_York or UTC.`,
      { configKey: 'pulls.workAnalytics.timeZone' },
    );
  }
  return value;
}

function label(value: DateTime): string {
  return value.toFormat('yyyy-MM-dd HH:mm:ss');
}
