/**
 * Contact Center webhook signatures: a compact JWS with a detached, unencoded payload
 * (RFC 7515 + RFC 7797) in `x-8x8-signature`, over a JSON object built from the headers and
 * the CRC32 of the raw body. https://developer.8x8.com/actions-events/docs/validating-webhook-events
 */
import { crc32 } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { FlattenedSign, decodeProtectedHeader, flattenedVerify, type CryptoKey, type KeyObject } from 'jose';
import { header } from '../family.js';

/** The signature headers, all required. */
export const SIGNATURE_HEADERS = [
  'x-8x8-signature',
  'x-8x8-customer-id',
  'x-8x8-event-id',
  'x-8x8-retry',
  'x-8x8-tenant-id',
  'x-8x8-transmission-time',
] as const;

/** CRC32 of the raw bytes as an unsigned decimal (the documented example gives 1564621066). */
export function bodyChecksum(body: Buffer): number {
  return crc32(body) >>> 0;
}

/**
 * The detached payload, with keys in the documented order
 * (`checksum, cid, eid, retry, tid, tt`); the order is part of what is signed.
 */
export function signedPayload(body: Buffer, headers: IncomingHttpHeaders): string {
  const retry = Number(header(headers, 'x-8x8-retry'));
  const tt = Number(header(headers, 'x-8x8-transmission-time'));
  return JSON.stringify({
    checksum: bodyChecksum(body),
    cid: header(headers, 'x-8x8-customer-id') ?? '',
    eid: header(headers, 'x-8x8-event-id') ?? '',
    retry,
    tid: header(headers, 'x-8x8-tenant-id') ?? '',
    tt,
  });
}

/**
 * What a kid may look like before it goes into a key URL or a message: 8x8's are short
 * tokens such as `key1` (8x8.md "Verification algorithm"). Never `.` or `..`, which would
 * change the fetched path, and nothing that needs escaping.
 */
export const KID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isValidKid(kid: string): boolean {
  return KID_PATTERN.test(kid) && kid !== '.' && kid !== '..';
}

/**
 * A value from a request made safe to quote in a message or a stored reason: printable
 * ASCII only (no NUL or lone surrogate, which Postgres and DuckDB refuse), at most 64 chars.
 * @example printable('a\u0000b\ud800') → 'a?b?'
 */
export function printable(value: string, max = 64): string {
  const safe = value.replace(/[^\x20-\x7e]/g, '?').replaceAll('"', "'");
  return safe.length > max ? `${safe.slice(0, max)}...` : safe;
}

/** Splits `BASE64URL(header)..BASE64URL(signature)` and reads the protected header; null when malformed or the kid is not a valid one. */
export function parseDetachedJws(value: string): { protectedHeader: string; signature: string; kid: string } | null {
  const parts = value.split('.');
  if (parts.length !== 3 || parts[1] !== '' || parts[0] === '' || parts[2] === '') return null;
  try {
    const decoded = decodeProtectedHeader(value);
    if (decoded.alg !== 'RS256' || decoded.b64 !== false || typeof decoded.kid !== 'string' || !isValidKid(decoded.kid)) return null;
    return { protectedHeader: parts[0] as string, signature: parts[2] as string, kid: decoded.kid };
  } catch {
    return null;
  }
}

/** True when the detached JWS verifies over `payload` with `key`. */
export async function verifyDetached(
  jws: { protectedHeader: string; signature: string },
  payload: string,
  key: CryptoKey | KeyObject | Uint8Array,
): Promise<boolean> {
  try {
    await flattenedVerify({ protected: jws.protectedHeader, payload, signature: jws.signature }, key, {
      algorithms: ['RS256'],
    });
    return true;
  } catch {
    return false;
  }
}

/** Signs like 8x8 does: for send-test-event and tests. Returns the x-8x8-signature value. */
export async function signDetached(payload: string, key: CryptoKey | KeyObject, kid: string): Promise<string> {
  const jws = await new FlattenedSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ b64: false, crit: ['b64'], kid, alg: 'RS256' })
    .sign(key);
  return `${jws.protected ?? ''}..${jws.signature}`;
}
