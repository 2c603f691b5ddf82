/**
 * Builds the destination a sync sends to from `destinations.<type>` and its secrets. Each
 * destination lives in its own folder and is loaded only when a sync uses it.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../../core/config-schema.js';
import type { SecretNeed } from '../../core/secrets.js';
import type { Destination } from '../destination.js';
import { SyncError } from '../errors.js';
import { salesforceSecrets } from './salesforce/secrets.js';
import { slackSecrets } from './slack/secrets.js';
import { zendeskSecrets } from './zendesk/secrets.js';

type DestinationType = ConfigFile['syncs'][number]['destination'];

type Factory = (settings: unknown, env: NodeJS.ProcessEnv, options: { logger?: Logger }) => Destination | Promise<Destination>;

/**
 * Per destination: the module and factory loaded when a sync first sends there, and the
 * secrets it will need, which serve checks at start (each folder's secrets.ts, light to import).
 */
const MODULES: Readonly<Record<DestinationType, { path: string; factory: string; secrets: (file: ConfigFile, purpose: string) => SecretNeed[] }>> = {
  salesforce: { path: './salesforce/index.js', factory: 'createSalesforceDestination', secrets: salesforceSecrets },
  zendesk: { path: './zendesk/index.js', factory: 'createZendeskDestination', secrets: zendeskSecrets },
  slack: { path: './slack/index.js', factory: 'createSlackDestination', secrets: slackSecrets },
};

const LABELS: Readonly<Record<DestinationType, string>> = { salesforce: 'Salesforce', zendesk: 'Zendesk', slack: 'Slack' };

/**
 * The environment variables the configured syncs' destinations need, one set per destination.
 * @example destinationSecrets(file) // [{ env: 'SWITCHBOARD_SLACK_BOT_TOKEN', configKey: 'destinations.slack', purpose: 'syncs escalations_to_slack send to Slack: …' }]
 */
export function destinationSecrets(file: ConfigFile): SecretNeed[] {
  const syncsByType = new Map<DestinationType, string[]>();
  for (const sync of file.syncs) syncsByType.set(sync.destination, [...(syncsByType.get(sync.destination) ?? []), sync.name]);
  return [...syncsByType].flatMap(([type, names]) =>
    MODULES[type].secrets(file, `${names.length === 1 ? 'sync' : 'syncs'} ${names.join(', ')} ${names.length === 1 ? 'sends' : 'send'} to ${LABELS[type]}`),
  );
}

/**
 * @throws SyncError SB_SYNC_DESTINATION_MISSING when `destinations.<type>` is not configured;
 *   the destination's own error when a secret is missing.
 */
export async function createDestination(type: DestinationType, file: ConfigFile, env: NodeJS.ProcessEnv, logger: Logger): Promise<Destination> {
  const settings = file.destinations[type];
  if (settings === undefined) {
    throw new SyncError('SB_SYNC_DESTINATION_MISSING', `A sync sends to ${type}, but the config has no destinations.${type} section.`, {
      configKey: `destinations.${type}`,
    });
  }
  const { path, factory } = MODULES[type];
  const module = (await import(path)) as Record<string, Factory>;
  return (module[factory] as Factory)(settings, env, { logger });
}
