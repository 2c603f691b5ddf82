/**
 * Retry-After as a wait in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when the header is absent or unreadable; a date in the past is 0.
 * @example retryAfterMs('120') → 120000
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
