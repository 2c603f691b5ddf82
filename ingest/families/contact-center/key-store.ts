/**
 * Public keys for Contact Center signatures, fetched by `kid` and cached.
 * https://developer.8x8.com/actions-events/reference/getjwkpublickey-1
 *
 * An unknown kid triggers a fetch (8x8 rotates keys by publishing a new kid); concurrent
 * requests for the same kid share one fetch, and a kid that no URL knows is remembered as
 * unknown for a minute. Fetches for kids not yet known are also budgeted (a token bucket,
 * FETCH_BURST at once, refilled at FETCH_REFILL_PER_MINUTE) so a flood of *invented* kids
 * cannot turn this server into a flood of requests to 8x8.
 */
import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import { IngestError } from '../../errors.js';

type PublicKey = Awaited<ReturnType<typeof importJWK>>;

export interface KeyStoreOptions {
  /** URL templates with `{kid}`, tried in order. */
  urls: readonly string[];
  cacheSeconds: number;
  fetchTimeoutMs: number;
  /** Keys trusted without fetching (a JWKS `{keys:[…]}`), e.g. a local development key. */
  trusted?: readonly JWK[];
  /** Injected for tests; defaults to global fetch. */
  fetch?: typeof fetch;
}

const UNKNOWN_KID_MEMORY_MS = 60_000;
const FETCH_BURST = 10;
const FETCH_REFILL_PER_MINUTE = 10;

export class KeyStore {
  private readonly cache = new Map<string, { key: PublicKey; until: number }>();
  private readonly pending = new Map<string, Promise<PublicKey | null>>();
  private readonly unknown = new Map<string, number>();
  private readonly trusted = new Map<string, JWK>();
  /** How many fetches were made; for tests and metrics. */
  fetches = 0;
  private budget = FETCH_BURST;
  private budgetAt = Date.now();

  constructor(private readonly options: KeyStoreOptions) {
    for (const jwk of options.trusted ?? []) if (jwk.kid !== undefined) this.trusted.set(jwk.kid, jwk);
  }

  /** Loads a JWKS file (`{"keys":[…]}`) for `trusted`. */
  static readJwksFile(path: string): JWK[] {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: JWK[] };
    return parsed.keys ?? [];
  }

  /** The key for `kid`, or throws SB_INGEST_SIGNATURE_UNKNOWN_KEY / SB_INGEST_KEY_UNAVAILABLE. */
  async get(kid: string, now = Date.now()): Promise<PublicKey> {
    const cached = this.cache.get(kid);
    if (cached !== undefined && cached.until > now) return cached.key;
    const trusted = this.trusted.get(kid);
    if (trusted !== undefined) return this.remember(kid, await importJWK(trusted, 'RS256'), now, Infinity);
    const unknownUntil = this.unknown.get(kid);
    if (unknownUntil !== undefined && unknownUntil > now) throw unknownKey(kid);
    let load = this.pending.get(kid);
    if (load === undefined) {
      if (!this.takeFetchBudget(now)) throw unknownKey(kid, true);
      load = this.fetchKey(kid).finally(() => this.pending.delete(kid));
      this.pending.set(kid, load);
    }
    const key = await load;
    if (key === null) {
      this.unknown.set(kid, now + UNKNOWN_KID_MEMORY_MS);
      throw unknownKey(kid);
    }
    return this.remember(kid, key, now, this.options.cacheSeconds * 1000);
  }

  private takeFetchBudget(now: number): boolean {
    this.budget = Math.min(FETCH_BURST, this.budget + ((now - this.budgetAt) / 60_000) * FETCH_REFILL_PER_MINUTE);
    this.budgetAt = now;
    if (this.budget < 1) return false;
    this.budget -= 1;
    return true;
  }

  private remember(kid: string, key: PublicKey, now: number, ttlMs: number): PublicKey {
    this.cache.set(kid, { key, until: now + ttlMs });
    return key;
  }

  /** null when every URL answered 404 (the kid does not exist); throws when none could be reached. */
  private async fetchKey(kid: string): Promise<PublicKey | null> {
    const doFetch = this.options.fetch ?? fetch;
    let lastError: unknown = null;
    for (const template of this.options.urls) {
      const url = template.replaceAll('{kid}', encodeURIComponent(kid));
      this.fetches += 1;
      try {
        const response = await doFetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs) });
        if (response.status === 404) continue;
        if (!response.ok) throw new Error(`${url} answered ${response.status}`);
        const jwk = (await response.json()) as JWK;
        return await importJWK({ ...jwk, alg: jwk.alg ?? 'RS256' }, 'RS256');
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError === null) return null;
    throw new IngestError(
      'SB_INGEST_KEY_UNAVAILABLE',
      `Could not fetch the public key "${kid}" (${(lastError as Error).message}). 8x8 will retry; check outbound HTTPS to families.contactCenter.jwkUrls.`,
      { cause: lastError, configKey: 'families.contactCenter.jwkUrls', retryAfterSeconds: 10 },
    );
  }
}

function unknownKey(kid: string, throttled = false): IngestError {
  return new IngestError(
    'SB_INGEST_SIGNATURE_UNKNOWN_KEY',
    throttled
      ? `No public key is cached for kid "${kid}", and key lookups are paused: too many unknown kids arrived in the last minute (likely forged). 8x8 retries; a real new key is fetched once lookups resume.`
      : `No public key has kid "${kid}". If 8x8 signs for your region elsewhere, add that URL to families.contactCenter.jwkUrls.`,
    { configKey: 'families.contactCenter.jwkUrls' },
  );
}
