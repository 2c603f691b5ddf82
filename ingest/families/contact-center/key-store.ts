/**
 * Public keys for Contact Center signatures, fetched by `kid` and cached.
 * https://developer.8x8.com/actions-events/reference/getjwkpublickey-1
 *
 * An unknown kid triggers a fetch (8x8 rotates keys by publishing a new kid); concurrent
 * requests for the same kid share one fetch. Anyone can invent kids, so fetches are bounded
 * without letting a flood of invented kids starve a real new one:
 * - per kid: a kid no URL knows is fetched once, then remembered as unknown with a growing
 *   backoff (1 min, 2, 4, … up to an hour), so repeating a kid costs nothing;
 * - per source address: first fetches of never-seen kids are budgeted per client IP
 *   (PER_IP_BURST at once, refilled at PER_IP_REFILL_PER_MINUTE), so one address inventing
 *   kids spends only its own budget and 8x8's own addresses keep theirs;
 * - overall: a larger global ceiling (GLOBAL_BURST, GLOBAL_REFILL_PER_MINUTE) bounds outbound
 *   requests whatever the number of addresses. Residual risk: an attacker with more than
 *   GLOBAL_BURST / PER_IP_BURST addresses can still empty it (docs/security.md).
 */
import { readFileSync } from 'node:fs';
import { importJWK, type JWK } from 'jose';
import { IngestError } from '../../errors.js';
import { isValidKid, printable } from './signature.js';

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

/** Who asks, and when: the delivery's client address and arrival time (epoch ms). */
export interface KeyRequest {
  ip: string;
  now: number;
}

const UNKNOWN_KID_FIRST_BACKOFF_MS = 60_000;
const UNKNOWN_KID_MAX_BACKOFF_MS = 60 * 60_000;
/** Unknown kids remembered at most; past it the oldest are forgotten (a flood cannot grow memory). */
const MAX_UNKNOWN_KIDS = 10_000;
const PER_IP_BURST = 5;
const PER_IP_REFILL_PER_MINUTE = 5;
const MAX_TRACKED_IPS = 10_000;
const GLOBAL_BURST = 60;
const GLOBAL_REFILL_PER_MINUTE = 60;

/** A token bucket on an injected clock. */
class Bucket {
  private tokens: number;
  constructor(
    private readonly burst: number,
    private readonly perMinute: number,
    private at: number,
  ) {
    this.tokens = burst;
  }

  available(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  take(now: number): boolean {
    if (!this.available(now)) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    if (now > this.at) this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 60_000) * this.perMinute);
    this.at = Math.max(this.at, now);
  }
}

export class KeyStore {
  private readonly cache = new Map<string, { key: PublicKey; until: number }>();
  private readonly pending = new Map<string, Promise<PublicKey | null>>();
  /** Kids no URL knows: until when they are not fetched again, and how often they failed. */
  private readonly unknown = new Map<string, { until: number; misses: number }>();
  private readonly trusted = new Map<string, JWK>();
  private readonly perIp = new Map<string, Bucket>();
  private global: Bucket | null = null;
  /** How many fetches were made; for tests and metrics. */
  fetches = 0;
  private readonly closing = new AbortController();

  constructor(private readonly options: KeyStoreOptions) {
    for (const jwk of options.trusted ?? []) if (jwk.kid !== undefined) this.trusted.set(jwk.kid, jwk);
  }

