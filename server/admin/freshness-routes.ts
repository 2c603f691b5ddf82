/**
 * POST /source-freshness { select? }: `switchboard source freshness` in this process (it holds
 * the warehouse), holding the `freshness` job as the scheduled checks do, so no two overlap on
 * any serve process.
 *
 * It answers `application/x-ndjson` (ndjson-reply.ts): one `{ result, index, total }` line per
 * source table as it is checked, then one FreshnessResults line (it has `checkId`), or
 * `{"error":{code,message}}` if the check broke off. What can be refused before anything runs
 * is a plain error: 409 SB_MODEL_FRESHNESS_RUNNING, 400 SB_MODEL_SELECTOR, 422 SB_MODEL_SOURCES
 * (the declarations or models.freshness), 503 SB_SQL_UNAVAILABLE. A client that disconnects
 * does not stop the check.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import type { ActiveRun, JobRunner } from '../jobs/runner.js';
import { FRESHNESS_JOB, freshnessOutcome } from '../jobs/definitions.js';
import type { FreshnessRequest, PreparedFreshness, SourceFreshnessChecks } from '../source-freshness.js';
import { ndjsonReply } from './ndjson-reply.js';

export interface FreshnessRoutesOptions {
  checks: SourceFreshnessChecks;
  jobs: JobRunner;
}

export async function freshnessRoutes(app: FastifyInstance, options: FreshnessRoutesOptions): Promise<void> {
  const schema = {
    body: { type: 'object', additionalProperties: false, properties: { select: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 } } },
  };
  // A bare `curl -X POST …/source-freshness` (no body) checks every declared table.
  const preValidation = async (request: { body: unknown }) => void (request.body ??= {});
  app.post('/source-freshness', { schema, preValidation }, async (request, reply) => {
    let job: ActiveRun;
    try {
      job = await options.jobs.claim(FRESHNESS_JOB);
    } catch (error) {
      if (!(error instanceof SwitchboardError)) throw error;
      return reply.code(statusOf(error.code)).send(errorBody(error.code, error.message));
    }
    let check: PreparedFreshness;
    try {
      check = await options.checks.prepare((request.body ?? {}) as FreshnessRequest);
    } catch (error) {
      await job.fail(error);
      if (!(error instanceof SwitchboardError)) throw error;
      return reply.code(statusOf(error.code)).send(errorBody(error.code, error.message));
    }
    return ndjsonReply(reply, (line) =>
      check.execute((result, index, total) => line({ result, index, total }), job.ctx.signal).then(
        async (results) => {
          await job.finish(freshnessOutcome(results));
          line(results);
        },
        async (error: unknown) => {
          await job.fail(error);
          request.log.error({ err: error }, 'source freshness broke off');
          line(errorBody(error instanceof SwitchboardError ? error.code : 'SB_ADMIN_INTERNAL', (error as Error).message));
        },
      ),
    );
  });
}

function statusOf(code: string): number {
  if (code === 'SB_MODEL_FRESHNESS_RUNNING') return 409;
  if (code === 'SB_MODEL_SELECTOR') return 400;
  if (code === 'SB_SQL_UNAVAILABLE') return 503;
  return 422; // the declarations do not load
}
