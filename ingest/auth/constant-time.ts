/**
 * Constant-time comparison for secrets and signatures. Both sides are hashed first so the
 * comparison takes the same time whatever their lengths (timingSafeEqual alone throws on
 * unequal lengths, which itself leaks the length).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  // Lengths are compared after the constant-time digest comparison so both always run.
  return timingSafeEqual(ha, hb) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/** True when `candidate` equals any of `secrets`; every secret is compared (no early exit). */
export function matchesAny(candidate: string, secrets: readonly string[]): boolean {
  let matched = false;
  for (const secret of secrets) matched = constantTimeEqual(candidate, secret) || matched;
  return matched;
}
