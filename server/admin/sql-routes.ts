/**
 * POST /sql { query, maxRows? } → { columns, rows, truncated }: an ad-hoc query for
 * `switchboard sql`, read-only by construction (ingest/read-query.ts), limited to the raw
 * schema, models.schema and the syncs' state, cancelled after admin.sqlTimeoutMs. A query that fails is 400
 * with its error's code (SB_ADMIN_QUERY_FAILED when it has none) and the engine's message;
 * 503 when the warehouse or its read-only reader is unavailable.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import { readQuery } from '../../ingest/read-query.js';
import type { Warehouse } from '../../sql/warehouse.js';

export interface SqlRoutesOptions {
  warehouse: Warehouse;
  /** The schemas POST /sql may read: the raw schema, models.schema and the syncs' state (`switchboard_sync`). */
  readableSchemas: readonly string[];
  /** The query's deadline (admin.sqlTimeoutMs). */
  sqlTimeoutMs: number;
}

export async function sqlRoutes(app: FastifyInstance, options: SqlRoutesOptions): Promise<void> {
  app.post(
    '/sql',
    {
      schema: {
        body: {
          type: 'object',
          required: ['query'],
          additionalProperties: false,
          properties: { query: { type: 'string', minLength: 1 }, maxRows: { type: 'integer', minimum: 1, maximum: 100_000 } },
        },
      },
    },
    async (request, reply) => {
      const { query, maxRows } = request.body as { query: string; maxRows?: number };
      try {
        return await readQuery(options.warehouse, query, { maxRows, timeoutMs: options.sqlTimeoutMs, schemas: options.readableSchemas });
      } catch (error) {
        const code = error instanceof SwitchboardError ? error.code : 'SB_ADMIN_QUERY_FAILED';
        const status = code === 'SB_SQL_READER_UNAVAILABLE' || code === 'SB_SQL_UNAVAILABLE' ? 503 : 400;
        // The engine's own message (syntax, unknown table, permission) is what the analyst needs.
        return reply.code(status).send(errorBody(code, (error as Error).message));
      }
    },
  );
}
