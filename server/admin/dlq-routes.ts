/**
 * Dead letters (server/dlq/): what did not go through, from landing, the quarantine, syncs
 * and pulls.
 *
 * GET  /dlq?source=&pipeline=&reason=&code=&since=&until=&limit=   (role read)
 *      → { entries: DeadLetter[] }, newest first
 * GET  /dlq/:id                                                    (role read)
 *      → { entry, detail }; 404 SB_DLQ_NOT_FOUND, 400 SB_DLQ_BAD_ID
 * POST /dlq/replay { ids?, source?, pipeline?, reason?, code?, since?, until?, limit?, all?, trust?, dryRun? }   (role operate)
 *      → { dryRun, outcomes: { id, status, message, code? }[] }; 400 SB_DLQ_REPLAY_UNSCOPED when it
 *      names nothing and `all` is not true. With `Accept: application/x-ndjson` (the CLI), the
 *      answer streams: one {outcome} line each as it is known, then {dryRun, outcomes}, or
 *      {error} (ndjson-reply.ts; a re-pull can outlast a client's idle timeout).
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import { DEAD_LETTER_SOURCES, type DeadLetterFilter } from '../dlq/dead-letter.js';
import { MAX_DEAD_LETTERS, type DeadLetters, type ReplayScope } from '../dlq/dead-letters.js';
import { ndjsonReply } from './ndjson-reply.js';

export interface DlqRoutesOptions {
  deadLetters: DeadLetters;
}

const filterProperties = {
  source: { type: 'string', enum: [...DEAD_LETTER_SOURCES] },
  pipeline: { type: 'string', minLength: 1, maxLength: 200 },
  reason: { type: 'string', minLength: 1, maxLength: 500 },
  code: { type: 'string', minLength: 1, maxLength: 200 },
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
  limit: { type: 'integer', minimum: 1, maximum: MAX_DEAD_LETTERS },
} as const;

interface ReplayBody extends ReplayScope {
  trust?: boolean;
  dryRun?: boolean;
}

export async function dlqRoutes(app: FastifyInstance, options: DlqRoutesOptions): Promise<void> {
  const { deadLetters } = options;
  /** Our own refusals (a bad id, an unscoped replay) are 400s with their code. */
  const refused = (error: unknown): { error: { code: string; message: string } } | null =>
    error instanceof SwitchboardError && error.code.startsWith('SB_DLQ_') ? errorBody(error.code, error.message) : null;

  app.get('/dlq', { schema: { querystring: { type: 'object', additionalProperties: false, properties: filterProperties } } }, async (request) => {
    return { entries: await deadLetters.list(request.query as DeadLetterFilter) };
  });

  app.get('/dlq/:id', { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 2000 } } } } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    try {
      const found = await deadLetters.show(id);
      if (found === null) {
        return reply.code(404).send(errorBody('SB_DLQ_NOT_FOUND', `No dead letter ${id}: it was replayed or resolved already, or the id is mistyped (switchboard dlq list shows what is left).`));
      }
      return found;
    } catch (error) {
      const body = refused(error);
      if (body === null) throw error;
      return reply.code(400).send(body);
    }
  });

  app.post(
    '/dlq/replay',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterProperties,
            ids: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2000 }, maxItems: MAX_DEAD_LETTERS },
            all: { type: 'boolean' },
            trust: { type: 'boolean' },
            dryRun: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const { trust, dryRun, ...scope } = (request.body ?? {}) as ReplayBody;
      const replayOptions = { trust: trust === true, dryRun: dryRun === true };
      if (/application\/x-ndjson/.test(request.headers.accept ?? '')) {
        // Refusals that need no run are answered before the stream starts, as plain JSON.
        try {
          deadLetters.checkScope(scope);
        } catch (error) {
          const body = refused(error);
          if (body === null) throw error;
          return reply.code(400).send(body);
        }
        return ndjsonReply(reply, (line) =>
          deadLetters.replay(scope, replayOptions, (outcome) => line({ outcome })).then(
            (outcomes) => line({ dryRun: replayOptions.dryRun, outcomes }),
            (error: unknown) => line(errorBody(error instanceof SwitchboardError ? error.code : 'SB_ADMIN_INTERNAL', (error as Error).message)),
          ),
        );
      }
      try {
        return { dryRun: replayOptions.dryRun, outcomes: await deadLetters.replay(scope, replayOptions) };
      } catch (error) {
        const body = refused(error);
        if (body === null) throw error;
        return reply.code(400).send(body);
      }
    },
  );
}
