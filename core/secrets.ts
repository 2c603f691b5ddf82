/**
 * Secrets come from environment variables only, never from the config file.
 *
 * The local try-out needs none: well-known development values stand in (and Contact Center
 * trusts a generated development key), with a warning, but only when ALL of these hold:
 * the server binds to loopback only, no proxy is trusted (server.trustProxy empty: a proxy
 * would forward outside traffic to loopback), and no secret is set at all (setting one
 * means a real deployment is being configured). Otherwise every missing secret is an
 * error, all named in one message.
 */
import { SwitchboardError } from './errors.js';
import type { ConfigFile } from './config-schema.js';

/** Environment variable names, documented in README.md#secrets. */
export const SECRET_ENV = {
  messagingAuthorization: 'SWITCHBOARD_MESSAGING_AUTHORIZATION',
  messagingOauthClientSecret: 'SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET',
  voiceAuthHeader: 'SWITCHBOARD_VOICE_AUTH_HEADER',
  meetingsWebhookSecret: 'SWITCHBOARD_MEETINGS_WEBHOOK_SECRET',
  meetingsAuthorization: 'SWITCHBOARD_MEETINGS_AUTHORIZATION',
} as const;

/** Development stand-ins, used only on loopback. Public by design: they protect nothing. */
export const DEV_SECRETS = {
  messagingAuthorization: 'Bearer switchboard-dev-messaging',
  messagingOauthClientSecret: 'switchboard-dev-oauth-secret',
  voiceAuthHeader: 'Bearer switchboard-dev-voice',
  meetingsWebhookSecret: 'whsec_switchboarddevelopmentsecret0000',
} as const;

export interface Secrets {
  /** The exact Authorization value registered with 8x8 as `httpAuthorization` (messaging, static mode). */
  messagingAuthorization: string | null;
  /** The OAuth client secret registered with 8x8 (messaging, oauth mode). */
  messagingOauthClientSecret: string | null;
  /** The exact value registered as voice `httpAuthHeader` (voice, header mode). */
  voiceAuthHeader: string | null;
  /** JaaS endpoint secrets (`whsec_…`); several during a rotation, comma-separated in the env. */
  meetingsWebhookSecrets: readonly string[];
  /** Optional Authorization value configured on the JaaS endpoint; null when not used. */
  meetingsAuthorization: string | null;
  /**
   * True in the local try-out only (loopback, no trusted proxy, no secret set): development
   * stand-ins are in use, and Contact Center trusts the development key.
   */
  development: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** True when only this machine can reach the server, so development credentials are harmless. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

export function resolveSecrets(file: ConfigFile, env: NodeJS.ProcessEnv): { secrets: Secrets; warnings: string[] } {
  const warnings: string[] = [];
  const { messaging, voice, meetings } = file.families;
  const anySecretSet = Object.values(SECRET_ENV).some((name) => emptyToNull(env[name]) !== null);
  const development = isLoopbackHost(file.server.host) && file.server.trustProxy.length === 0 && !anySecretSet;
  const missing: Array<{ envName: string; configKey: string }> = [];

  const need = (name: keyof typeof DEV_SECRETS, configKey: string): string => {
    const envName = SECRET_ENV[name];
    const value = emptyToNull(env[envName]);
    if (value !== null) return value;
    if (development) {
      warnings.push(
        `${envName} is not set: using the development value for ${configKey} (only because server.host is loopback, server.trustProxy is empty and no secret is set).`,
      );
      return DEV_SECRETS[name];
    }
    missing.push({ envName, configKey });
    return '';
  };

  const secrets: Secrets = {
    messagingAuthorization:
      messaging.enabled && messaging.auth.mode === 'static'
        ? need('messagingAuthorization', 'families.messaging.auth.mode')
        : null,
    messagingOauthClientSecret:
      messaging.enabled && messaging.auth.mode === 'oauth'
        ? need('messagingOauthClientSecret', 'families.messaging.auth.mode')
        : null,
    voiceAuthHeader: voice.enabled && voice.auth.mode === 'header' ? need('voiceAuthHeader', 'families.voice.auth.mode') : null,
    meetingsWebhookSecrets: meetings.enabled
      ? need('meetingsWebhookSecret', 'families.meetings')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [],
    meetingsAuthorization: emptyToNull(env[SECRET_ENV.meetingsAuthorization]),
    development,
  };
  if (missing.length > 0) throw missingSecrets(file, missing, anySecretSet);
  if (development && file.families.contactCenter.enabled) {
    warnings.push('Contact Center trusts the development signing key (only because this is a loopback-only try-out).');
  }
  if (messaging.enabled && messaging.auth.mode === 'none') {
    warnings.push('families.messaging.auth.mode is none: only the IP allowlist protects the messaging route.');
  }
  if (voice.enabled && voice.auth.mode === 'none') {
    warnings.push('families.voice.auth.mode is none: only the IP allowlist protects the voice route.');
  }
  return { secrets, warnings };
}

/** One error naming every variable to set, and why development values do not apply. */
function missingSecrets(file: ConfigFile, missing: ReadonlyArray<{ envName: string; configKey: string }>, anySecretSet: boolean): SwitchboardError {
  const why = !isLoopbackHost(file.server.host)
    ? `server.host (${file.server.host}) is reachable from other machines`
    : file.server.trustProxy.length > 0
      ? `server.trustProxy is set, so a proxy can forward outside traffic to this loopback server`
      : anySecretSet
        ? 'some secrets are set, so this is not a local try-out and development values are not used for the others'
        : 'development values are not allowed here';
  const list = missing.map((m) => `${m.envName} (for ${m.configKey})`).join(', ');
  return new SwitchboardError(
    'SB_CONFIG_SECRET_MISSING',
    `Set ${missing.map((m) => m.envName).join(', ')}: ${list} ${missing.length === 1 ? 'is' : 'are'} not set, and ${why}. ` +
      'Alternatively disable the family or change its auth mode.',
    { configKey: missing[0]?.configKey ?? 'families' },
  );
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
