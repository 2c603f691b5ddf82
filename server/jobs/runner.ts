/**
 * The one job runner: model builds, syncs and pulls (and the alert and drift checks to come)
 * all run through it, whether a cron tick or an operator starts them.
 *
 * - **Cron schedules** (node-cron; 5 fields, or 6 with seconds first; `off` disables one).
 * - **One run of a job at a time.** In this process, a second start is refused (manual: the
 *   job's own 409 error; scheduled: a skipped tick, logged). Across processes sharing the
 *   warehouse, a run first takes the job's lease (leases.ts): a scheduled tick runs on one
 *   node only, and a job held elsewhere is skipped or refused the same way.
 * - **Deadlines and a clean stop.** Each run gets an AbortSignal that fires at its deadline
 *   (`jobs.deadlineMinutes`), when its lease is lost, or at stop(); the work stops at its
 *   next checkpoint (a model, a sync batch, a pull page). stop() waits for runs in flight.
 * - **History** in one table, `<rawSchema>._job_runs` (history.ts), and **one status shape**
 *   ({@link JobStatus}) for `switchboard status`.
 */
import { randomUUID } from 'node:crypto';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { SwitchboardError } from '../../core/errors.js';
import { cronLogger } from '../../core/cron-logger.js';
import { SqlError } from '../../sql/errors.js';
import { JobHistory } from './history.js';
import type { JobLeases, Lease, LeaseHolder } from './leases.js';
import type { ActiveRun, JobContext, JobDefinition, JobOutcome, JobStatus, JobTrigger } from './job.js';

export type { ActiveRun, JobContext, JobDefinition, JobKind, JobOutcome, JobStatus, JobTrigger } from './job.js';

export interface JobRunnerOptions {
  leases: JobLeases;
  history: JobHistory;
  logger: Logger;
  /** Default deadline of a run (jobs.deadlineMinutes). */
  deadlineMs: number;
  now?: () => Date;
}

interface Entry {
  definition: JobDefinition<unknown>;
  task: ScheduledTask | null;
  running: { run: ActiveRun; startedAt: Date; done: Promise<void> } | null;
  lastRun: JobStatus['lastRun'];
  heldElsewhere: LeaseHolder | null;
}

export class JobRunner {
  private readonly jobs = new Map<string, Entry>();
  private readonly controllers = new Set<AbortController>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Adds a job. Names are unique. */
  define<R>(definition: JobDefinition<R>): void {
    if (this.jobs.has(definition.name)) throw new Error(`job ${definition.name} is defined twice`);
    this.jobs.set(definition.name, { definition: definition as JobDefinition<unknown>, task: null, running: null, lastRun: null, heldElsewhere: null });
  }

  get names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Whether `name` runs in this process now. */
  isRunning(name: string): boolean {
    return this.jobs.get(name)?.running != null;
  }

  /** Starts every job's schedule (those not `off`, and whose preflight passes). Safe to call twice. */
  start(): void {
    const { logger } = this.options;
    for (const [name, entry] of this.jobs) {
      const { definition } = entry;
      if (entry.task !== null) continue;
      const what = definition.schedulesLabel ?? `scheduled runs of ${name}`;
      if (definition.schedule === 'off') {
        definition.logger.info({ job: name }, `${what} are off (${definition.scheduleKey}: off); run them with \`${definition.command ?? 'switchboard'}\``);
        continue;
      }
      try {
        definition.preflight?.();
      } catch (error) {
        definition.logger.error({ err: error, job: name }, `${what} are disabled: ${(error as Error).message}`);
        continue;
      }
      entry.task = createTask(definition.schedule, (context) => this.tick(name, context.date), { name: `switchboard-${name}`, logger: cronLogger(logger) });
      void entry.task.start();
      definition.logger.info({ job: name, schedule: definition.schedule }, `${what} on "${definition.schedule}" (${definition.scheduleKey})`);
    }
  }

  /** Stops the schedules, aborts runs in flight (they stop at their next checkpoint), and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.jobs.values()) {
      const task = entry.task;
      entry.task = null;
      await task?.destroy();
    }
    for (const controller of this.controllers) controller.abort(new SwitchboardError('SB_JOB_STOPPED', 'Switchboard is stopping; the job resumes from its last checkpoint on its next run.'));
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * One scheduled run, as a cron tick does it: skipped (logged) while the job runs here or
   * on another node, or when another node already ran this tick. Never rejects; null when
   * skipped or failed.
   * @param at the cron tick's scheduled time: two nodes firing for the same `at` run it
   *   once. Absent (a tick asked for by hand), only the lease is checked.
   */
  async tick(name: string, at?: Date): Promise<unknown> {
    const entry = this.entry(name);
    const { definition } = entry;
    const { logger, label } = definition;
    if (entry.running !== null) {
      logger.warn(`${label} skipped: ${definition.busyReason}`);
      return null;
    }
    let run: ActiveRun | null;
    try {
      run = await this.begin(name, 'schedule', at === undefined ? undefined : truncateToSecond(at));
    } catch (error) {
      this.logFailure(definition, error);
      return null;
    }
    if (run === null) return null; // another node has it, or ran this tick (logged by begin)
    try {
      const result = await definition.scheduled(run.ctx);
      await run.finish(definition.outcome(result));
      return result;
    } catch (error) {
      await run.fail(error);
      this.logFailure(definition, error, run.ctx.runId);
      return null;
    }
  }

