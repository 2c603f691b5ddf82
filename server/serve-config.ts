/**
 * The config `serve` runs on: loaded and validated as every command does, with every secret
 * a configured feature needs checked at once: the webhook families' (core/secrets.ts), the
 * syncs' destinations', the pull sources', the PII hash salt and the alert routes'. Reachable from other
 * machines, one missing variable stops start-up, and the error names all of them.
 */
import { loadConfig } from './config.js';
import type { Config, LoadConfigOptions } from '../core/config.js';
import type { ConfigFile } from '../core/config-schema.js';
import type { SecretNeed } from '../core/secrets.js';
import { pullSecrets } from '../ingest/pulls/from-config.js';
import { modelSecrets } from '../sql/engine/from-config.js';
import { warehouseSecrets } from '../sql/warehouses/index.js';
import { destinationSecrets } from '../sync/destinations/index.js';
import { alertSecrets } from './alerts/routes/from-config.js';

/** The secrets of everything the config turns on, besides the webhook families' (a warehouse's optional ones are not asked for). */
export function featureSecrets(file: ConfigFile): SecretNeed[] {
  const warehouse = warehouseSecrets(file.warehouse).filter((secret) => !secret.optional);
  return [...warehouse.map(({ env, configKey, purpose }) => ({ env, configKey, purpose })), ...destinationSecrets(file), ...pullSecrets(file), ...modelSecrets(file), ...alertSecrets(file)];
}

/**
 * @throws SwitchboardError SB_CONFIG_* as loadConfig, SB_CONFIG_SECRET_MISSING naming every missing variable
 * @example const config = loadServeConfig({ path: 'switchboard.yaml', overrides: { host: '0.0.0.0' } })
 */
export function loadServeConfig(options: Omit<LoadConfigOptions, 'skipSecrets' | 'secretsFor'> = {}): Config {
  return loadConfig({ ...options, secretsFor: featureSecrets });
}
