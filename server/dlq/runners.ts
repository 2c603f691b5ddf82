/**
 * How a replay runs syncs and pulls: holding their job, as every other run does, so that a
 * replay never overlaps the scheduled run of the same sync or source (on any serve node).
 * In serve, through its job runner (as POST /sync and POST /pull); without serve (the CLI),
 * under the job's lease (jobs/standalone.ts). A sync's dry run sends nothing and holds no job.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../../core/config-schema.js';
import type { Puller } from '../../ingest/pulls/puller.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { Syncer } from '../../sync/syncer.js';
import { pullJob, pullJobFor, pullOutcome, syncJob, syncJobFor, syncOutcome } from '../jobs/definitions.js';
import type { JobRunner } from '../jobs/runner.js';
import { runAsJob } from '../jobs/standalone.js';
import type { PullReplayRunner } from './pull-letters.js';
import type { SyncReplayRunner } from './sync-letters.js';

/** Replays inside serve: through its job runner. */
export function serveRunners(syncer: Syncer, puller: Puller, jobs: JobRunner): { syncs: SyncReplayRunner; pulls: PullReplayRunner } {
  return {
    syncs: {
      names: syncer.syncs.map((s) => s.name),
      run: (name, request) =>
        request.dryRun === true ? syncer.run(name, request) : jobs.run(syncJob(name), (ctx) => syncer.run(name, { ...request, signal: ctx.signal }), syncOutcome),
    },
    pulls: {
      sources: puller.sources.map((s) => s.name),
      run: (source, request) => jobs.run(pullJob(source), (ctx) => puller.run(source, { ...request, signal: ctx.signal }), pullOutcome),
    },
  };
}

/** Replays without serve: each run under its job's lease in the warehouse. */
export function standaloneRunners(warehouse: Warehouse, file: ConfigFile, syncer: Syncer, puller: Puller, logger: Logger): { syncs: SyncReplayRunner; pulls: PullReplayRunner } {
  return {
    syncs: {
      names: syncer.syncs.map((s) => s.name),
      run: (name, request) => {
        const sync = syncer.syncs.find((s) => s.name === name);
        if (sync === undefined || request.dryRun === true) return syncer.run(name, request);
        return runAsJob(warehouse, file, syncJobFor(syncer, sync, logger), (ctx) => syncer.run(name, { ...request, signal: ctx.signal }), logger);
      },
    },
    pulls: {
      sources: puller.sources.map((s) => s.name),
      run: (name, request) => {
        const source = puller.sources.find((s) => s.name === name);
        if (source === undefined) return puller.run(name, request);
        return runAsJob(warehouse, file, pullJobFor(puller, source, logger), (ctx) => puller.run(name, { ...request, signal: ctx.signal }), logger);
      },
    },
  };
}
