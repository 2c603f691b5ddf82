/**
 * The pulls of one process: which sources are configured, one run per source at a time,
 * and their schedules in `serve` (node-cron). A tick while the source's previous run still
 * goes is skipped with a warning, never queued: the next tick catches up, because a
 * scheduled run always reads from where the last one ended.
 */
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Warehouse } from '../../sql/warehouse.js';
import { SwitchboardError } from '../../core/errors.js';
import { cronLogger } from '../../core/cron-logger.js';
import { runPull, type PullEvent, type PullRunResult } from './runner.js';
import type { PullRange, PullSource } from './source.js';

/** A source as configured: how to make it (credentials are checked then), and its timing. */
export interface ConfiguredSource {
  name: string;
  description: string;
  /** The config key it comes from, e.g. `pulls.workAnalytics` (named in errors). */
  configKey: string;
  /** Builds the source; throws a SwitchboardError naming the env var when a credential is missing. */
  create(): PullSource<unknown>;
  schedule: string;
  lookbackMs: number;
  initialMs: number;
}

export interface PullerOptions {
  warehouse: Warehouse;
  rawSchema: string;
  sources: readonly ConfiguredSource[];
  logger: Logger;
  /** Tests: a fixed clock and a sleep that returns at once. */
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PullRequest {
  /** A backfill's range; absent: the scheduled (incremental) run. */
  range?: PullRange;
  restart?: boolean;
  /** The backfill's end was not given (it runs to now): resume a half-done one with the same start. */
  openEnded?: boolean;
  onProgress?: (event: PullEvent) => void;
  /** Stops this run (the CLI's Ctrl-C); `stop()` stops every run. */
  signal?: AbortSignal;
}

/** One source in the operator API's GET /status (`switchboard status`). */
export interface PullStatus {
  source: string;
  schedule: string;
  running: boolean;
  /** The last run this process finished (all runs: `<rawSchema>._pull_runs`). */
  lastRun: { runId: string; status: string; from: string; to: string; landed: number; finishedAt: string; error: { code: string; message: string } | null } | null;
}

export class Puller {
  private readonly active = new Map<string, AbortController>();
  private readonly lastRuns = new Map<string, PullStatus['lastRun']>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private tasks: ScheduledTask[] = [];
  private stopped = false;

  constructor(private readonly options: PullerOptions) {}

  get sources(): readonly ConfiguredSource[] {
    return this.options.sources;
  }

  isActive(name: string): boolean {
    return this.active.has(name);
  }

  status(): PullStatus[] {
    return this.options.sources.map((s) => ({ source: s.name, schedule: s.schedule, running: this.active.has(s.name), lastRun: this.lastRuns.get(s.name) ?? null }));
  }

