/**
 * Secrets come from environment variables only, never from the config file.
 *
 * When a secret is missing and the server listens on loopback only (the local try-out),
 * a well-known development value stands in and a warning says so: nothing outside this
 * machine can reach the endpoint, and `send-test-event` signs with the same value. On any
 * other address a missing secret is an error naming the variable and the config key.
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
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** True when only this machine can reach the server, so development credentials are harmless. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

export function resolveSecrets(file: ConfigFile, env: NodeJS.ProcessEnv): { secrets: Secrets; warnings: string[] } {
  const warnings: string[] = [];
  const loopbackOnly = isLoopbackHost(file.server.host);
  const { messaging, voice, meetings } = file.families;

  const need = (name: keyof typeof DEV_SECRETS, configKey: string): string => {
    const envName = SECRET_ENV[name];
    const value = env[envName];
    if (value !== undefined && value !== '') return value;
    if (loopbackOnly) {
      warnings.push(
        `${envName} is not set: using the development value for ${configKey} (only safe because server.host is loopback).`,
      );
      return DEV_SECRETS[name];
    }
    throw new SwitchboardError(
      'SB_CONFIG_SECRET_MISSING',
      `${envName} is not set, but ${configKey} needs it and server.host (${file.server.host}) is reachable from other machines. ` +
        `Set ${envName}, or change ${configKey}.`,
      { configKey },
    );
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
  };
  if (messaging.enabled && messaging.auth.mode === 'none') {
    warnings.push('families.messaging.auth.mode is none: only the IP allowlist protects the messaging route.');
  }
  if (voice.enabled && voice.auth.mode === 'none') {
    warnings.push('families.voice.auth.mode is none: only the IP allowlist protects the voice route.');
  }
  return { secrets, warnings };
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
