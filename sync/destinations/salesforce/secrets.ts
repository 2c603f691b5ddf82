/**
 * The environment variables the Salesforce destination reads, and which of them a config
 * needs. Kept apart from index.ts so that serve can check them at start without loading jsforce.
 */
import type { ConfigFile } from '../../../core/config-schema.js';
import type { SecretNeed } from '../../../core/secrets.js';

export const SALESFORCE_SECRET_ENV = {
  clientSecret: 'SWITCHBOARD_SALESFORCE_CLIENT_SECRET',
  password: 'SWITCHBOARD_SALESFORCE_PASSWORD',
} as const;

/**
 * The connected app's consumer secret, and for `auth: password` the password with the
 * security token appended. None while `destinations.salesforce` is absent (that is its own error).
 * @param purpose e.g. `syncs calls_to_salesforce send to Salesforce`
 */
export function salesforceSecrets(file: ConfigFile, purpose: string): SecretNeed[] {
  const settings = file.destinations.salesforce;
  if (settings === undefined) return [];
  const configKey = 'destinations.salesforce';
  return [
    { env: SALESFORCE_SECRET_ENV.clientSecret, configKey, purpose: `${purpose}: the connected app's consumer secret` },
    ...(settings.auth === 'password'
      ? [{ env: SALESFORCE_SECRET_ENV.password, configKey: `${configKey}.auth`, purpose: `${purpose}: auth is password, so the password with the security token appended` }]
      : []),
  ];
}