  /** Runs one source now. Rejects with SB_PULL_UNKNOWN, SB_PULL_RUNNING, or the run's own error. */
  async run(name: string, request: PullRequest = {}): Promise<PullRunResult> {
    const configured = this.options.sources.find((s) => s.name === name);
    if (configured === undefined) {
      const known = this.options.sources.map((s) => s.name);
      throw new SwitchboardError(
        'SB_PULL_UNKNOWN',
        `No pull source "${name}" is configured (configured: ${known.join(', ') || 'none'}). Sources come from the config keys pulls.workAnalytics, pulls.ccInteractions and pulls.connect (README › Pulls).`,
        { configKey: 'pulls' },
      );
    }
    if (this.stopped) throw new SwitchboardError('SB_PULL_STOPPED', 'The server is stopping; run the pull again once it is back.');
    if (this.active.has(name)) throw new SwitchboardError('SB_PULL_RUNNING', `A pull of ${name} is already running; one run per source at a time (switchboard status shows it).`);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.active.set(name, controller);
    const run = (async () => {
      const source = configured.create();
      return runPull(this.options.warehouse, source, {
        rawSchema: this.options.rawSchema,
        signal: controller.signal,
        lookbackMs: configured.lookbackMs,
        initialMs: configured.initialMs,
        ...(request.range === undefined ? {} : { range: request.range }),
        ...(request.restart === true ? { restart: true } : {}),
        ...(request.openEnded === true ? { openEnded: true } : {}),
        ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
        ...(this.options.now === undefined ? {} : { now: this.options.now() }),
        ...(this.options.sleep === undefined ? {} : { sleep: this.options.sleep }),
      });
    })();
    this.inFlight.add(run);
    try {
      const result = await run;
      this.lastRuns.set(name, { runId: result.runId, status: result.status, from: result.from, to: result.to, landed: result.landed, finishedAt: result.finishedAt, error: null });
      return result;
    } catch (error) {
      const code = error instanceof SwitchboardError ? error.code : 'SB_PULL_FAILED';
      this.lastRuns.set(name, { runId: '', status: 'failed', from: request.range?.from.toISOString() ?? '', to: request.range?.to.toISOString() ?? '', landed: 0, finishedAt: new Date().toISOString(), error: { code, message: (error as Error).message } });
      throw error;
    } finally {
      this.inFlight.delete(run);
      this.active.delete(name);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Starts each source's schedule (those set to `off` only run by hand). */
  start(): void {
    const { logger } = this.options;
    for (const configured of this.options.sources) {
      if (configured.schedule === 'off') {
        logger.info({ source: configured.name }, `scheduled pulls of ${configured.name} are off (${configured.configKey}.schedule: off); run them with \`switchboard pull ${configured.name}\``);
        continue;
      }
      try {
        configured.create(); // credentials present? Say so now, not at the first tick.
      } catch (error) {
        logger.error({ err: error, source: configured.name }, `scheduled pulls of ${configured.name} are disabled: ${(error as Error).message}`);
        continue;
      }
      const task = createTask(configured.schedule, () => this.tick(configured.name), { name: `switchboard-pull-${configured.name}`, logger: cronLogger(logger) });
      void task.start();
      this.tasks.push(task);
      logger.info({ source: configured.name, schedule: configured.schedule }, `scheduled pulls of ${configured.name} on "${configured.schedule}"`);
    }
  }

  /**
   * One scheduled run, as a cron tick does it: skipped while the source already runs,
   * logged either way, never rejects. Null when skipped or failed.
   */
  async tick(name: string): Promise<PullRunResult | null> {
    const logger = this.options.logger.child({ source: name });
    if (this.active.has(name)) {
      logger.warn(`scheduled pull of ${name} skipped: the previous one is still running`);
      return null;
    }
    try {
      const result = await this.run(name, {
        onProgress: (event) => {
          if (event.phase === 'skipped') logger.warn({ reason: event.skipped.reason }, event.skipped.message);
          if (event.phase === 'waiting') logger.info({ step: event.progress.step }, event.note);
        },
      });
      logger.info(
        { runId: result.runId, from: result.from, to: result.to, pages: result.pages, landed: result.landed, resumed: result.resumed, seconds: result.seconds },
        `scheduled pull of ${name}: ${result.status}, ${result.landed} records in ${result.pages} pages (${result.from} … ${result.to})`,
      );
      for (const note of result.notes) logger.warn({ code: note.code, runId: result.runId }, note.message);
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SB_SQL_UNAVAILABLE') logger.warn({ err: error }, `scheduled pull of ${name} skipped: the warehouse is not reachable`);
      else logger.error({ err: error, code }, `scheduled pull of ${name} failed; the next tick resumes where it stopped`);
      return null;
    }
  }

  /** Stops the schedules and every run in flight (at its next page), and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    const tasks = this.tasks;
    this.tasks = [];
    await Promise.all(tasks.map((task) => task.destroy()));
    for (const controller of this.active.values()) controller.abort(new SwitchboardError('SB_PULL_STOPPED', 'the server is stopping; the pull resumes where it stopped on its next run'));
    await Promise.allSettled([...this.inFlight]);
  }
}
