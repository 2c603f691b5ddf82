/**
 * Bearer tokens for 8x8 Connect's OAuth webhook auth. 8x8 runs a client-credentials grant
 * against Switchboard's own token endpoint and sends the token on each webhook
 * (https://developer.8x8.com/connect/reference/add-webhooks-2, `oauth` object).
 *
 * Tokens are stateless and signed (`sbat.<expiry>.<nonce>.<mac>`) with a key derived from the
 * client secret, so they survive restarts (8x8 caches a token until it expires) and rotating
 * the secret revokes every token at once. The MAC also covers the clientId the token was
 * issued to: changing families.messaging.auth.clientId revokes them too, and a token is
 * never good for another client.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../auth/constant-time.js';

export type TokenCheck = 'valid' | 'expired' | 'invalid';

export class OAuthTokens {
  private readonly key: Buffer;

  constructor(
    readonly clientId: string,
    private readonly clientSecret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', clientSecret).update('switchboard-oauth-token-v2').digest();
  }

  /** True when `value` contains the client secret (for redaction; see HeaderPolicy). */
  holdsSecret(value: string): boolean {
    return this.clientSecret.length >= 6 && value.includes(this.clientSecret);
  }

  /** True when both match what is configured; compared in constant time. */
  checkClient(clientId: string, clientSecret: string): boolean {
    const idOk = constantTimeEqual(clientId, this.clientId);
    const secretOk = constantTimeEqual(clientSecret, this.clientSecret);
    return idOk && secretOk;
  }

  /** @example issue(Date.now()) → `sbat.1741091405.3q2…` */
  issue(nowMs: number): string {
    const expiry = Math.floor(nowMs / 1000) + this.ttlSeconds;
    const body = `sbat.${expiry}.${randomBytes(12).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  check(token: string, nowMs: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'sbat') return 'invalid';
    const body = parts.slice(0, 3).join('.');
    if (!constantTimeEqual(this.mac(body), parts[3] ?? '')) return 'invalid';
    const expiry = Number(parts[1]);
    return Number.isFinite(expiry) && expiry * 1000 > nowMs ? 'valid' : 'expired';
  }

  /** Over `<clientId length>:<clientId>` then the token body, so the two cannot be confused. */
  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`${Buffer.byteLength(this.clientId)}:${this.clientId}\n`).update(body).digest('base64url');
  }
}
