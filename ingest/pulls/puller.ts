/**
 * The pulls of one process: which sources are configured, and one run per source at a
 * time. Their schedules live in the job runner (server/jobs): a tick while the source's
 * previous run still goes is skipped, never queued, and the next tick catches up, because
 * a scheduled run always reads from where the last one ended.
 */
import type { Logger } from 'pino';
import type { Warehouse } from '../../sql/warehouse.js';
import { SwitchboardError } from '../../core/errors.js';
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
  /**
   * Told of every run that ended, scheduled or manual: its result, or (result null) the error
   * it stopped with, for the server's signals. Must be cheap and must not throw.
   */
  onRunFinished?: ((source: string, result: PullRunResult | null, error?: unknown) => void) | undefined;
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
      this.finished(name, result);
      return result;
    } catch (error) {
      const code = error instanceof SwitchboardError ? error.code : 'SB_PULL_FAILED';
      this.lastRuns.set(name, { runId: '', status: 'failed', from: request.range?.from.toISOString() ?? '', to: request.range?.to.toISOString() ?? '', landed: 0, finishedAt: new Date().toISOString(), error: { code, message: (error as Error).message } });
      this.finished(name, null, error);
      throw error;
    } finally {
      this.inFlight.delete(run);
      this.active.delete(name);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  private finished(source: string, result: PullRunResult | null, error?: unknown): void {
    try {
      this.options.onRunFinished?.(source, result, error);
    } catch (thrown) {
      this.options.logger.warn({ err: thrown, source }, 'a listener of finished pulls threw; the pull itself is not affected');
    }
  }

  /** Stops every run in flight (at its next page), and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const controller of this.active.values()) controller.abort(new SwitchboardError('SB_PULL_STOPPED', 'the server is stopping; the pull resumes where it stopped on its next run'));
    await Promise.allSettled([...this.inFlight]);
  }
}
