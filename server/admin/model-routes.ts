/**
 * POST /build { select?, exclude?, fullRefresh? }, POST /test and POST /seed { select?, exclude? }: run the
 * models project in this process (it holds the warehouse), one run at a time, scheduled builds
 * included: both take the `models` job (server/jobs), so no other serve process builds meanwhile.
 *
 * They answer `application/x-ndjson` (ndjson-reply.ts): one ProgressEvent per line as each
 * model or test starts and ends, then one RunResults line (it has `runId`), or
 * `{"error":{code,message}}` if the run broke off. Blank lines are keep-alives. What can be
 * checked before anything runs is answered with a plain error instead: 409
 * SB_MODEL_BUILD_RUNNING, 400 SB_MODEL_SELECTOR or SB_MODEL_NOTHING_SELECTED, 422 for a broken models project, 503
 * SB_SQL_UNAVAILABLE. A client that disconnects does not stop the run.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import type { ModelBuilds, PreparedRun, RunRequest } from '../model-builds.js';
import type { ActiveRun, JobRunner } from '../jobs/runner.js';
import { buildOutcome, MODELS_JOB } from '../jobs/definitions.js';
import { ndjsonReply } from './ndjson-reply.js';

export interface ModelRoutesOptions {
  /** Runs `build`, `test` and `seed` (shared with the scheduled builds). */
  builds: ModelBuilds;
  /** Holds the `models` job for the run: one build at a time, on every serve process. */
  jobs: JobRunner;
}

export async function modelRoutes(app: FastifyInstance, options: ModelRoutesOptions): Promise<void> {
  for (const command of ['build', 'test', 'seed'] as const) {
    const properties = {
      select: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
      exclude: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
      ...(command === 'build' ? { fullRefresh: { type: 'boolean' } } : {}),
    };
    const schema = { body: { type: 'object', additionalProperties: false, properties } };
    // A bare `curl -X POST …/build` (no body) means "everything, as configured".
    const preValidation = async (request: { body: unknown }) => void (request.body ??= {});
    app.post(`/${command}`, { schema, preValidation }, async (request, reply) => {
      let job: ActiveRun;
      try {
        job = await options.jobs.claim(MODELS_JOB);
      } catch (error) {
        if (!(error instanceof SwitchboardError)) throw error;
        return reply.code(prepareStatus(error.code)).send(errorBody(error.code, error.message));
      }
      let run: PreparedRun;
      try {
        run = await options.builds.prepare(command, (request.body ?? {}) as RunRequest);
      } catch (error) {
        await job.fail(error);
        if (!(error instanceof SwitchboardError)) throw error;
        return reply.code(prepareStatus(error.code)).send(errorBody(error.code, error.message));
      }
      return ndjsonReply(reply, (line) =>
        run.execute(line, job.ctx.signal).then(
          async (results) => {
            await job.finish(buildOutcome(results));
            line(results);
          },
          async (error: unknown) => {
            await job.fail(error);
            request.log.error({ err: error }, `${command} broke off`);
            const code = error instanceof SwitchboardError ? error.code : 'SB_ADMIN_INTERNAL';
            line(errorBody(code, (error as Error).message));
          },
        ),
      );
    });
  }
}

function prepareStatus(code: string): number {
  if (code === 'SB_MODEL_BUILD_RUNNING') return 409;
  if (code === 'SB_MODEL_SELECTOR' || code === 'SB_MODEL_NOTHING_SELECTED') return 400;
  if (code === 'SB_SQL_UNAVAILABLE') return 503;
  return 422; // the models project itself does not load
}
