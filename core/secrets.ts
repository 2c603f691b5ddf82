/**
 * Secrets come from environment variables only, never from the config file.
 *
 * The local try-out needs none: well-known development values stand in (and Contact Center
 * trusts a generated development key), with a warning, but only when ALL of these hold:
 * the server binds to loopback only, no proxy is trusted (server.trustProxy empty: a proxy
 * would forward outside traffic to loopback), and no secret is set at all (setting one
 * means a real deployment is being configured). Otherwise every missing secret is an
 * error, all named in one message.
 *
 * The families' secrets are resolved here; the secrets of other features (a sync's
 * destination, a pull source) are declared by their folders as {@link SecretNeed}s and
 * checked in the same pass (`loadConfig({ secretsFor })`), so that one message names every
 * variable to set. In the try-out, those have no development value: they are warned about
 * together, and the feature fails when it runs.
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

/**
 * An environment variable a configured feature needs, declared by the feature's folder.
 * @example { env: 'SWITCHBOARD_SLACK_BOT_TOKEN', configKey: 'destinations.slack', purpose: 'sync escalations_to_slack sends to Slack' }
 */
export interface SecretNeed {
  /** The variable, e.g. `SWITCHBOARD_ZENDESK_API_TOKEN`. */
  env: string;
  /** The config key that calls for it (the one to remove if the feature is not wanted). */
  configKey: string;
  /** What it is for, in a few words: `syncs missed_calls_to_zendesk send to Zendesk`. */
  purpose: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** True when only this machine can reach the server, so development credentials are harmless. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/**
 * The families' secrets from `env`, and every variable of `needs` checked at once.
 * @throws SwitchboardError SB_CONFIG_SECRET_MISSING naming every missing variable, unless
 *   this is the loopback try-out (then development values stand in, and missing `needs` are
 *   one warning)
 */
export function resolveSecrets(file: ConfigFile, env: NodeJS.ProcessEnv, needs: readonly SecretNeed[] = []): { secrets: Secrets; warnings: string[] } {
  const warnings: string[] = [];
  const { messaging, voice, meetings } = file.families;
  const anySecretSet = Object.values(SECRET_ENV).some((name) => emptyToNull(env[name]) !== null);
  const development = isLoopbackHost(file.server.host) && file.server.trustProxy.length === 0 && !anySecretSet;
  const missing: SecretNeed[] = [];

  const need = (name: keyof typeof DEV_SECRETS, configKey: string, purpose: string): string => {
    const envName = SECRET_ENV[name];
    const value = emptyToNull(env[envName]);
    if (value !== null) return value;
    if (development) {
      warnings.push(
        `${envName} is not set: using the development value for ${configKey} (only because server.host is loopback, server.trustProxy is empty and no secret is set).`,
      );
      return DEV_SECRETS[name];
    }
    missing.push({ env: envName, configKey, purpose });
    return '';
  };

  const secrets: Secrets = {
    messagingAuthorization:
      messaging.enabled && messaging.auth.mode === 'static'
        ? need('messagingAuthorization', 'families.messaging.auth.mode', 'messaging webhooks in static mode: the httpAuthorization value registered with 8x8')
        : null,
    messagingOauthClientSecret:
      messaging.enabled && messaging.auth.mode === 'oauth'
        ? need('messagingOauthClientSecret', 'families.messaging.auth.mode', 'messaging webhooks in oauth mode: the client secret registered with 8x8')
        : null,
    voiceAuthHeader:
      voice.enabled && voice.auth.mode === 'header'
        ? need('voiceAuthHeader', 'families.voice.auth.mode', 'voice webhooks: the httpAuthHeader value registered with 8x8')
        : null,
    meetingsWebhookSecrets: meetings.enabled
      ? need('meetingsWebhookSecret', 'families.meetings', 'JaaS webhooks: the endpoint secret (whsec_…)')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [],
    meetingsAuthorization: emptyToNull(env[SECRET_ENV.meetingsAuthorization]),
    development,
  };
  const unset = dedupe(needs).filter((n) => emptyToNull(env[n.env]?.trim()) === null);
  if (development && unset.length > 0) {
    const one = unset.length === 1;
    warnings.push(
      `${one ? 'A secret is' : `${unset.length} secrets are`} not set: ${unset.map((n) => `${n.env} (${n.purpose}; ${n.configKey})`).join(', ')}. ` +
        `What needs ${one ? 'it' : 'them'} fails when it runs until ${one ? 'it is' : 'they are'} set; outside the loopback try-out, serve refuses to start without ${one ? 'it' : 'them'}.`,
    );
  } else {
    missing.push(...unset);
  }
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

/** One entry per variable: several syncs to one destination need its token once. */
function dedupe(needs: readonly SecretNeed[]): SecretNeed[] {
  const byEnv = new Map<string, SecretNeed>();
  for (const n of needs) {
    const seen = byEnv.get(n.env);
    byEnv.set(n.env, seen === undefined || seen.purpose === n.purpose ? n : { ...seen, purpose: `${seen.purpose}; ${n.purpose}` });
  }
  return [...byEnv.values()];
}

/** One error naming every variable to set, and why development values do not apply. */
function missingSecrets(file: ConfigFile, missing: readonly SecretNeed[], anySecretSet: boolean): SwitchboardError {
  const why = !isLoopbackHost(file.server.host)
    ? `server.host (${file.server.host}) is reachable from other machines`
    : file.server.trustProxy.length > 0
      ? `server.trustProxy is set, so a proxy can forward outside traffic to this loopback server`
      : anySecretSet
        ? 'some secrets are set, so this is not a local try-out and development values are not used for the others'
        : 'development values are not allowed here';
  return new SwitchboardError(
    'SB_CONFIG_SECRET_MISSING',
    `${missing.length} secret${missing.length === 1 ? ' is' : 's are'} not set, and ${why}. Set ${missing.length === 1 ? 'this environment variable' : 'every one of these environment variables'}:\n` +
      missing.map((m) => `  - ${m.env}: ${m.purpose} (${m.configKey})`).join('\n') +
      '\nOr turn off what needs it: disable the family or change its auth mode, or remove the sync or pull source named.',
    { configKey: missing[0]?.configKey ?? 'families' },
  );
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
