/**
 * A development signing key for Contact Center, so the local try-out can verify signed
 * events end to end without 8x8: `serve` on loopback trusts it, and `send-test-event
 * contact-center` signs with it. Generated once under `<data dir>/dev-keys/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const DEV_KID = 'switchboard-dev';

export interface DevKeyPair {
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function ensureDevKeyPair(dir: string): Promise<DevKeyPair> {
  const file = join(dir, 'contact-center.private.jwk.json');
  if (existsSync(file)) {
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    return { privateJwk, publicJwk: publicPart(privateJwk) };
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: DEV_KID, alg: 'RS256' };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  return { privateJwk, publicJwk: publicPart(privateJwk) };
}

export async function importPrivateJwk(jwk: JWK): ReturnType<typeof importJWK> {
  return importJWK(jwk, 'RS256');
}

function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid ?? DEV_KID, alg: 'RS256', use: 'sig' };
}
