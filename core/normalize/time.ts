import { DateTime, IANAZone } from 'luxon';

export { durationHhmmss, parseHhmmss } from './duration.js';

// Every format below is a row of ../shared/reference/8x8.md §6 ("Time formats").

/** How to read a time that carries no zone of its own. */
export interface ToUtcOptions {
  /**
   * IANA zone for zone-less local strings, e.g. `'America/New_York'` for Work Analytics
   * `startTime` requests, or the tenant's zone for CC `callAnsweredTenantTT`. Ignored when
   * the string has `Z` or an offset. Default: UTC (Cloud Storage `createdTime` is assumed
   * to be UTC, 8x8.md §4.3). An unknown zone throws a RangeError: it is a configuration bug,
   * not bad data.
   */
  zone?: string;
}

/** Epoch magnitudes, tested in this order (each boundary is 1973-03-03 in the next finer unit,
 *  and year 5138 in its own, so no 8x8 timestamp sits near one). */
const SECONDS_BELOW = 100_000_000_000n; // 1e11: CC Event Streaming `eventTS`, JaaS signature `t=`
const MILLISECONDS_BELOW = 100_000_000_000_000n; // 1e14: CC chat `timestamp`, Work `*TimeUTC`, JaaS `timestamp`
const MICROSECONDS_BELOW = 100_000_000_000_000_000n; // 1e17; above: ns, CC `createInteractionTimestampNanos`
/** The last instant a JavaScript Date can hold. */
const MAX_DATE_MS = 8_640_000_000_000_000n;
const DAY_MS = 86_400_000;

/** An epoch as text: digits, maybe a fraction (`"1741087911.5"`). */
const EPOCH_TEXT = /^(\d+)(?:\.(\d*))?$/;
/** A negative number: never an 8x8 timestamp. */
const NEGATIVE = /^-\d+(?:\.\d*)?$/;
/** The time part ends in `Z`, an offset with or without colon (`-0500`, `+03:00`, `+07`), or `[Zone]`. */
const HAS_ZONE = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?|\])$/i;
/** More than three fraction digits: `…30.6030893Z` (SMS DR), `…19.4297387+00:00` (Connect errors). */
const SUB_MILLISECOND = /(\d{2}:\d{2}:\d{2}[.,]\d{3})\d+/;

/**
 * Any 8x8 timestamp as ISO-8601 UTC with milliseconds and `Z`, or `null` when there is
 * none. Pure; fractions beyond the millisecond are truncated, never rounded.
 *
 * Accepts ISO strings with 0–7 fraction digits and `Z` or an offset (with or without a
 * colon); epoch seconds, ms, µs or ns as numbers, bigints or numeric strings (told apart by
 * magnitude: below 1e11 seconds, below 1e14 ms, below 1e17 µs, else ns); zone-less local
 * strings (`2022-11-01T21:22:22`, `2025-03-04 09:15:27`, `2025-03-04`), read in
 * `options.zone`; and Date objects. `null`, `undefined`, `''`, `0` and `"0"` (Work
 * Analytics' "never", 8x8.md §4.2), negatives and anything unparseable give `null`.
 *
 * Zone-less times that a DST change makes ambiguous or impossible resolve like
 * `Temporal`'s `'compatible'` disambiguation: an ambiguous time (the fall-back hour) is the
 * earlier instant, the first occurrence, in daylight time; a non-existent time (the
 * spring-forward gap) moves forward by the gap. Luxon's own answer for the ambiguous case
 * depends on the offset in force on the day the code runs, so it is not used.
 *
 * @example
 *   toUtcIso('2025-03-04T10:02:11.6030893Z')                     // '2025-03-04T10:02:11.603Z'
 *   toUtcIso('2025-03-04T07:06:52.345-0500')                     // '2025-03-04T12:06:52.345Z'
 *   toUtcIso(1741087911)                                         // '2025-03-04T11:31:51.000Z' (seconds)
 *   toUtcIso('1741087911000')                                    // '2025-03-04T11:31:51.000Z' (ms)
 *   toUtcIso('2025-03-04 07:06:52', { zone: 'America/New_York' }) // '2025-03-04T12:06:52.000Z'
 *   toUtcIso('2025-11-02T01:30:00', { zone: 'America/New_York' }) // '2025-11-02T05:30:00.000Z' (EDT, first 01:30)
 *   toUtcIso('2025-03-09T02:30:00', { zone: 'America/New_York' }) // '2025-03-09T07:30:00.000Z' (= 03:30 EDT)
 *   toUtcIso(0)                                                  // null
 */
