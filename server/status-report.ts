/**
 * What the operator API's GET /status answers (`switchboard status`): the landing health
 * that the public /readyz sums up in one word, what each family has landed, and the jobs.
 * `jobs` is the one shape every job kind shares (server/jobs/runner.ts); `models`, `syncs`
 * and `pulls` are the per-kind views, with what only that kind records.
 *
 * This process knows its own runs; the last runs from before a restart (or on another node)
 * come from the control tables (status-history.ts), so the report reads the same after a
 * restart. When the warehouse does not answer, the report is this process's view alone, and
 * `historyError` says why (status-reporter.ts puts the two together).
 */
import type { HealthReport } from '../ingest/app.js';
import type { PullStatus } from '../ingest/pulls/puller.js';
import type { LastRun } from './model-builds.js';
import type { JobStatus } from './jobs/runner.js';
import type { LatestFreshness } from '../sql/engine/freshness-results.js';

/** One webhook family, all time (from its raw table and the rejections table). */
export interface FamilyLanding {
  /** e.g. `voice` */
  family: string;
  /** Its raw table in the raw schema, e.g. `voice_events`. */
  table: string;
  /** Events landed (one per dedupe key). */
  events: number;
  /** The latest delivery of any of them, e.g. `2025-03-04T09:15:27.412Z`; null before the first. */
  lastReceivedAt: string | null;
  /** Deliveries refused (signature, auth, malformed…), summary rows counted by their occurrences. */
  rejections: number;
  lastRejectedAt: string | null;
}

/** One configured sync. */
export interface SyncStatus {
  sync: string;
  destination: string;
  schedule: string;
  /** Running or queued in this process. */
  running: boolean;
  /** Its last run that sent (dry runs left out), from `switchboard_sync.runs`; null before the first. */
  lastRun: {
    runId: string;
    /** success | partial (records refused or still retrying) | failed (the run stopped) */
    status: 'success' | 'partial' | 'failed';
    startedAt: string;
    finishedAt: string;
    planned: number;
    sent: number;
    rejected: number;
    retrying: number;
    skipped: number;
    /** What stopped (or deferred) the run, e.g. `{ code: 'SB_SYNC_SLACK_SECRET_MISSING', message: '…' }`. */
    error: { code: string; message: string } | null;
  } | null;
  /** Records the destination refused that wait for a change or --replay-rejected, by code, most first, with one reason each. */
  refused: Array<{ code: string | null; records: number; reason: string | null }>;
}

export interface StatusReport extends HealthReport {
  /** This process, as job leases and the run history name it, e.g. `web-1:4026531836:4242:9f3a1c`. */
  node: string;
  /** Each served family, all time; null when the warehouse could not be read (see historyError). */
  landing: FamilyLanding[] | null;
  /** Model builds: whether one runs now, and how the last one ended (here, else as recorded). */
  models: { running: boolean; schedule: string; lastRun: LastRun | null };
  /** Each configured sync: its last run and what its destination refused. */
  syncs: SyncStatus[];
  /** Each configured pull source: its schedule, whether it runs now, and its last run (here, else as recorded). */
  pulls: PullStatus[];
  /**
   * Each checked source table's latest freshness (`switchboard source freshness`), worst first;
   * empty before the first check, null when the warehouse could not be read.
   */
  sourceFreshness: LatestFreshness[] | null;
  /** Every job: its schedule and next tick, a run here or a lease held by another node, and its last run. */
  jobs: JobStatus[];
  /**
   * The config this server loaded at start: its file (null: the built-in defaults) and
   * fingerprint (core/config.ts), which the CLI compares with the config it reads.
   */
  config: { source: string | null; fingerprint: string };
  /** Why the control tables could not be read (then the last runs are this process's only); null when they were. */
  historyError: string | null;
}

/** What this process knows by itself, in memory: the report before the history completes it. */
export type LiveStatus = Omit<StatusReport, 'landing' | 'sourceFreshness' | 'historyError'>;
