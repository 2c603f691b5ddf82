/**
 * Builds the destination a sync sends to from `destinations.<type>` and its secrets. Each
 * destination lives in its own folder and is loaded only when a sync uses it.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../../core/config-schema.js';
import type { Destination } from '../destination.js';
import { SyncError } from '../errors.js';

type DestinationType = ConfigFile['syncs'][number]['destination'];

type Factory = (settings: unknown, env: NodeJS.ProcessEnv, options: { logger?: Logger }) => Destination | Promise<Destination>;

const MODULES: Readonly<Record<DestinationType, { path: string; factory: string }>> = {
  salesforce: { path: './salesforce/index.js', factory: 'createSalesforceDestination' },
  zendesk: { path: './zendesk/index.js', factory: 'createZendeskDestination' },
  slack: { path: './slack/index.js', factory: 'createSlackDestination' },
};

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
