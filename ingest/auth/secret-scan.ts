/**
 * Finds configured secrets inside header values, whatever the header's name: the
 * belt-and-braces check behind `storableHeaders` (a secret pasted into the wrong header, or a
 * header name nobody declared, still never reaches a table or a log).
 */

/** Shorter values would match by accident (and are not secrets worth the name). */
const MIN_SECRET_LENGTH = 6;

/**
 * @example secretScanner(['Bearer s3cret-value'])('Bearer s3cret-value') → true
 */
export function secretScanner(secrets: readonly (string | null | undefined)[]): (value: string) => boolean {
  const kept = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  // Also the part after an auth scheme, so `Bearer <secret>` is found when `<secret>` alone is configured.
  const needles = [...new Set(kept.flatMap((s) => [s, s.replace(/^(Bearer|Basic|Token)\s+/i, '')]).filter((s) => s.length >= MIN_SECRET_LENGTH))];
  return (value) => needles.some((needle) => value.includes(needle));
}
