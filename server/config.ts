/**
 * The config as every command and the server load it: core's loader with the schema that
 * knows every warehouse (sql/warehouses/ declares them; core/ only combines). Validated once
 * here, where it enters, then frozen.
 */
import { loadConfigWith, parseConfigWith, type Config, type LoadConfigOptions } from '../core/config.js';
import { configSchemaFor } from '../core/config-schema.js';
import { WAREHOUSE_CONFIG_SCHEMAS, WAREHOUSES_NOT_YET } from '../sql/warehouses/index.js';

/** The whole file's schema, every warehouse's `warehouse:` block included. */
export const configSchema = configSchemaFor({ schemas: WAREHOUSE_CONFIG_SCHEMAS, notYet: WAREHOUSES_NOT_YET });

/** The validated file, with the warehouse's own keys (`warehouse.path` when it is DuckDB). */
export type ValidatedConfigFile = ReturnType<typeof configSchema.parse>;

/**
 * Finds, parses and validates the configuration (see core/config.ts's loadConfigWith).
 * @throws SwitchboardError `SB_CONFIG_NOT_FOUND`, `SB_CONFIG_PARSE` or `SB_CONFIG_INVALID`; the message names each key to fix.
 * @example const config = loadConfig({ path: 'switchboard.yaml' })
 */
export function loadConfig(options: LoadConfigOptions = {}): Config<ValidatedConfigFile> {
  return loadConfigWith(configSchema, options);
}

/**
 * Validates an already-parsed config object (tests, programmatic use).
 * @example parseConfig({ warehouse: { type: 'bigquery', projectId: 'acme-analytics' } }).warehouse
 */
export function parseConfig(raw: unknown, label = 'config'): ValidatedConfigFile {
  return parseConfigWith(configSchema, raw, label);
}
