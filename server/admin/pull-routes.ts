/**
 * POST /pull { source, from?, to?, restart? }: runs one pull of a configured source
 * (ingest/pulls/puller.ts), shared with the scheduled pulls: with neither from nor to, the
 * scheduled (incremental) pull; with from, a backfill from `from` to `to` (default: now).
 * 404 SB_PULL_UNKNOWN for a source that is not configured (or when no pulls are), 400
 * SB_PULL_RANGE for to without from, 409 SB_PULL_RUNNING when that source is already pulling.
 * Otherwise NDJSON (ndjson-reply.ts): one {event} line per progress event, then {result} or
 * `{"error":{code,message}}`.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import type { Puller } from '../../ingest/pulls/puller.js';
import type { JobRunner } from '../jobs/runner.js';
import { pullJob, pullOutcome } from '../jobs/definitions.js';
import { ndjsonReply } from './ndjson-reply.js';

export interface PullRoutesOptions {
  /** Absent when no pulls are configured: every source is then unknown. */
  puller?: Puller | undefined;
  /** Each run holds its `pull:<source>` job: one run per source on every serve process. */
  jobs: JobRunner;
}

export async function pullRoutes(app: FastifyInstance, options: PullRoutesOptions): Promise<void> {
  app.post(
    '/pull',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['source'],
          properties: {
            source: { type: 'string', minLength: 1 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            restart: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const puller = options.puller;
      const body = request.body as { source: string; from?: string; to?: string; restart?: boolean };
      const known = puller?.sources.map((s) => s.name) ?? [];
      if (puller === undefined || !known.includes(body.source)) {
        return reply.code(404).send(errorBody('SB_PULL_UNKNOWN', `No pull source "${body.source}" is configured (configured: ${known.join(', ') || 'none'}; config keys pulls.*).`));
      }
      if (body.from === undefined && body.to !== undefined) {
        return reply.code(400).send(errorBody('SB_PULL_RANGE', 'to needs from: give the start of the backfill (from alone runs to now), or neither for the scheduled (incremental) pull.'));
      }
      if (puller.isActive(body.source) || options.jobs.isRunning(pullJob(body.source))) {
        return reply.code(409).send(errorBody('SB_PULL_RUNNING', `A pull of ${body.source} is already running; one run per source at a time.`));
      }
      const range = body.from === undefined ? undefined : { from: new Date(body.from), to: body.to === undefined ? new Date() : new Date(body.to) };
      const openEnded = body.from !== undefined && body.to === undefined;
      return ndjsonReply(reply, (line) =>
        options.jobs
          .run(
            pullJob(body.source),
            (ctx) => puller.run(body.source, { ...(range === undefined ? {} : { range }), restart: body.restart === true, openEnded, onProgress: (event) => line({ event }), signal: ctx.signal }),
            pullOutcome,
          )
          .then(
            (result) => line({ result }),
            (error: unknown) => line(errorBody(error instanceof SwitchboardError ? error.code : 'SB_PULL_FAILED', (error as Error).message)),
          ),
      );
    },
  );
}
