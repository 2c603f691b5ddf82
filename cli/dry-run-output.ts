/**
 * `switchboard compile --dry-run` as an operator reads it: the SQL, then one SQL comment
 * line with the warehouse's answer, so the whole output still pastes into a SQL console.
 *
 *   -- BigQuery acme-analytics (US) estimates this query scans 1.2 GiB (1288490188 bytes); builds are capped at warehouse.maximumBytesBilled = 10.0 GiB
 *   -- DuckDB /srv/sb/data/switchboard.duckdb checked this query without running it (it gives no byte estimate)
 */
import { formatBytes } from '../core/format-bytes.js';
import { exceedsLimit, type ModelDryRun } from '../sql/engine/dry-run.js';
import type { DryRunEstimate } from '../sql/warehouse.js';

const sized = (n: number): string => `${formatBytes(n)} (${n} bytes)`;

/**
 * @param warehouse the warehouse as describeWarehouse() names it, e.g. `BigQuery acme-analytics (US)`
 * @example dryRunLine('BigQuery acme (US)', { bytesProcessed: 1288490188, bytesLimit: { bytes: 10737418240, configKey: 'warehouse.maximumBytesBilled' } })
 */
export function dryRunLine(warehouse: string, estimate: DryRunEstimate): string {
  const { bytesProcessed, bytesLimit } = estimate;
  if (bytesProcessed === null) return `-- ${warehouse} checked this query without running it (it gives no byte estimate)`;
  const scans = `-- ${warehouse} estimates this query scans ${sized(bytesProcessed)}`;
  if (bytesLimit === undefined) return scans;
  const over = exceedsLimit(estimate) ? ': over the cap, so a build would fail' : '';
  return `${scans}; builds are capped at ${bytesLimit.configKey} = ${formatBytes(bytesLimit.bytes)}${over}`;
}

/**
 * What `--json` prints: the model, the SQL the warehouse checked and its answer, in bytes.
 * `incrementalStrategy` is the model's `incremental_strategy` (null for other materializations).
 */
export function dryRunJson(model: string, incremental: boolean, warehouse: string, run: ModelDryRun, incrementalStrategy: string | null = null): Record<string, unknown> {
  const { bytesProcessed, statementType, bytesLimit } = run.estimate;
  return {
    model,
    incremental,
    incrementalStrategy,
    warehouse,
    sql: run.sql,
    bytesProcessed,
    statementType: statementType ?? null,
    bytesLimit: bytesLimit ?? null,
    overLimit: exceedsLimit(run.estimate),
  };
}
