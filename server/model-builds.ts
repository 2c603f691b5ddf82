/**
 * Model builds as the server (and the CLI, when no server runs) starts them: one at a time
 * per warehouse, the project re-read from disk each time (so an edited model counts
 * without a restart), and the run results saved when the run ends. `switchboard build`
 * through the operator API, `switchboard test`, and the scheduled builds in `serve` all go
 * through one ModelBuilds, which is what keeps them from overlapping.
 */
import { loadConfiguredProject, type ModelsRuntime } from '../sql/engine/from-config.js';
import { ModelError } from '../sql/engine/errors.js';
import type { Project } from '../sql/engine/model.js';
import { build, runDataTests, saveRunResults, seed, type ProgressEvent, type RunResults } from '../sql/engine/run.js';
import { selectModels } from '../sql/engine/select.js';
import { SqlError } from '../sql/errors.js';
import type { Warehouse } from '../sql/warehouse.js';
import { ensureSchema } from '../sql/ensure-table.js';
import { FAMILY_TABLES } from '../ingest/families/family.js';
import { ensureRawEventTable, PULL_ONLY_TABLES } from '../ingest/raw-tables.js';

/** `build`: models and their data tests. `test`: the data tests alone. `seed`: the seeds alone. */
export type RunCommand = RunResults['command'];

export interface RunRequest {
  /** dbt selectors, e.g. `['calls+', 'tag:messages']`; none selects every model. */
  select?: readonly string[] | undefined;
  /** dbt --exclude selectors; absent: the configured default (models.exclude, see modelsRuntime). */
  exclude?: readonly string[] | undefined;
  /** Rebuild incremental models from scratch (build only). */
  fullRefresh?: boolean | undefined;
}

/** A run that holds the lock and has a loaded project; {@link PreparedRun.execute} runs it. */
export interface PreparedRun {
  readonly command: RunCommand;
  /**
   * Runs the models and tests, saves the run results, and releases the lock, whether it
   * succeeded or threw. Call it exactly once.
   * @param onProgress each node's start and end, e.g. to print dbt-style lines
   */
  execute(onProgress?: (event: ProgressEvent) => void, signal?: AbortSignal): Promise<RunResults>;
}

/** The last finished run, for the operator API's GET /status (`switchboard status`). */
export interface LastRun {
  runId: string;
  command: RunCommand;
  finishedAt: string;
  success: boolean;
  /** Node counts by status, e.g. `{ success: 10, pass: 31, fail: 1 }`. */
  counts: Record<string, number>;
}

export class ModelBuilds {
  private current: Promise<unknown> | null = null;
  private last: LastRun | null = null;

  /** The last run that finished (null before the first). */
  get lastRun(): LastRun | null {
    return this.last;
  }

  /**
   * @param runtime where the project and run results live, and the compile settings
   *   (`modelsRuntime(config.file, env, cwd)`)
   * @param onFinished told of every run once its results are saved (serve's signals); must
   *   be cheap and must not throw
   */
  constructor(
    private readonly warehouse: Warehouse,
    private readonly runtime: ModelsRuntime,
    private readonly onFinished?: (results: RunResults) => void,
  ) {}

  /** True while a run holds the lock (from prepare() until its execute() settles). */
  get running(): boolean {
    return this.current !== null;
  }

  /**
   * Takes the lock, checks that the warehouse answers, loads the project and checks the
   * selection, so that everything a caller can fix fails here, before any node runs.
   * @throws ModelError `SB_MODEL_BUILD_RUNNING` while another run holds the lock;
   *   `SB_MODEL_SELECTOR`, `SB_MODEL_TEMPLATE`, … for the project; SqlError
   *   `SB_SQL_UNAVAILABLE` when the warehouse does not answer.
   * @example const run = await builds.prepare('build', { select: ['calls+'] }); await run.execute(print)
   */
  async prepare(command: RunCommand, request: RunRequest = {}): Promise<PreparedRun> {
    // Checked and taken before the first await, so two callers can never both get it.
    if (this.current !== null) {
      throw new ModelError('SB_MODEL_BUILD_RUNNING', 'A build is already running in this server (scheduled or manual); one runs at a time. Wait for it to finish and retry.');
    }
    let release!: () => void;
    this.current = new Promise<void>((resolve) => {
      release = () => {
        this.current = null; // synchronously: a caller that awaited execute() may start the next run at once
        resolve();
      };
    });
    let project: Project;
    let exclude: readonly string[];
    try {
      await this.ping();
      project = await loadConfiguredProject(this.runtime, this.warehouse.dialect);
      // The default leaves out tags your own project may not have; an explicit --exclude must match.
      const tags = new Set([...project.models.values()].flatMap((m) => m.config.tags));
      exclude = request.exclude ?? this.runtime.defaultExclude.filter((s) => !s.startsWith('tag:') || tags.has(s.slice(4)));
      const selecting = (request.select !== undefined && request.select.length > 0) || request.exclude !== undefined;
      const chosen = selectModels(project, request.select ?? [], exclude).filter((m) => command !== 'seed' || m.seed !== undefined);
      if (chosen.length === 0 && (selecting || command === 'seed')) {
        throw nothingSelected(command, project, request.select ?? [], { list: exclude, given: request.exclude !== undefined });
      }
    } catch (error) {
      release();
      throw error;
    }
    let executed = false;
    return {
      command,
      execute: async (onProgress, signal) => {
        if (executed) throw new Error('PreparedRun.execute() called twice');
        executed = true;
        try {
          const options = {
            settings: this.runtime.settings,
            ...(request.select === undefined ? {} : { select: request.select }),
            exclude,
            ...(request.fullRefresh === true ? { fullRefresh: true } : {}),
            ...(onProgress === undefined ? {} : { onProgress }),
            ...(signal === undefined ? {} : { signal }),
          };
          await ensureRawTables(this.warehouse, this.runtime.settings.sources.raw ?? 'raw');
          const results = await { build, test: runDataTests, seed }[command](this.warehouse, project, options);
          const counts: Record<string, number> = {};
          for (const r of results.results) counts[r.status] = (counts[r.status] ?? 0) + 1;
          this.last = { runId: results.runId, command: results.command, finishedAt: results.finishedAt, success: results.success, counts };
          await saveRunResults(this.warehouse, results, { targetDir: this.runtime.targetDir, schema: this.runtime.settings.targetSchema });
          this.onFinished?.(results);
          return results;
        } finally {
          release();
        }
      },
    };
  }

