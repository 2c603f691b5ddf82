/**
 * GET /drift?since=&family=&kind=&limit=: rows of `<models.schema>.schema_drift` seen since
 * `since` (by `last_seen_at`), newest first, `{ drift }` (ingest/drift/, README ›
 * Observability › Schema drift). Role read.
 */
import type { FastifyInstance } from 'fastify';
import type { DriftRow } from '../../ingest/drift/store.js';
import { DRIFT_KINDS } from '../../ingest/drift/tables.js';

export interface DriftRoutesOptions {
  /** Reads the drift rows (ingest/drift/store.ts listDrift over the server's warehouse). */
  list(filter: { since?: Date; family?: string; kind?: string; limit?: number }): Promise<DriftRow[]>;
}

interface DriftQuery {
  since?: string;
  family?: string;
  kind?: string;
  limit?: number;
}

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', format: 'date-time' },
    family: { type: 'string', minLength: 1, maxLength: 100 },
    kind: { type: 'string', enum: DRIFT_KINDS },
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
  },
} as const;

export async function driftRoutes(app: FastifyInstance, options: DriftRoutesOptions): Promise<void> {
  app.get('/drift', { schema: { querystring: querySchema } }, async (request) => {
    const { since, family, kind, limit } = request.query as DriftQuery;
    const drift = await options.list({
      ...(since === undefined ? {} : { since: new Date(since) }),
      ...(family === undefined ? {} : { family }),
      ...(kind === undefined ? {} : { kind }),
      ...(limit === undefined ? {} : { limit }),
    });
    return { drift };
  });
}
