/**
 * The models settings of a Switchboard config: which project, which schemas, vars, the PII
 * policy. Shared by `build`, `test`, `compile` and the scheduler in `serve`.
 */
import { pullsConfigured } from '../../core/config-pulls.js';
import { resolve } from 'node:path';
import type { ConfigFile } from '../../core/config-schema.js';
import type { SecretNeed } from '../../core/secrets.js';
import type { PiiKind, PiiPolicy } from './render.js';
import type { ProjectSettings } from './run.js';
import { BUNDLED_MODELS_DIR, loadProject } from './project.js';
import type { Project, ProjectLayer } from './model.js';
import type { FreshnessOverride } from './sources.js';
import type { SqlDialect } from '../dialect.js';

export { BUNDLED_MODELS_DIR };

/** The environment variable holding the salt of hashed PII columns. */
export const PII_SALT_ENV = 'SWITCHBOARD_PII_HASH_SALT';

/**
 * The salt, when a `models.pii` policy is `hash`: without it a hashed phone number is found
 * by hashing every number. serve checks it at start with the other secrets.
 */
export function modelSecrets(file: ConfigFile): SecretNeed[] {
  const { pii } = file.models;
  const hashes = pii.phone === 'hash' || pii.body === 'hash' || Object.values(pii.columns).includes('hash');
  return hashes ? [{ env: PII_SALT_ENV, configKey: 'models.pii', purpose: 'hashed PII columns: the salt of their SHA-256' }] : [];
}

export interface ModelsRuntime {
  /**
   * The project's layers: the bundled package (or `models.dir`, which replaces it), then each
   * of `models.paths` on top.
   */
  layers: ProjectLayer[];
  /** `models.disabled`. */
  disabled: readonly string[];
  /** Absolute path where run_results.json (and sources.json) go. */
  targetDir: string;
  /** `models.freshness`: source freshness thresholds over the YAML's (sources.ts). */
  freshness: Readonly<Record<string, FreshnessOverride | null>>;
  settings: ProjectSettings;
  /**
   * What a build leaves out unless told otherwise: the reconciliation models (tag
   * `reconciliation`) while no pull source is configured, since without pulls there is
   * nothing to reconcile.
   */
  defaultExclude: readonly string[];
}

/**
 * @param cwd where relative paths in the config resolve
 * @example modelsRuntime(config.file, process.env, process.cwd())
 */
export function modelsRuntime(file: ConfigFile, env: NodeJS.ProcessEnv, cwd: string): ModelsRuntime {
  const { models, warehouse } = file;
  const policy = (model: string, column: string, kind: PiiKind): PiiPolicy =>
    models.pii.columns[`${model}.${column}`] ?? (kind === 'phone' ? models.pii.phone : models.pii.body);
  return {
    layers: [
      models.dir === undefined ? { dir: BUNDLED_MODELS_DIR, package: 'switchboard' } : { dir: resolve(cwd, models.dir), package: 'project' },
      ...models.paths.map((path) => ({ dir: resolve(cwd, path), package: 'project' })),
    ],
    disabled: models.disabled,
    targetDir: resolve(cwd, models.targetDir),
    freshness: Object.fromEntries(Object.entries(models.freshness).map(([key, { off, ...thresholds }]) => [key, off === true ? null : thresholds])),
    defaultExclude: pullsConfigured(file.pulls) ? [] : ['tag:reconciliation'],
    settings: {
      targetSchema: models.schema,
      sources: { raw: warehouse.rawSchema },
      vars: {
        default_region: models.defaultRegion ?? '',
        // A payload's own country wins; then the family's region; then the default.
        region_messaging: models.regions.messaging ?? models.defaultRegion ?? '',
        region_voice: models.regions.voice ?? models.defaultRegion ?? '',
        region_contact_center: models.regions.contactCenter ?? models.defaultRegion ?? '',
        region_meetings: models.regions.meetings ?? models.defaultRegion ?? '',
        region_work: models.regions.work ?? models.defaultRegion ?? '',
        local_time_zone: models.localTimeZone,
        // slack_missed_webhooks alerts on the thresholds serve's check logs with.
        missed_webhooks_alert_share: file.pulls.reconciliation.missedShareAlert,
        missed_webhooks_min_events: file.pulls.reconciliation.minEvents,
        ...models.vars,
      },
      lookbackSeconds: models.lookbackSeconds,
      piiPolicy: policy,
      hashSalt: env[PII_SALT_ENV] ?? '',
      tests: { storeFailures: models.tests.storeFailures, ...(models.tests.failuresSchema === undefined ? {} : { failuresSchema: models.tests.failuresSchema }) },
    },
  };
}

/** The configured project, layers and disabled models applied. */
export function loadConfiguredProject(runtime: ModelsRuntime, dialect: SqlDialect): Promise<Project> {
  return loadProject(runtime.layers, dialect, { disabled: runtime.disabled });
}
