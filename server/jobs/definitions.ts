/**
 * The jobs `serve` runs: one `models` job (scheduled builds; manual builds and tests take
 * the same job), one `sync:<name>` per configured sync, one `pull:<source>` per configured
 * pull source, `drift` (schema drift, when drift.enabled) and `freshness` (source freshness). Each says how a scheduled run goes and what it logs; the runner (runner.ts)
 * does the rest.
 *
 * Log lines of a scheduled build (pino, component `models`): one per finished model, one
 * per data test that did not pass, and one summary, e.g.
 *   {"level":30,"node":"model.calls","status":"success","rows":12,…,"msg":"incremental model analytics.calls: success (12 rows in 0.31s)"}
 *   {"level":30,"runId":"…","pass":41,"error":1,"skip":0,"total":42,…,"msg":"scheduled build finished: PASS=41 WARN=0 ERROR=1 SKIP=0 TOTAL=42 in 3.2s"}
 */
import type { Logger } from 'pino';
import { ModelError } from '../../sql/engine/errors.js';
import type { ProgressEvent, RunResults } from '../../sql/engine/run.js';
import { SwitchboardError } from '../../core/errors.js';
import { SyncError } from '../../sync/errors.js';
import type { Syncer } from '../../sync/syncer.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import type { Puller } from '../../ingest/pulls/puller.js';
import type { PullRunResult } from '../../ingest/pulls/runner.js';
import type { DriftRunResult, SchemaDrift } from '../../ingest/drift/schema-drift.js';
import { runCounts, type ModelBuilds } from '../model-builds.js';
import { freshnessCounts, type SourceFreshnessChecks } from '../source-freshness.js';
import type { FreshnessResults } from '../../sql/engine/freshness.js';
import type { JobDefinition, JobOutcome } from './runner.js';

export const MODELS_JOB = 'models';
export const syncJob = (name: string): string => `sync:${name}`;
export const pullJob = (source: string): string => `pull:${source}`;

/** The view of a build's (or test run's) results that the history and status keep. */
export function buildOutcome(results: RunResults): JobOutcome {
  const counts = runCounts(results);
  return {
    status: results.success ? 'success' : counts.pass > 0 ? 'partial' : 'failed',
    summary: { command: results.command, modelsRunId: results.runId, ...counts },
  };
}

export function modelsJob(options: {
  builds: ModelBuilds;
  schedule: string;
  logger: Logger;
  /** Runs after each scheduled build that finished (the missed-webhook check); must not throw. */
  afterBuild?: (results: RunResults) => Promise<unknown>;
}): JobDefinition<RunResults> {
  const { builds, logger } = options;
  return {
    name: MODELS_JOB,
    kind: 'build',
    schedule: options.schedule,
    scheduleKey: 'models.schedule',
    logger,
    label: 'scheduled build',
    busyReason: 'another build is running',
    failedMessage: 'scheduled build failed',
    schedulesLabel: 'scheduled model builds',
    command: 'switchboard build',
    async scheduled(ctx) {
      const run = await builds.prepare('build');
      const results = await run.execute((event) => logProgress(logger, event), ctx.signal);
      const counts = runCounts(results);
      logger.info(
        { runId: results.runId, success: results.success, ...counts, seconds: results.seconds },
        `scheduled build finished: PASS=${counts.pass} WARN=${counts.warn} ERROR=${counts.error} SKIP=${counts.skip} TOTAL=${counts.total} in ${results.seconds}s`,
      );
      await options.afterBuild?.(results);
      return results;
    },
    outcome: buildOutcome,
    busy: (where) =>
      new ModelError(
        'SB_MODEL_BUILD_RUNNING',
        where === null
          ? 'A build is already running in this server (scheduled or manual); one runs at a time. Wait for it to finish and retry.'
          : `A build is already running on ${where} (another serve process on this warehouse); one runs at a time. Wait for it to finish and retry.`,
      ),
  };
}

export function syncOutcome(result: SyncRunResult): JobOutcome {
  return {
    status: result.status,
    summary: { syncRunId: result.runId, planned: result.planned, sent: result.sent, rejected: result.rejected, retrying: result.retrying },
    error: result.error,
  };
}

export function syncJobFor(syncer: Syncer, sync: { name: string; schedule: string }, logger: Logger): JobDefinition<SyncRunResult> {
  const { name } = sync;
  return {
    name: syncJob(name),
    kind: 'sync',
    schedule: sync.schedule,
    scheduleKey: `syncs[${name}].schedule`,
    logger,
    label: `scheduled sync ${name}`,
    busyReason: 'the previous run is still going',
    failedMessage: `scheduled sync ${name} failed`,
    schedulesLabel: `scheduled syncs of ${name}`,
    command: `switchboard sync ${name}`,
    async scheduled(ctx) {
      const result = await syncer.run(name, { signal: ctx.signal });
      const level = result.status === 'success' ? 'info' : result.status === 'partial' ? 'warn' : 'error';
      logger[level](
        { sync: name, runId: result.runId, status: result.status, planned: result.planned, sent: result.sent, rejected: result.rejected, retrying: result.retrying, error: result.error },
        `sync ${name}: ${result.status}: sent ${result.sent}, rejected ${result.rejected}, retrying ${result.retrying}${result.error === null ? '' : ` (${result.error.code}: ${result.error.message})`}`,
      );
      return result;
    },
    outcome: syncOutcome,
    busy: (where) =>
      new SyncError('SB_SYNC_RUNNING', where === null ? `Sync ${name} is already running or queued; one run at a time.` : `Sync ${name} is already running on ${where} (another serve process on this warehouse); one run at a time.`),
  };
}