  private logFailure(definition: JobDefinition<unknown>, error: unknown, runId?: string): void {
    const { logger, label } = definition;
    const code = (error as { code?: unknown }).code;
    if (code === 'SB_SQL_UNAVAILABLE') logger.warn({ err: error }, `${label} skipped: the warehouse is not reachable`);
    else if (code === 'SB_JOB_STOPPED') logger.info(`${label} skipped: Switchboard is stopping`);
    else if (code === definition.busy(null).code) logger.warn(`${label} skipped: ${definition.busyReason}`);
    else logger.error({ err: error, code, ...(runId === undefined ? {} : { jobRunId: runId }) }, definition.failedMessage);
  }

  /**
   * A manual run of `name`: `work` runs holding the job. Rejects with the job's busy error
   * when it runs here or elsewhere, or with what `work` threw.
   */
  async run<T>(name: string, work: (ctx: JobContext) => Promise<T>, outcome: (result: T) => JobOutcome): Promise<T> {
    const run = await this.claim(name);
    try {
      const result = await work(run.ctx);
      await run.finish(outcome(result));
      return result;
    } catch (error) {
      await run.fail(error);
      throw error;
    }
  }

  /**
   * Takes `name` for a manual run that ends later (a streamed build: the caller checks what
   * it can before answering, then runs). Rejects with the job's busy error.
   */
  async claim(name: string): Promise<ActiveRun> {
    const entry = this.entry(name);
    if (entry.running !== null) throw entry.definition.busy(null);
    const run = await this.begin(name, 'manual');
    if (run === null) throw entry.definition.busy(entry.heldElsewhere?.holder ?? 'another node');
    return run;
  }

  /** Every job's status, in definition order. */
  status(): JobStatus[] {
    return [...this.jobs.values()].map(({ definition, task, running, lastRun, heldElsewhere }) => {
      const next = task?.getNextRun() ?? null;
      const held = heldElsewhere !== null && heldElsewhere.expiresAt.getTime() > this.now().getTime() ? heldElsewhere : null;
      return {
        job: definition.name,
        kind: definition.kind,
        schedule: definition.schedule,
        nextRunAt: next === null ? null : next.toISOString(),
        running: running === null ? null : { runId: running.run.ctx.runId, trigger: running.run.ctx.trigger, startedAt: running.startedAt.toISOString() },
        heldBy: running === null && held !== null ? { node: held.holder, expiresAt: held.expiresAt.toISOString() } : null,
        lastRun,
      };
    });
  }