  /** Loads a JWKS file (`{"keys":[…]}`) for `trusted`. */
  static readJwksFile(path: string): JWK[] {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: JWK[] };
    return parsed.keys ?? [];
  }

  /**
   * The key for `kid`, or throws SB_INGEST_SIGNATURE_MALFORMED (a kid that cannot be one),
   * SB_INGEST_SIGNATURE_UNKNOWN_KEY or SB_INGEST_KEY_UNAVAILABLE.
   * @example await keys.get('key1', { ip: request.ip, now: Date.now() })
   */
  async get(kid: string, request: KeyRequest = { ip: 'unknown', now: Date.now() }): Promise<PublicKey> {
    const { now } = request;
    if (!isValidKid(kid)) {
      throw new IngestError('SB_INGEST_SIGNATURE_MALFORMED', `The JWS kid "${printable(kid)}" is not a key id (letters, digits, ".", "_", "-"; at most 128).`);
    }
    const cached = this.cache.get(kid);
    if (cached !== undefined && cached.until > now) return cached.key;
    const trusted = this.trusted.get(kid);
    if (trusted !== undefined) return this.remember(kid, await importJWK(trusted, 'RS256'), now, Infinity);
    const unknown = this.unknown.get(kid);
    if (unknown !== undefined && unknown.until > now) throw unknownKey(kid);
    let load = this.pending.get(kid);
    if (load === undefined) {
      // A kid seen before (cached then expired, or unknown whose backoff ran out) is not a
      // *new* invented kid: only the global ceiling applies to it.
      const seenBefore = cached !== undefined || unknown !== undefined;
      if (!this.takeFetchBudget(request, seenBefore)) throw unknownKey(kid, true);
      load = this.fetchKey(kid).finally(() => this.pending.delete(kid));
      this.pending.set(kid, load);
    }
    const key = await load;
    if (key === null) {
      this.rememberUnknown(kid, now);
      throw unknownKey(kid);
    }
    this.unknown.delete(kid);
    return this.remember(kid, key, now, this.options.cacheSeconds * 1000);
  }

  private takeFetchBudget({ ip, now }: KeyRequest, seenBefore: boolean): boolean {
    this.global ??= new Bucket(GLOBAL_BURST, GLOBAL_REFILL_PER_MINUTE, now);
    if (!this.global.available(now)) return false;
    if (!seenBefore) {
      let bucket = this.perIp.get(ip);
      if (bucket === undefined) {
        if (this.perIp.size >= MAX_TRACKED_IPS) this.perIp.clear();
        bucket = new Bucket(PER_IP_BURST, PER_IP_REFILL_PER_MINUTE, now);
        this.perIp.set(ip, bucket);
      }
      if (!bucket.take(now)) return false;
    }
    return this.global.take(now);
  }

  private rememberUnknown(kid: string, now: number): void {
    const misses = (this.unknown.get(kid)?.misses ?? 0) + 1;
    const backoff = Math.min(UNKNOWN_KID_MAX_BACKOFF_MS, UNKNOWN_KID_FIRST_BACKOFF_MS * 2 ** (misses - 1));
    this.unknown.delete(kid); // re-inserted last: the Map's order is then oldest-first
    if (this.unknown.size >= MAX_UNKNOWN_KIDS) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
    this.unknown.set(kid, { until: now + backoff, misses });
  }

  private remember(kid: string, key: PublicKey, now: number, ttlMs: number): PublicKey {
    this.cache.set(kid, { key, until: now + ttlMs });
    return key;
  }

  /** Aborts key fetches in flight (shutdown): their requests get SB_INGEST_KEY_UNAVAILABLE, and 8x8 retries. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.pending.values()]);
  }

  /** null when every URL answered 404 (the kid does not exist); throws when none could be reached. */
  private async fetchKey(kid: string): Promise<PublicKey | null> {
    const doFetch = this.options.fetch ?? fetch;
    let lastError: unknown = null;
    for (const template of this.options.urls) {
      // The kid was validated (isValidKid): it cannot be `.`/`..` or carry `/`, `?` or `%`.
      const url = template.replaceAll('{kid}', encodeURIComponent(kid));
      this.fetches += 1;
      try {
        const response = await doFetch(url, { signal: AbortSignal.any([AbortSignal.timeout(this.options.fetchTimeoutMs), this.closing.signal]) });
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
      `Could not fetch the public key "${kid}" (${printable((lastError as Error).message, 200)}). 8x8 will retry; check outbound HTTPS to families.contactCenter.jwkUrls.`,
      { cause: lastError, configKey: 'families.contactCenter.jwkUrls', retryAfterSeconds: 10 },
    );
  }
}

function unknownKey(kid: string, throttled = false): IngestError {
  return new IngestError(
    'SB_INGEST_SIGNATURE_UNKNOWN_KEY',
    throttled
      ? `No public key is cached for kid "${kid}", and key lookups for new kids are paused for this source address (or overall): too many unknown kids arrived recently (likely forged). 8x8 retries; a real new key is fetched once lookups resume.`
      : `No public key has kid "${kid}". If this is a legacy Chat API event, check families.contactCenter.region; other key URLs go in families.contactCenter.jwkUrls.`,
    { configKey: 'families.contactCenter.jwkUrls' },
  );
}
