/**
 * POST /sync { names, dryRun?, replayRejected? }: runs the named syncs in their destination
 * lanes (sync/syncer.ts), shared with the scheduled ones. 404 SB_SYNC_UNKNOWN for a name that
 * is not configured (or when no syncs are), 409 SB_SYNC_RUNNING when one of them is already
 * running or queued. Otherwise NDJSON (ndjson-reply.ts): one {sync, progress} line per step,
 * one {sync, result} line per finished run (or {sync, error}), in whatever order they end.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import type { Syncer, SyncRequest } from '../../sync/syncer.js';
import type { JobRunner } from '../jobs/runner.js';
import { syncJob, syncOutcome } from '../jobs/definitions.js';
import { ndjsonReply } from './ndjson-reply.js';

export interface SyncRoutesOptions {
  /** Absent when no syncs are configured: every name is then unknown. */
  syncer?: Syncer | undefined;
  /** A run that sends holds its `sync:<name>` job (one run per sync on every serve process); a dry run sends nothing and does not. */
  jobs: JobRunner;
}

export async function syncRoutes(app: FastifyInstance, options: SyncRoutesOptions): Promise<void> {
  app.post(
    '/sync',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['names'],
          properties: {
            names: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: 1000 },
            dryRun: { type: 'boolean' },
            replayRejected: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const syncer = options.syncer;
      if (syncer === undefined) return reply.code(404).send(errorBody('SB_SYNC_UNKNOWN', 'No syncs are configured (config key syncs).'));
      const body = request.body as { names: string[]; dryRun?: boolean; replayRejected?: boolean };
      const known = new Set(syncer.syncs.map((s) => s.name));
      const unknown = body.names.filter((n) => !known.has(n));
      if (unknown.length > 0) {
        return reply.code(404).send(errorBody('SB_SYNC_UNKNOWN', `No sync is named ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${[...known].join(', ') || 'none'}).`));
      }
      const running = body.names.filter((n) => syncer.isActive(n) || options.jobs.isRunning(syncJob(n)));
      if (running.length > 0) {
        return reply.code(409).send(errorBody('SB_SYNC_RUNNING', `Already running or queued: ${running.join(', ')}; one run per sync at a time.`));
      }
      return ndjsonReply(reply, (line) =>
        Promise.all(
          body.names.map((name) => {
            const request: SyncRequest = { dryRun: body.dryRun === true, replayRejected: body.replayRejected === true, onProgress: (progress) => line({ sync: name, progress }) };
            const run =
              body.dryRun === true
                ? syncer.run(name, request)
                : options.jobs.run(syncJob(name), (ctx) => syncer.run(name, { ...request, signal: ctx.signal }), syncOutcome);
            return run.then(
                (result) => line({ sync: name, result }),
              (error: unknown) => line({ sync: name, ...errorBody(error instanceof SwitchboardError ? error.code : 'SB_SYNC_FAILED', (error as Error).message) }),
            );
          }),
        ),
      );
    },
  );
}
