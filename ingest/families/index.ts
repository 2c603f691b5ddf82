/**
 * The registry of source families: one line per family. Each is built from the validated
 * config and its secrets, with its allowlist.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { IpAllowlist } from '../auth/ip-allowlist.js';
import type { FamilyRoute } from '../landing-route.js';
import { contactCenterFamily } from './contact-center/index.js';
import { ensureDevKeyPair } from './contact-center/dev-keys.js';
import { defaultJwkUrls } from './contact-center/jwk-urls.js';
import { KeyStore } from './contact-center/key-store.js';
import { meetingsFamily } from './meetings/index.js';
import { messagingFamily, type MessagingAuth } from './messaging/index.js';
import { OAuthTokens } from './messaging/oauth-tokens.js';
import { voiceFamily } from './voice/index.js';

export interface Families {
  routes: FamilyRoute[];
  /** Set in messaging oauth mode: the token issuer behind POST /oauth/token. */
  oauthTokens: OAuthTokens | null;
  /** Contact Center's signing keys, when that family is enabled; close() aborts fetches in flight. */
  keyStore: KeyStore | null;
}

/** Where development credentials live: beside the spool, e.g. ./data/dev-keys. */
export function devKeysDir(config: Config, cwd: string): string {
  return resolve(cwd, dirname(config.file.spool.dir), 'dev-keys');
}

export async function buildFamilies(config: Config, cwd: string): Promise<Families> {
  const { families: f } = config.file;
  const { secrets } = config;
  const routes: FamilyRoute[] = [];
  let oauthTokens: OAuthTokens | null = null;
  let keyStore: KeyStore | null = null;
  const allow = (entries: readonly string[], key: string): IpAllowlist => new IpAllowlist(entries, `families.${key}.allow`);

  if (f.messaging.enabled) {
    let auth: MessagingAuth = { mode: 'none' };
    if (f.messaging.auth.mode === 'static') auth = { mode: 'static', authorization: secrets.messagingAuthorization ?? '' };
    if (f.messaging.auth.mode === 'oauth') {
      oauthTokens = new OAuthTokens(f.messaging.auth.clientId, secrets.messagingOauthClientSecret ?? '', f.messaging.auth.tokenTtlSeconds);
      auth = { mode: 'oauth', tokens: oauthTokens };
    }
    routes.push({ family: messagingFamily(auth), allowlist: allow(f.messaging.allow, 'messaging') });
  }
  if (f.voice.enabled) {
    const auth =
      f.voice.auth.mode === 'header'
        ? { mode: 'header' as const, header: f.voice.auth.header.toLowerCase(), value: secrets.voiceAuthHeader ?? '' }
        : { mode: 'none' as const };
    routes.push({ family: voiceFamily(auth), allowlist: allow(f.voice.allow, 'voice') });
  }
  if (f.contactCenter.enabled) {
    const trusted = f.contactCenter.trustedKeysFile === undefined ? [] : KeyStore.readJwksFile(resolve(cwd, f.contactCenter.trustedKeysFile));
    // Only in the local try-out (loopback, no proxy, no secret set: see core/secrets.ts).
    if (secrets.development) trusted.push((await ensureDevKeyPair(devKeysDir(config, cwd))).publicJwk);
    const keys = new KeyStore({
      urls: f.contactCenter.jwkUrls ?? defaultJwkUrls(f.contactCenter.region),
      cacheSeconds: f.contactCenter.jwkCacheSeconds,
      fetchTimeoutMs: f.contactCenter.jwkFetchTimeoutMs,
      trusted,
    });
    keyStore = keys;
    routes.push({ family: contactCenterFamily(keys, { toleranceSeconds: f.contactCenter.toleranceSeconds }), allowlist: allow(f.contactCenter.allow, 'contactCenter') });
  }
  if (f.meetings.enabled) {
    const auth = {
      secrets: secrets.meetingsWebhookSecrets,
      toleranceSeconds: f.meetings.toleranceSeconds,
      authorization: secrets.meetingsAuthorization,
    };
    routes.push({ family: meetingsFamily(auth), allowlist: allow(f.meetings.allow, 'meetings') });
  }
  return { routes, oauthTokens, keyStore };
}
