import { createHash } from 'node:crypto';

/**
 * The fallback dedupe key for events without a documented id: the body's SHA-256. A retry
 * resends the same bytes, so it still collapses; two different events never collide.
 * @example bodyDigestKey(Buffer.from('{}')) → 'sha256:44136fa3…'
 */
export function bodyDigestKey(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
