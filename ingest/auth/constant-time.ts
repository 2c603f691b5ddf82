/**
 * Constant-time comparison for secrets and signatures. Both sides are hashed first so the
 * comparison takes the same time whatever their lengths (timingSafeEqual alone throws on
 * unequal lengths, which itself leaks the length).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  // Lengths are compared after the constant-time digest comparison so both always run.
  return timingSafeEqual(ha, hb) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/**
 * Configured secrets, hashed once, for matching a presented value on every request: one
 * hash per request instead of two, and every secret is compared (no early exit).
 * @example new SecretSet(['Bearer abc']).matches(request.headers.authorization ?? '')
 */
export class SecretSet {
  private readonly digests: ReadonlyArray<{ digest: Buffer; length: number }>;

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map((secret) => ({ digest: sha256(secret), length: Buffer.byteLength(secret) }));
  }

  matches(candidate: string): boolean {
    const digest = sha256(candidate);
    const length = Buffer.byteLength(candidate);
    let matched = false;
    for (const secret of this.digests) matched = (timingSafeEqual(digest, secret.digest) && length === secret.length) || matched;
    return matched;
  }
}

function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer'); // one-shot: cheaper than createHash on the hot path
}
