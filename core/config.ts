/**
 * Loads, validates and freezes configuration: the config file (YAML or JSON) plus secrets
 * from the environment. Validated once here, where it enters; everything downstream takes
 * the frozen result and never reads process.env itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SwitchboardError } from './errors.js';
import { configSchema, type ConfigFile } from './config-schema.js';
import { resolveSecrets, type Secrets } from './secrets.js';

export type { ConfigFile } from './config-schema.js';
export type { Secrets } from './secrets.js';

/** The file names looked for in the working directory when no path is given. */
export const CONFIG_FILE_NAMES = ['switchboard.yaml', 'switchboard.yml', 'switchboard.json'] as const;

export interface Config {
  /** The validated file, with every default filled in. */
  readonly file: ConfigFile;
  /** Secrets from the environment (or development stand-ins; see `warnings`). */
  readonly secrets: Secrets;
  /** Absolute path of the file read, or null when running on built-in defaults. */
  readonly source: string | null;
  /** Things an operator should know at start-up (e.g. a development secret in use). */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  /** An explicit config path (`--config`); wins over SWITCHBOARD_CONFIG and the defaults. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Command-line flags that win over the file (undefined: keep the file's value). */
  overrides?: { host?: string | undefined; port?: number | undefined; adminPort?: number | undefined };
  /** For commands that never serve (e.g. `status`): do not require secrets. */
  skipSecrets?: boolean;
}

/**
 * Finds, parses and validates the configuration.
 * @throws SwitchboardError `SB_CONFIG_NOT_FOUND`, `SB_CONFIG_PARSE` or `SB_CONFIG_INVALID`;
 *   the message names each key to fix.
 * @example const config = loadConfig({ path: 'switchboard.yaml' })
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const source = findConfigFile(options.path ?? env.SWITCHBOARD_CONFIG, cwd);
  const raw = applyOverrides(source === null ? {} : readConfigFile(source), options.overrides);
  const file = validate(raw, source ?? 'built-in defaults');
  const { secrets, warnings } = options.skipSecrets === true ? { secrets: NO_SECRETS, warnings: [] } : resolveSecrets(file, env);
  return deepFreeze({ file, secrets, source, warnings });
}

/** Validates an already-parsed config object (tests, programmatic use). */
export function parseConfig(raw: unknown, label = 'config'): ConfigFile {
  return validate(raw, label);
}

const NO_SECRETS: Secrets = {
  messagingAuthorization: null,
  messagingOauthClientSecret: null,
  voiceAuthHeader: null,
  meetingsWebhookSecrets: [],
  meetingsAuthorization: null,
  development: false,
};

function applyOverrides(raw: unknown, overrides: LoadConfigOptions['overrides']): unknown {
  if (overrides === undefined || raw === null || typeof raw !== 'object') return raw;
  const copy = { ...(raw as Record<string, unknown>) };
  const server = { ...((copy.server as Record<string, unknown> | undefined) ?? {}) };
  if (overrides.host !== undefined) server.host = overrides.host;
  if (overrides.port !== undefined) server.port = overrides.port;
  copy.server = server;
  if (overrides.adminPort !== undefined) {
    copy.admin = { ...((copy.admin as Record<string, unknown> | undefined) ?? {}), port: overrides.adminPort };
  }
  return copy;
}

function findConfigFile(explicit: string | undefined, cwd: string): string | null {
  if (explicit !== undefined && explicit !== '') {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new SwitchboardError(
        'SB_CONFIG_NOT_FOUND',
        `Config file ${path} does not exist. Check --config or SWITCHBOARD_CONFIG, or remove both to run on the built-in local defaults.`,
      );
    }
    return path;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

function readConfigFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return parsed ?? {};
  } catch (error) {
    throw new SwitchboardError(
      'SB_CONFIG_PARSE',
      `Could not parse ${path}: ${(error as Error).message}. Fix the syntax (YAML for .yaml/.yml, JSON for .json).`,
      { cause: error },
    );
  }
}

function validate(raw: unknown, label: string): ConfigFile {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k].join('.')) : [];
    const key = keys.length > 0 ? keys.join(', ') : issue.path.join('.') || '(top level)';
    const hint = issue.code === 'unrecognized_keys' ? 'unknown key: remove it or check its spelling' : issue.message;
    return `  - ${key}: ${hint}`;
  });
  const first = result.error.issues[0];
  throw new SwitchboardError(
    'SB_CONFIG_INVALID',
    `Invalid configuration in ${label}:\n${problems.join('\n')}\nSee README.md#configuration for every key.`,
    { configKey: first === undefined ? undefined : first.path.join('.') },
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
