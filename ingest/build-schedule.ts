/**
 * Scheduled model builds in `serve`, on `models.schedule` (node-cron: 5 fields, or 6 with
 * seconds first; `off` disables them). A scheduled build shares the lock of manual ones
 * (ModelBuilds), so it is skipped, with a warning, while another build runs, or while the
 * warehouse does not answer (serve may start before it does). It never throws: a failed
 * build is logged and the next tick tries again.
 *
 * Log lines (pino, component `models`): one per finished model, one per data test that did
 * not pass, and one summary, e.g.
 *   {"level":30,"node":"model.calls","status":"success","rows":12,…,"msg":"incremental model analytics.calls: success (12 rows in 0.31s)"}
 *   {"level":30,"runId":"…","pass":41,"error":1,"skip":0,"total":42,…,"msg":"scheduled build finished: PASS=41 WARN=0 ERROR=1 SKIP=0 TOTAL=42 in 3.2s"}
 */
import { createTask, type ScheduledTask } from 'node-cron';
import { cronLogger } from '../core/cron-logger.js';
import type { Logger } from 'pino';
import type { ProgressEvent, RunResults } from '../sql/engine/run.js';
import { runCounts, type ModelBuilds } from './model-builds.js';

export interface BuildScheduleOptions {
  /** A node-cron expression, e.g. `*\/5 * * * *`, or `off` (config `models.schedule`, validated there). */
  expression: string;
  builds: ModelBuilds;
  logger: Logger;
  /** Runs after each scheduled build that finished (the missed-webhook check); must not throw. */
  afterBuild?: (results: RunResults) => Promise<unknown>;
}

export class BuildSchedule {
  private task: ScheduledTask | null = null;
  private inFlight: Promise<RunResults | null> | null = null;

  constructor(private readonly options: BuildScheduleOptions) {}

  /** Starts the cron (nothing when `off`). Safe to call twice. */
  start(): void {
    const { expression, logger } = this.options;
    if (expression === 'off') {
      logger.info('scheduled model builds are off (models.schedule: off); run them with `switchboard build`');
      return;
    }
    if (this.task !== null) return;
    this.task = createTask(expression, () => this.tick(), { name: 'switchboard-models', logger: cronLogger(logger) });
    void this.task.start();
    logger.info({ schedule: expression }, `scheduled model builds on "${expression}"`);
  }

  /** Stops the cron and waits for a scheduled build in flight to finish. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    await task?.destroy();
    await this.inFlight;
  }

  /**
   * One scheduled build, as each cron tick runs it: null when it was skipped or failed to
   * start (both logged). Never rejects.
   */
  async runOnce(): Promise<RunResults | null> {
    const { builds, logger } = this.options;
    if (builds.running) {
      logger.warn('scheduled build skipped: another build is running');
      return null;
    }
    try {
      const run = await builds.prepare('build');
      const results = await run.execute((event) => logProgress(logger, event));
      const counts = runCounts(results);
      logger.info(
        { runId: results.runId, success: results.success, ...counts, seconds: results.seconds },
        `scheduled build finished: PASS=${counts.pass} WARN=0 ERROR=${counts.error} SKIP=${counts.skip} TOTAL=${counts.total} in ${results.seconds}s`,
      );
      await this.options.afterBuild?.(results);
      return results;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SB_MODEL_BUILD_RUNNING') logger.warn('scheduled build skipped: another build is running');
      else if (code === 'SB_SQL_UNAVAILABLE') logger.warn({ err: error }, 'scheduled build skipped: the warehouse is not reachable');
      else logger.error({ err: error }, 'scheduled build failed');
      return null;
    }
  }

  private tick(): Promise<RunResults | null> {
    const run = this.runOnce();
    this.inFlight = run;
    void run.finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    return run;
  }
}

function logProgress(logger: Logger, event: ProgressEvent): void {
  const result = event.result;
  if (event.phase !== 'end' || result === undefined) return;
  const fields = { node: result.node, status: result.status, rows: result.rows, seconds: result.seconds, materialized: result.materialized };
  const rows = result.rows === null ? '' : `${result.rows} ${result.kind === 'test' ? 'failing ' : ''}row${result.rows === 1 ? '' : 's'} in `;
  switch (result.status) {
    case 'success':
      logger.info(fields, `${event.description}: success (${rows}${result.seconds}s)`);
      break;
    case 'pass':
      logger.debug(fields, `${event.description}: pass`);
      break;
    case 'skipped':
      logger.warn({ ...fields, reason: result.message }, `${event.description}: ${result.message}`);
      break;
    default:
      logger.error({ ...fields, reason: result.message }, `${event.description}: ${result.status}: ${result.message}`);
  }
}
