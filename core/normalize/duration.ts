// Durations are stored in seconds, with an `HH:MM:SS` text column beside them
// (issue 3). Work Analytics sends both ms and text (`talkTimeMS` / `talkTime: "00:04:52"`):
// https://developer.8x8.com/analytics/docs/work-analytics-call-detail-records (8x8.md §4.2, §6).

/** `H+:MM:SS`, minutes and seconds below 60; hours may run past 24 ("25:01:01"). */
const HHMMSS = /^(\d+):([0-5]\d):([0-5]\d)$/;

/**
 * Seconds as `HH:MM:SS`. Hours are at least two digits and are not wrapped at 24, so a
 * day-long call stays readable and sorts like the number. Fractions are truncated.
 * `null`, negatives, NaN and infinities give `null`: 8x8 never sends a negative duration,
 * so one is a bug upstream, not something to print.
 *
 * @example
 *   durationHhmmss(292)    // '00:04:52'
 *   durationHhmmss(90061)  // '25:01:01'
 *   durationHhmmss(59.9)   // '00:00:59'
 *   durationHhmmss(null)   // null
 */
export function durationHhmmss(seconds: number | null): string | null {
  if (seconds === null || typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return null;
  const whole = Math.floor(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  return `${String(hours).padStart(2, '0')}:${pad2(minutes)}:${pad2(secs)}`;
}

/**
 * Work Analytics' `HH:MM:SS` text (`talkTime`, `waitTime`, `calleeHoldDuration`) as
 * seconds, or `null` when it is not that shape (e.g. `"-"` or `""`).
 *
 * @example
 *   parseHhmmss('00:04:52')   // 292
 *   parseHhmmss('25:01:01')   // 90061
 *   parseHhmmss('4:52')       // null (no hours)
 *   parseHhmmss('00:61:00')   // null (minutes past 59)
 */
export function parseHhmmss(text: string): number | null {
  if (typeof text !== 'string') return null;
  const match = HHMMSS.exec(text.trim());
  if (match === null) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
