/**
 * What the operator API's GET /status answers (`switchboard status`): the landing health
 * that the public /readyz sums up in one word, plus the jobs. `jobs` is the one shape every
 * job kind shares (server/jobs/runner.ts); `models` and `pulls` are the older per-kind views,
 * kept for scripts that read them.
 */
import type { HealthReport } from '../ingest/app.js';
import type { PullStatus } from '../ingest/pulls/puller.js';
import type { LastRun } from './model-builds.js';
import type { JobStatus } from './jobs/runner.js';

export interface StatusReport extends HealthReport {
  /** Model builds: whether one runs now, and how the last one ended (in this process). */
  models: { running: boolean; schedule: string; lastRun: LastRun | null };
  /** Each configured pull source: its schedule, whether it runs now, and its last run in this process. */
  pulls: PullStatus[];
  /** Every job: its schedule and next tick, a run here or a lease held by another node, and its last run. */
  jobs: JobStatus[];
  /**
   * The config this server loaded at start: its file (null: the built-in defaults) and
   * fingerprint (core/config.ts), which the CLI compares with the config it reads.
   */
  config: { source: string | null; fingerprint: string };
}
