/**
 * What a job is, to the runner (runner.ts): its definition, the context a run gets, how a
 * run ended, and the one status shape every kind of job shares.
 */
import type { Logger } from 'pino';
import type { SwitchboardError } from '../../core/errors.js';

export type JobKind = 'build' | 'sync' | 'pull' | 'check';
export type JobTrigger = 'schedule' | 'manual';

/** What a run is given. */
export interface JobContext {
  runId: string;
  job: string;
  trigger: JobTrigger;
  /** Fires at the deadline, when the lease is lost, or when the runner stops. */
  signal: AbortSignal;
  /** The fencing token of the lease this run holds. */
  leaseToken: number;
}

/** How a run ended, for the history and the status. */
export interface JobOutcome {
  status: 'success' | 'partial' | 'failed';
  summary: Record<string, unknown> | null;
  error?: { code: string; message: string } | null;
}

export interface JobDefinition<R = unknown> {
  /** Unique: `models`, `sync:<name>`, `pull:<source>`. */
  name: string;
  kind: JobKind;
  /** A node-cron expression, or `off`. */
  schedule: string;
  /** The config key the schedule comes from, named in log lines (e.g. `models.schedule`). */
  scheduleKey: string;
  /** Where its scheduled runs log (component `models`, `sync`, `pull`). */
  logger: Logger;
  /** Its log lines: `<label> skipped: <reason>`, e.g. label `scheduled build`. */
  label: string;
  /** Why a tick is skipped while the job runs in this process, e.g. `another build is running`. */
  busyReason: string;
  /** The line logged when a scheduled run throws, e.g. `scheduled build failed`. */
  failedMessage: string;
  /** How start-up lines name its schedule, e.g. `scheduled model builds`; default `scheduled runs of <name>`. */
  schedulesLabel?: string;
  /** How to run it by hand, named when its schedule is off, e.g. `switchboard build`. */
  command?: string;
  /** What one scheduled tick runs. It logs its own result; a throw is logged by the runner. */
  scheduled(ctx: JobContext): Promise<R>;
  /** The history's and status's view of a result. */
  outcome(result: R): JobOutcome;
  /** The job's own refusal when it already runs (here, or on `where` when another node holds it). */
  busy(where: string | null): SwitchboardError;
  /** Throws when the job cannot run at all (a missing credential): its schedule is then not started, with the error logged. */
  preflight?(): void;
  /** Overrides the runner's deadline for this job. */
  deadlineMs?: number;
}

/** One job in `switchboard status` (GET /status → `jobs`). */
export interface JobStatus {
  job: string;
  kind: JobKind;
  schedule: string;
  /** When the schedule fires next (null when `off` or not started). */
  nextRunAt: string | null;
  /** A run in this process. */
  running: { runId: string; trigger: JobTrigger; startedAt: string } | null;
  /** Another process holding the lease right now (several `serve` nodes on one warehouse). */
  heldBy: { node: string; expiresAt: string } | null;
  /** The last run that finished: in this process, else as `<rawSchema>._job_runs` recorded it (from before a restart, or another node). */
  lastRun: {
    runId: string;
    trigger: JobTrigger;
    /** `abandoned`: its process stopped without finishing it (killed), and another run took the job over. */
    status: JobOutcome['status'] | 'abandoned';
    startedAt: string;
    finishedAt: string;
    seconds: number;
    summary: Record<string, unknown> | null;
    error: { code: string; message: string } | null;
  } | null;
}

/** A run that holds its job (in this process and in the warehouse); end it exactly once. */
export interface ActiveRun {
  readonly ctx: JobContext;
  finish(outcome: JobOutcome): Promise<void>;
  fail(error: unknown): Promise<void>;
}
