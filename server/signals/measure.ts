/**
 * The two latencies that need the warehouse to measure, taken by the flush after a build or
 * a sync run finished (never on the landing path). Both read small, bounded results: rows
 * grouped by a timestamp that many rows share (each drain batch lands with one `landed_at`,
 * each sync batch is recorded at one `recorded_at`), at most {@link MAX_GROUPS} groups.
 *
 * - **landed → curated**, per curated table (signals.curatedModels): for the rows a build
 *   brought in, the build's finish time minus the row's `last_updated_at` (the newest
 *   `landed_at` among its events). The rows a build brought in are those newer than what was
 *   measured before (in this process), and than the start of the table's previous successful
 *   build (`sb_run_results`), since rows landed before that were curated by it.
 * - **curated → destination**, per sync: for each record the run sent
 *   (`switchboard_sync.outcomes`, status `sent`), its `recorded_at` (the destination
 *   confirmed it) minus the finish of the last successful build of the sync's model before
 *   the run started: the build whose output the run's diff read. For a sync defined by
 *   `sql:`, the last successful build of any model.
 */
import type { Warehouse } from '../../sql/warehouse.js';
import { runResultsTable } from '../../sql/engine/run.js';
import { outcomesTable } from '../../sync/state.js';
import type { BuildToMeasure, SignalCollector, SyncToMeasure } from './collector.js';

/** Most timestamp groups read per measurement (newest first). */
export const MAX_GROUPS = 5000;

export interface MeasureOptions {
  warehouse: Warehouse;
  modelsSchema: string;
  curatedModels: readonly string[];
  /** Per sync, the model it reads (`syncs[].model`); absent for `sql:` syncs. */
  syncModels: ReadonlyMap<string, string>;
}

export class LatencyMeasurer {
  /** Per curated table, the newest `last_updated_at` measured so far (epoch ms). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly options: MeasureOptions) {}

  /** Adds the landed → curated samples of `build` to `collector`, at the build's finish. */
  async build(build: BuildToMeasure, collector: SignalCollector): Promise<void> {
    const { warehouse, modelsSchema } = this.options;
    const d = warehouse.dialect;
    for (const model of this.options.curatedModels.filter((m) => build.models.includes(m))) {
      const previous = await this.previousBuildStart(model, build);
      const since = Math.max(this.seen.get(model) ?? Number.NEGATIVE_INFINITY, previous ?? Number.NEGATIVE_INFINITY);
      const bounded = Number.isFinite(since);
      const rows = await warehouse.all<{ at: string | null; n: number | string }>(
        `SELECT last_updated_at AS at, count(*) AS n FROM ${d.tableName(modelsSchema, model)} ` +
          `${bounded ? `WHERE last_updated_at > ${d.param(1)} ` : 'WHERE last_updated_at IS NOT NULL '}` +
          `GROUP BY last_updated_at ORDER BY last_updated_at DESC LIMIT ${MAX_GROUPS}`,
        bounded ? [new Date(since)] : [],
      );
      let newest = since;
      for (const row of rows) {
        if (row.at === null) continue;
        const at = Date.parse(row.at);
        newest = Math.max(newest, at);
        collector.latency('landed_to_curated', model, build.finishedAt - at, build.finishedAt, Number(row.n));
      }
      if (Number.isFinite(newest)) this.seen.set(model, newest);
    }
  }

  /** Adds the curated → destination samples of `run` to `collector`, at the run's finish. */
  async sync(run: SyncToMeasure, collector: SignalCollector): Promise<void> {
    const { warehouse } = this.options;
    const d = warehouse.dialect;
    const curatedAt = await this.lastBuildBefore(this.options.syncModels.get(run.sync), run.startedAt);
    if (curatedAt === null) return; // nothing was ever built before it: the rows came from elsewhere
    const rows = await warehouse.all<{ at: string; n: number | string }>(
      `SELECT recorded_at AS at, count(*) AS n FROM ${d.tableName(outcomesTable.schema, outcomesTable.name)} ` +
        `WHERE sync_name = ${d.param(1)} AND run_id = ${d.param(2)} AND status = 'sent' GROUP BY recorded_at ORDER BY recorded_at DESC LIMIT ${MAX_GROUPS}`,
      [run.sync, run.runId],
    );
    for (const row of rows) collector.latency('curated_to_destination', run.sync, Date.parse(row.at) - curatedAt, run.finishedAt, Number(row.n));
  }

  /** When the last successful build of `model` before `build` started; null when there was none. */
  private async previousBuildStart(model: string, build: BuildToMeasure): Promise<number | null> {
    const d = this.options.warehouse.dialect;
    const [row] = await this.options.warehouse.all<{ at: string | null }>(
      `SELECT max(run_started_at) AS at FROM ${this.runResults()} WHERE node = ${d.param(1)} AND command = 'build' AND status = 'success' ` +
        `AND run_id <> ${d.param(2)} AND run_started_at < ${d.param(3)}`,
      [`model.${model}`, build.runId, new Date(build.startedAt)],
    );
    return row?.at == null ? null : Date.parse(row.at);
  }

  /** When the last successful build of `model` (of any model, for none) finished before `before`. */
  private async lastBuildBefore(model: string | undefined, before: number): Promise<number | null> {
    const d = this.options.warehouse.dialect;
    const [row] = await this.options.warehouse.all<{ at: string | null }>(
      `SELECT max(run_finished_at) AS at FROM ${this.runResults()} WHERE command = 'build' AND status = 'success' AND run_finished_at <= ${d.param(1)}` +
        (model === undefined ? '' : ` AND node = ${d.param(2)}`),
      model === undefined ? [new Date(before)] : [new Date(before), `model.${model}`],
    );
    return row?.at == null ? null : Date.parse(row.at);
  }

  private runResults(): string {
    const table = runResultsTable(this.options.modelsSchema);
    return this.options.warehouse.dialect.tableName(table.schema, table.name);
  }
}