  /** prepare() and execute() in one go. */
  async run(command: RunCommand, request: RunRequest = {}, onProgress?: (event: ProgressEvent) => void): Promise<RunResults> {
    return (await this.prepare(command, request)).execute(onProgress);
  }

  /** Resolves once no run holds the lock (at once when none does). For shutdown. */
  async idle(): Promise<void> {
    while (this.current !== null) await this.current;
  }

  private async ping(): Promise<void> {
    try {
      await this.warehouse.ping();
    } catch (cause) {
      if (cause instanceof SqlError && cause.code === 'SB_SQL_UNAVAILABLE') throw cause;
      throw new SqlError('SB_SQL_UNAVAILABLE', `The warehouse does not answer (${(cause as Error).message}); no model was built.`, { cause });
    }
  }
}

/**
 * The answer to a --select and --exclude that leave nothing: an error, not dbt's "Nothing to
 * do" and exit 0, because a build that ran nothing is almost always a mistake in the lists,
 * and a script must not read it as success.
 */
function nothingSelected(command: RunCommand, project: Project, select: readonly string[], exclude: { list: readonly string[]; given: boolean }): ModelError {
  const chosen = selectModels(project, select, []).map((m) => m.name);
  if (command === 'seed' && !chosen.some((name) => project.models.get(name)?.seed !== undefined)) {
    const selected = select.length === 0 ? 'the models project has no seeds (seeds/*.csv)' : `--select ${select.join(' ')} selects no seed`;
    return new ModelError('SB_MODEL_NOTHING_SELECTED', `Nothing to seed: ${selected}. Nothing ran; seeds are the CSV files under a models folder's seeds/.`);
  }
  if (chosen.length === 0) return new ModelError('SB_MODEL_NOTHING_SELECTED', `Nothing to ${command}: the models project (models.dir) has no models.`);
  const names = chosen.length <= 5 ? chosen.join(', ') : `${chosen.slice(0, 5).join(', ')}, …`;
  const selected =
    select.length === 0 ? `every model (${chosen.length}) is selected` : `--select ${select.join(' ')} selects ${chosen.length} model${chosen.length === 1 ? '' : 's'} (${names})`;
  const excluded = exclude.given
    ? `--exclude ${exclude.list.join(' ')}`
    : `the default --exclude ${exclude.list.join(' ')} (while no pull source is configured; an explicit --exclude replaces it)`;
  return new ModelError(
    'SB_MODEL_NOTHING_SELECTED',
    `Nothing to ${command}: ${selected}, and ${excluded} leaves out all of them. Nothing ran, and no run results were written; check the two lists.`,
  );
}

/** dbt's summary counts: PASS (built or passed), ERROR (errored or failed), SKIP, TOTAL. */
export function runCounts(results: RunResults): { pass: number; warn: number; error: number; skip: number; total: number } {
  const count = (...statuses: string[]) => results.results.filter((r) => statuses.includes(r.status)).length;
  return { pass: count('success', 'pass'), warn: count('warn'), error: count('error', 'fail'), skip: count('skipped'), total: results.results.length };
}

/**
 * The raw tables the models read, created empty if nothing has landed yet, so that a build
 * before the first event (or before `serve` ever ran) builds empty tables instead of failing.
 */
async function ensureRawTables(warehouse: Warehouse, rawSchema: string): Promise<void> {
  const d = warehouse.dialect;
  await ensureSchema(warehouse, d, rawSchema);
  for (const table of [...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES]) await ensureRawEventTable(warehouse, d, rawSchema, table);
}