  /**
   * Holds `name` here and in the warehouse, or resolves null when another node has it (or
   * already ran this tick), which it logs. The in-process claim is taken before the first
   * await, so two callers in one process never both get it.
   */
  private async begin(name: string, trigger: JobTrigger, tick?: Date): Promise<ActiveRun | null> {
    const entry = this.entry(name);
    const { definition } = entry;
    if (this.stopped) throw new SwitchboardError('SB_JOB_STOPPED', 'Switchboard is stopping; run it again once it is back.');
    const controller = new AbortController();
    const runId = randomUUID();
    let startedAt = this.now();
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const ctx: JobContext = { runId, job: name, trigger, signal: controller.signal, leaseToken: 0 };
    let ended = false;
    let lease: Lease | null = null;
    let stopTimers = (): void => undefined;
    /** This run no longer holds the job in this process. */
    const detach = (): void => {
      ended = true;
      stopTimers();
      entry.running = null;
      this.controllers.delete(controller);
      settle();
    };
    const end = async (outcome: JobOutcome): Promise<void> => {
      if (ended) return;
      ended = true;
      stopTimers();
      const finishedAt = this.now();
      entry.lastRun = {
        runId,
        trigger,
        status: outcome.status,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
        summary: outcome.summary,
        error: outcome.error ?? null,
      };
      try {
        await this.options.history.finished(runId, { status: outcome.status, finishedAt, summary: outcome.summary, error: outcome.error ?? null });
        if (lease !== null) await this.options.leases.release(lease);
      } catch (error) {
        // The lease then expires by itself; the history row stays `running` until a takeover marks it.
        this.options.logger.warn({ err: error, job: name, runId }, `could not record the end of ${name}'s run; its lease expires in ${this.options.leases.ttlMs / 1000}s`);
      } finally {
        detach();
      }
    };
    const run: ActiveRun = {
      ctx,
      finish: (outcome) => end(outcome),
      fail: (error) => end({ status: 'failed', summary: null, error: errorOf(error) }),
    };
    entry.running = { run, startedAt, done };
    this.controllers.add(controller);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    try {
      const result = await this.options.leases.acquire(name, tick);
      if (!result.acquired) {
        entry.heldElsewhere = result.holder;
        const { logger, label } = definition;
        if (trigger === 'schedule') {
          if (result.reason === 'held') logger.info({ holder: result.holder.holder }, `${label} skipped: it runs on ${result.holder.holder}`);
          else logger.debug(`${label} skipped: another node ran this tick`);
        }
        detach();
        return null;
      }
      lease = result.lease;
      // The run starts once it holds the lease (acquiring takes a few round trips): its
      // history then never begins before the previous holder's lease ended.
      startedAt = this.now();
      if (entry.running !== null) entry.running.startedAt = startedAt;
      ctx.leaseToken = lease.token;
      entry.heldElsewhere = null;
      if (lease.tookOverFrom !== null) {
        const abandoned = await this.options.history.abandonBefore(name, lease.token, startedAt);
        this.options.logger.warn(
          { job: name, previous: lease.tookOverFrom, abandoned },
          `took over ${name} from ${lease.tookOverFrom}, which stopped without releasing it (killed or crashed)`,
        );
      }
      await this.options.history.started({ runId, job: name, kind: definition.kind, trigger, node: this.options.leases.node, leaseToken: lease.token, tickAt: tick ?? null, startedAt });
    } catch (error) {
      const held = lease;
      lease = null;
      detach();
      if (held !== null) await this.options.leases.release(held).catch(() => undefined);
      throw unavailable(error);
    }
    const deadlineMs = definition.deadlineMs ?? this.options.deadlineMs;
    const deadline = setTimeout(
      () => controller.abort(new SwitchboardError('SB_JOB_DEADLINE', `${name} ran past its deadline of ${Math.round(deadlineMs / 1000)}s (jobs.deadlineMinutes); it stops at its next checkpoint and resumes from there on its next run.`)),
      deadlineMs,
    );
    deadline.unref();
    const stopHeartbeat = this.heartbeat(name, lease, controller);
    stopTimers = () => {
      clearTimeout(deadline);
      stopHeartbeat();
    };
    return run;
  }

  /**
   * Renews the lease every third of its time; a lost lease aborts the run. Returns what
   * stops it: no renewal is scheduled after that, even one whose answer was in flight.
   */
  private heartbeat(name: string, lease: Lease, controller: AbortController): () => void {
    const { leases, logger } = this.options;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const beat = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        if (controller.signal.aborted && this.stopped) return;
        void leases
          .renew(lease)
          .then((held) => {
            if (held || stopped) return beat();
            logger.error({ job: name, token: lease.token }, `${name} lost its lease to another node; stopping this run at its next checkpoint`);
            controller.abort(new SwitchboardError('SB_JOB_LEASE_LOST', `${name}'s lease was taken over by another node (this one stalled past jobs.leaseSeconds); the run stopped.`));
          })
          .catch((error: unknown) => {
            if (stopped || this.now().getTime() < lease.expiresAt.getTime()) return beat();
            logger.error({ err: error, job: name }, `${name} could not renew its lease before it expired; stopping this run`);
            controller.abort(new SwitchboardError('SB_JOB_LEASE_LOST', `${name}'s lease expired while the warehouse did not answer; the run stopped.`));
          });
      }, Math.max(50, Math.floor(leases.ttlMs / 3)));
      timer.unref();
    };
    beat();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  private entry(name: string): Entry {
    const entry = this.jobs.get(name);
    if (entry === undefined) throw new Error(`no job named ${name}`);
    return entry;
  }
}

function truncateToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function errorOf(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' && code.startsWith('SB_') ? code : 'SB_JOB_FAILED', message: (error as Error).message ?? String(error) };
}

/** A lease or history query that failed means the warehouse did not answer: say so in the code callers already handle. */
function unavailable(error: unknown): unknown {
  if (error instanceof SwitchboardError) return error;
  return new SqlError('SB_SQL_UNAVAILABLE', `The warehouse does not answer (${(error as Error).message}); the job's lease could not be taken, so nothing ran.`, { cause: error });
}