export function pullOutcome(result: PullRunResult): JobOutcome {
  return {
    status: result.status === 'failed' ? 'failed' : 'success',
    summary: { pullRunId: result.runId, from: result.from, to: result.to, pages: result.pages, landed: result.landed },
  };
}

export function pullJobFor(puller: Puller, source: Puller['sources'][number], logger: Logger): JobDefinition<PullRunResult> {
  const { name } = source;
  const log = logger.child({ source: name });
  return {
    name: pullJob(name),
    kind: 'pull',
    schedule: source.schedule,
    scheduleKey: `${source.configKey}.schedule`,
    logger: log,
    label: `scheduled pull of ${name}`,
    busyReason: 'the previous one is still running',
    failedMessage: `scheduled pull of ${name} failed; the next tick resumes where it stopped`,
    schedulesLabel: `scheduled pulls of ${name}`,
    command: `switchboard pull ${name}`,
    preflight: () => void source.create(), // credentials present? Say so at start, not at the first tick.
    async scheduled(ctx) {
      const result = await puller.run(name, {
        signal: ctx.signal,
        onProgress: (event) => {
          if (event.phase === 'skipped') log.warn({ reason: event.skipped.reason }, event.skipped.message);
          if (event.phase === 'waiting') log.info({ step: event.progress.step }, event.note);
        },
      });
      log.info(
        { runId: result.runId, from: result.from, to: result.to, pages: result.pages, landed: result.landed, resumed: result.resumed, seconds: result.seconds },
        `scheduled pull of ${name}: ${result.status}, ${result.landed} records in ${result.pages} pages (${result.from} … ${result.to})`,
      );
      for (const note of result.notes) log.warn({ code: note.code, runId: result.runId }, note.message);
      return result;
    },
    outcome: pullOutcome,
    busy: (where) =>
      new SwitchboardError(
        'SB_PULL_RUNNING',
        where === null ? `A pull of ${name} is already running; one run per source at a time (switchboard status shows it).` : `A pull of ${name} is already running on ${where} (another serve process on this warehouse); one run per source at a time.`,
      ),
  };
}

export const DRIFT_JOB = 'drift';

export function driftOutcome(result: DriftRunResult): JobOutcome {
  return { status: 'success', summary: { rows: result.rows, learned: result.learned, found: result.found, ignoredPaths: result.ignoredPaths } };
}

/** `drift`: learns the paths of what landed since the last run and records schema drift (ingest/drift/). */
export function driftJobFor(drift: SchemaDrift, schedule: string, logger: Logger): JobDefinition<DriftRunResult> {
  return {
    name: DRIFT_JOB,
    kind: 'check',
    schedule,
    scheduleKey: 'drift.schedule',
    logger,
    label: 'schema drift check',
    busyReason: 'the previous one is still running',
    failedMessage: 'schema drift check failed; the next run reads the same rows again',
    schedulesLabel: 'schema drift checks',
    async scheduled(ctx) {
      const result = await drift.run(ctx.signal);
      const found = Object.entries(result.found);
      const fields = { rows: result.rows, learned: result.learned, found: result.found, seconds: result.seconds };
      if (found.length > 0) logger.warn(fields, `schema drift: ${found.map(([kind, n]) => `${n} ${kind}`).join(', ')} (GET /drift)`);
      else logger.debug(fields, `schema drift check: ${result.learned} events learned, no drift`);
      if (result.ignoredPaths > 0) logger.warn({ ignoredPaths: result.ignoredPaths }, `schema drift: ${result.ignoredPaths} new paths not learned: an event type holds more paths than drift learns (5000)`);
      return result;
    },
    outcome: driftOutcome,
    busy: (where) =>
      new SwitchboardError('SB_DRIFT_RUNNING', where === null ? 'A schema drift check is already running; one at a time.' : `A schema drift check is already running on ${where} (another serve process on this warehouse); one at a time.`),
  };
}

export const FRESHNESS_JOB = 'freshness';

export function freshnessOutcome(results: FreshnessResults): JobOutcome {
  // The check ran: stale tables are its findings (status, the staleSources alert), not a failure of the job.
  return { status: 'success', summary: { checkId: results.checkId, ...freshnessCounts(results) } };
}

/** `freshness`: `switchboard source freshness` on models.freshnessSchedule; manual checks take the same job. */
export function freshnessJobFor(checks: SourceFreshnessChecks, schedule: string, logger: Logger): JobDefinition<FreshnessResults> {
  return {
    name: FRESHNESS_JOB,
    kind: 'check',
    schedule,
    scheduleKey: 'models.freshnessSchedule',
    logger,
    label: 'source freshness check',
    busyReason: 'the previous one is still running',
    failedMessage: 'source freshness check failed',
    schedulesLabel: 'source freshness checks',
    command: 'switchboard source freshness',
    async scheduled(ctx) {
      const results = await checks.run({}, undefined, ctx.signal);
      const c = freshnessCounts(results);
      const bad = results.results.filter((r) => r.status !== 'pass');
      const fields = { checkId: results.checkId, ...c, seconds: results.seconds };
      const line = `source freshness: PASS=${c.pass} WARN=${c.warn} ERROR=${c.error + c.runtimeError} TOTAL=${c.total}`;
      if (c.error + c.runtimeError > 0) logger.warn({ ...fields, stale: bad.map((r) => `${r.source}.${r.table}: ${r.status}`) }, `${line}; ${bad.map((r) => r.message).join('; ')}`);
      else logger.info(fields, line);
      return results;
    },
    outcome: freshnessOutcome,
    busy: (where) =>
      new ModelError(
        'SB_MODEL_FRESHNESS_RUNNING',
        where === null ? 'A source freshness check is already running; one at a time. Wait a moment and retry.' : `A source freshness check is already running on ${where} (another serve process on this warehouse); one at a time.`,
      ),
  };
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