export function toUtcIso(value: unknown, options: ToUtcOptions = {}): string | null {
  const zone = ianaZone(options.zone);
  const ms = epochMs(value, zone);
  if (ms === null) return null;
  const iso = new Date(ms).toISOString();
  // Years outside 0000–9999 print as ±YYYYYY; no 8x8 time is there, so treat them as garbage.
  return iso.length === 24 ? iso : null;
}

function ianaZone(name: string | undefined): IANAZone | null {
  if (name === undefined) return null;
  if (!IANAZone.isValidZone(name)) {
    throw new RangeError(`Unknown IANA time zone ${JSON.stringify(name)}: use a name such as "America/New_York" or "UTC".`);
  }
  return IANAZone.create(name);
}

function epochMs(value: unknown, zone: IANAZone | null): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  // String(number) is the shortest exact decimal, so seconds with a fraction
  // (1741087911.123) go through the same digit arithmetic as strings, without float error.
  if (typeof value === 'number') return Number.isFinite(value) ? fromEpochText(String(value)) : null;
  if (typeof value === 'bigint') return fromEpochText(value.toString());
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '' || NEGATIVE.test(text)) return null;
  if (EPOCH_TEXT.test(text)) return fromEpochText(text);
  return fromIsoText(text, zone);
}

/** Epoch digits to ms, in BigInt so that 19-digit nanosecond strings keep every digit. */
function fromEpochText(text: string): number | null {
  const match = EPOCH_TEXT.exec(text);
  if (match === null) return null;
  const whole = BigInt(match[1] as string);
  const fraction = match[2] ?? '';
  let ms: bigint;
  if (whole < SECONDS_BELOW) ms = whole * 1000n + BigInt(fraction.padEnd(3, '0').slice(0, 3));
  else if (whole < MILLISECONDS_BELOW) ms = whole;
  else if (whole < MICROSECONDS_BELOW) ms = whole / 1000n;
  else ms = whole / 1_000_000n;
  // 0 is "never" in Work Analytics (`connectTimeUTC = 0`), not 1970-01-01.
  if (ms === 0n || ms > MAX_DATE_MS) return null;
  return Number(ms);
}

function fromIsoText(text: string, zone: IANAZone | null): number | null {
  const iso = text
    // Work Analytics request times are "YYYY-MM-DD HH:MM:SS" (8x8.md §4.2); ISO wants a T.
    .replace(/^(\d{4}-\d{2}-\d{2})\s+(?=\d)/, '$1T')
    // 8x8 sends up to 7 fraction digits; keep the first 3. Truncating (never rounding)
    // means no event moves later than it happened. Luxon happens to truncate too
    // (Math.floor in parseMillis), but that is an implementation detail, so do it here.
    .replace(SUB_MILLISECOND, '$1');
  if (HAS_ZONE.test(iso)) {
    const parsed = DateTime.fromISO(iso, { setZone: true });
    return parsed.isValid ? parsed.toMillis() : null;
  }
  // Zone-less: read the wall clock as if it were UTC, then find the instant in `zone`.
  const wall = DateTime.fromISO(iso, { zone: 'utc' });
  if (!wall.isValid) return null;
  return zone === null ? wall.toMillis() : wallClockToInstant(wall.toMillis(), zone);
}

/**
 * The instant at which `zone`'s clocks read `wallMs` (a wall-clock time encoded as if UTC).
 * The offsets a day before and a day after cover any single DST change; each candidate
 * offset is kept if the zone really has that offset at the resulting instant.
 * Two fit (fall-back overlap): the earlier instant. None fits (spring-forward gap): the
 * offset from before the change, which lands the same distance past the gap.
 */
function wallClockToInstant(wallMs: number, zone: IANAZone): number {
  const before = zone.offset(wallMs - DAY_MS);
  const after = zone.offset(wallMs + DAY_MS);
  const fits = [before, after]
    .map((offsetMinutes) => ({ offsetMinutes, instant: wallMs - offsetMinutes * 60_000 }))
    .filter(({ offsetMinutes, instant }) => zone.offset(instant) === offsetMinutes)
    .map(({ instant }) => instant);
  return fits.length > 0 ? Math.min(...fits) : wallMs - before * 60_000;
}
