/** The environment variable the Zendesk destination reads, checked by serve at start. */
import type { ConfigFile } from '../../../core/config-schema.js';
import type { SecretNeed } from '../../../core/secrets.js';

/** The environment variable holding the API token of `destinations.zendesk.email`. */
export const ZENDESK_TOKEN_ENV = 'SWITCHBOARD_ZENDESK_API_TOKEN';

/** @param purpose e.g. `syncs missed_calls_to_zendesk send to Zendesk` */
export function zendeskSecrets(file: ConfigFile, purpose: string): SecretNeed[] {
  const email = file.destinations.zendesk?.email;
  return [{ env: ZENDESK_TOKEN_ENV, configKey: 'destinations.zendesk', purpose: `${purpose}: an API token of ${email ?? 'destinations.zendesk.email'}` }];
}
