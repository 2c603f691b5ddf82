/**
 * Source freshness checks as the server (and the CLI, when no server runs) starts them: the
 * declarations re-read from the project's YAML each time (an edited threshold counts without
 * a restart), the check, and its results saved (sources.json and sb_source_freshness).
 * `switchboard source freshness` through the operator API and the scheduled `freshness` job
 * both go through one SourceFreshnessChecks; the job's lease keeps two from overlapping.
 */
import type { ModelsRuntime } from '../sql/engine/from-config.js';
import { checkFreshness, type FreshnessResult, type FreshnessResults } from '../sql/engine/freshness.js';
import { saveFreshnessResults } from '../sql/engine/freshness-results.js';
import { loadSources, selectSources, type SourceTable } from '../sql/engine/sources.js';
import { SqlError } from '../sql/errors.js';
import type { Warehouse } from '../sql/warehouse.js';

export interface FreshnessRequest {
  /** dbt's source selectors, e.g. `['source:raw.voice_events']`; none checks every declared table. */
  select?: readonly string[] | undefined;
}

/** A check whose declarations loaded and whose selection matched; {@link PreparedFreshness.execute} runs it. */
export interface PreparedFreshness {
  /** The tables it checks (those with a freshness block). */
  readonly tables: readonly SourceTable[];
  /** Checks, then saves the results. Call it once. */
  execute(onResult?: (result: FreshnessResult, index: number, total: number) => void, signal?: AbortSignal): Promise<FreshnessResults>;
}

/** The counts `Done.` prints and the job's summary keeps. */
export function freshnessCounts(results: FreshnessResults): { pass: number; warn: number; error: number; runtimeError: number; total: number } {
  const count = (status: string) => results.results.filter((r) => r.status === status).length;
  return { pass: count('pass'), warn: count('warn'), error: count('error'), runtimeError: count('runtime error'), total: results.results.length };
}

export class SourceFreshnessChecks {
  /**
   * @param runtime the project's layers, `models.freshness`, where results go (`modelsRuntime(…)`)
   * @param now the clock ages are counted from
   */
  constructor(
    private readonly warehouse: Warehouse,
    private readonly runtime: ModelsRuntime,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Loads the declarations and checks the selection, so that what a caller can fix fails
   * before anything runs.
   * @throws ModelError `SB_MODEL_SOURCES` (the YAML or models.freshness), `SB_MODEL_SELECTOR`;
   *   SqlError `SB_SQL_UNAVAILABLE` when the warehouse does not answer
   */
  async prepare(request: FreshnessRequest = {}): Promise<PreparedFreshness> {
    const declared = await loadSources(this.runtime.layers, { schemas: this.runtime.settings.sources, overrides: this.runtime.freshness });
    const select = request.select ?? [];
    const tables = selectSources(declared, select).filter((t) => t.freshness !== null);
    try {
      await this.warehouse.ping();
    } catch (cause) {
      if (cause instanceof SqlError && cause.code === 'SB_SQL_UNAVAILABLE') throw cause;
      throw new SqlError('SB_SQL_UNAVAILABLE', `The warehouse does not answer (${(cause as Error).message}); no source was checked.`, { cause });
    }
    return {
      tables,
      execute: async (onResult, signal) => {
        const results = await checkFreshness(this.warehouse, tables, {
          now: this.now,
          selection: select,
          ...(onResult === undefined ? {} : { onResult }),
          ...(signal === undefined ? {} : { signal }),
        });
        await saveFreshnessResults(this.warehouse, results, { targetDir: this.runtime.targetDir, schema: this.runtime.settings.targetSchema });
        return results;
      },
    };
  }

  /** prepare() and execute() in one go. */
  async run(request: FreshnessRequest = {}, onResult?: (result: FreshnessResult, index: number, total: number) => void, signal?: AbortSignal): Promise<FreshnessResults> {
    return (await this.prepare(request)).execute(onResult, signal);
  }
}
