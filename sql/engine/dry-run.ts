/**
 * A model's dry run: its SELECT, compiled for the warehouse it is built in (with that
 * warehouse's schema or dataset prefix), checked there without running (Warehouse.dryRun).
 * What `switchboard compile --dry-run` shows.
 *
 * The SELECT is what a build's materialization wraps (a view, a table built from it, or an
 * incremental build that stages it), so the estimate is what the build reads from its
 * sources. An incremental build then also deletes or merges the target's rows whose key it
 * staged (sql/engine/materialize.ts; an `append` does neither), which reads the target
 * (narrowed by merge_window_column); the SELECT's estimate does not count that.
 */
import { formatBytes } from '../../core/format-bytes.js';
import { SwitchboardError } from '../../core/errors.js';
import { dryRunUnsupported } from '../errors.js';
import type { DryRunEstimate, Warehouse } from '../warehouse.js';
import { compileModel } from './compile.js';
import { ModelError } from './errors.js';
import type { Model, Project } from './model.js';
import type { ProjectSettings } from './run.js';

/** What {@link dryRunModel} learned. */
export interface ModelDryRun {
  /** The SELECT that was checked, as the warehouse received it. */
  sql: string;
  estimate: DryRunEstimate;
}

/**
 * Compiles `model` with the warehouse's own dialect and asks the warehouse to check it.
 * Rejects with SB_SQL_DRY_RUN_UNSUPPORTED when the warehouse cannot, and with
 * SB_MODEL_DRY_RUN_FAILED, carrying the warehouse's message, when it refuses the SQL.
 * @example const { sql, estimate } = await dryRunModel(wh, project, project.models.get('calls')!, runtime.settings, { incremental: false })
 */
export async function dryRunModel(
  warehouse: Warehouse,
  project: Project,
  model: Model,
  settings: ProjectSettings,
  options: { incremental: boolean },
): Promise<ModelDryRun> {
  const sql = compileModel(project, model, { ...settings, dialect: warehouse.dialect, incremental: options.incremental }).trim();
  if (warehouse.dryRun === undefined) throw dryRunUnsupported();
  try {
    return { sql, estimate: await warehouse.dryRun(sql) };
  } catch (error) {
    if (error instanceof SwitchboardError) throw error;
    throw new ModelError('SB_MODEL_DRY_RUN_FAILED', `${model.path}: the warehouse refused the model's SQL in a dry run (nothing ran): ${(error as Error).message}`, { cause: error });
  }
}

/** True when the warehouse estimates more bytes than it lets one statement bill (a build would fail). */
export function exceedsLimit(estimate: DryRunEstimate): boolean {
  return estimate.bytesProcessed !== null && estimate.bytesLimit !== undefined && estimate.bytesProcessed > estimate.bytesLimit.bytes;
}

/**
 * SB_MODEL_DRY_RUN_OVER_LIMIT when the estimate is above the warehouse's per-statement cap
 * (a build would fail, unbilled), else null.
 * @example overLimit(model, { bytesProcessed: 2 ** 40, bytesLimit: { bytes: 10 * 2 ** 30, configKey: 'warehouse.maximumBytesBilled' } }) // ModelError
 */
export function overLimit(model: Model, estimate: DryRunEstimate): ModelError | null {
  const { bytesProcessed, bytesLimit } = estimate;
  if (!exceedsLimit(estimate) || bytesProcessed === null || bytesLimit === undefined) return null;
  return new ModelError(
    'SB_MODEL_DRY_RUN_OVER_LIMIT',
    `${model.path}: the warehouse estimates this model reads ${formatBytes(bytesProcessed)} (${bytesProcessed} bytes), more than ${bytesLimit.configKey} = ` +
      `${formatBytes(bytesLimit.bytes)} (${bytesLimit.bytes} bytes) lets one statement bill, so a build of it would fail (unbilled). ` +
      `Narrow what it reads (filter on the sources' partition columns, or make it incremental), or raise ${bytesLimit.configKey}.`,
    { configKey: bytesLimit.configKey },
  );
}
