/**
 * Loads, validates and freezes configuration: the config file (YAML or JSON) plus secrets
 * from the environment. Validated once here, where it enters; everything downstream takes
 * the frozen result and never reads process.env itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SwitchboardError } from './errors.js';
import type { z } from 'zod';
import type { ConfigFile } from './config-schema.js';
import { describeIssues, ZOD_DEFAULT } from './config-issues.js';
import { resolveSecrets, type SecretNeed, type Secrets } from './secrets.js';

export type { ConfigFile, WarehouseSettings } from './config-schema.js';
export type { SecretNeed, Secrets } from './secrets.js';

/** The file names looked for in the working directory when no path is given. */
export const CONFIG_FILE_NAMES = ['switchboard.yaml', 'switchboard.yml', 'switchboard.json'] as const;

/** A schema of the whole config file: `configSchemaFor(…)` (see server/config.ts, which binds the warehouses). */
export type ConfigSchema<F extends ConfigFile = ConfigFile> = z.ZodType<F, unknown>;

/**
 * @typeParam F the file's type: {@link ConfigFile} for code that reads no warehouse-specific key,
 *   the schema's own type where one does (server/config.ts's loadConfig returns that)
 */
export interface Config<F extends ConfigFile = ConfigFile> {
  /** The validated file, with every default filled in. */
  readonly file: F;
  /** Secrets from the environment (or development stand-ins; see `warnings`). */
  readonly secrets: Secrets;
  /** Absolute path of the file read, or null when running on built-in defaults. */
  readonly source: string | null;
  /** Things an operator should know at start-up (e.g. a development secret in use). */
  readonly warnings: readonly string[];
  /**
   * SHA-256 (hex) of the file's content as parsed, before command-line overrides and without
   * secrets: equal for two processes that read the same settings, whatever the path,
   * formatting or comments. `serve` reports it so that the CLI can tell when the server runs
   * another config than the one the CLI reads.
   */
  readonly fingerprint: string;
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
  /**
   * More secrets the caller's features need beyond the webhook families' (serve: the syncs'
   * destinations, the pulls), checked together with those so that one error names every
   * missing variable. In the local try-out they are only warned about.
   */
  secretsFor?: (file: ConfigFile) => readonly SecretNeed[];
}

/**
 * Finds, parses and validates the configuration against `schema`. Commands and tests call
 * server/config.ts's `loadConfig`, which passes the schema with every warehouse.
 * @throws SwitchboardError `SB_CONFIG_NOT_FOUND`, `SB_CONFIG_PARSE` or `SB_CONFIG_INVALID`;
 *   the message names each key to fix.
 * @example const config = loadConfigWith(configSchema, { path: 'switchboard.yaml' })
 */
export function loadConfigWith<F extends ConfigFile>(schema: ConfigSchema<F>, options: LoadConfigOptions = {}): Config<F> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const source = findConfigFile(options.path ?? env.SWITCHBOARD_CONFIG, cwd);
  const content = withoutEmptyValues(source === null ? {} : readConfigFile(source));
  const file = validate(schema, applyOverrides(content, options.overrides), source ?? 'built-in defaults');
  const { secrets, warnings } =
    options.skipSecrets === true ? { secrets: NO_SECRETS, warnings: [] } : resolveSecrets(file, env, options.secretsFor?.(file) ?? []);
  return deepFreeze({ file, secrets, source, warnings, fingerprint: fingerprintOf(content) });
}

/** Validates an already-parsed config object against `schema` (tests, programmatic use). */
export function parseConfigWith<F extends ConfigFile>(schema: ConfigSchema<F>, raw: unknown, label = 'config'): F {
  return validate(schema, withoutEmptyValues(raw), label);
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

function validate<F extends ConfigFile>(schema: ConfigSchema<F>, raw: unknown, label: string): F {
  // reportInput: the messages show what was given; ZOD_DEFAULT marks zod's own wording, replaced by config-issues.ts.
  const result = schema.safeParse(raw, { reportInput: true, error: () => ZOD_DEFAULT });
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues, schema);
  throw new SwitchboardError(
    'SB_CONFIG_INVALID',
    `Invalid configuration in ${label}:\n${problems.map((p) => `  - ${p.key}: ${p.message}`).join('\n')}\n` +
      'See switchboard.example.yaml and README.md#configuration for every key.',
    { configKey: problems[0]?.key },
  );
}

/**
 * The content without empty values: `key:` with nothing after it (YAML's null) takes the
 * key's default, as if it were not there, so commenting out every key of a section is fine.
 */
function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutEmptyValues(v)]),
  );
}

/** SHA-256 of the content as canonical JSON (keys sorted), so formatting and key order do not count. */
function fingerprintOf(content: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  };
  return createHash('sha256').update(JSON.stringify(canonical(content))).digest('hex');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
