/**
 * The operator API, on its own listener (admin.host:admin.port, loopback by default) so it
 * is never reachable where 8x8 is. The CLI uses it while `serve` holds the warehouse (an
 * embedded DuckDB file can be opened by one process only).
 *
 *   GET  /rejections?family=&code=&since=&limit=&includeReplayed=
 *   POST /rejections/replay   { ids?, family?, code?, since?, limit?, trust?, dryRun? }
 *   POST /sql                 { query, maxRows? } → { columns, rows, truncated } (rolled back)
 *   GET  /metrics             Prometheus text format
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { errorBody } from './errors.js';
import type { RejectionFilter, Replayer } from './replay.js';
import { readQuery } from './read-query.js';
import type { Warehouse } from '../sql/warehouse.js';
import type { Metrics } from './metrics.js';

export interface AdminAppOptions {
  replayer: Replayer;
  warehouse: Warehouse;
  metrics: Metrics;
  logger: FastifyServerOptions['loggerInstance'];
}

interface ReplayRequest extends RejectionFilter {
  trust?: boolean;
  dryRun?: boolean;
}

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 },
    family: { type: 'string', enum: ['messaging', 'voice', 'contact-center', 'meetings'] },
    code: { type: 'string', pattern: '^SB_[A-Z_]+$' },
    since: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
    includeReplayed: { type: 'boolean' },
    trust: { type: 'boolean' },
    dryRun: { type: 'boolean' },
  },
} as const;

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger });
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send(errorBody(status < 500 ? 'SB_ADMIN_BAD_REQUEST' : 'SB_ADMIN_INTERNAL', error.message));
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  app.get('/rejections', { schema: { querystring: filterSchema } }, async (request) => {
    const query = request.query as ReplayRequest;
    return { rejections: await options.replayer.list(query) };
  });

  app.post('/rejections/replay', { schema: { body: filterSchema } }, async (request) => {
    const { trust, dryRun, ...filter } = (request.body ?? {}) as ReplayRequest;
    const outcomes = await options.replayer.replay(filter, { trust, dryRun });
    return { dryRun: dryRun === true, outcomes };
  });

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
        return await readQuery(options.warehouse, query, maxRows);
      } catch (error) {
        // The engine's own message (syntax, unknown table) is what the analyst needs.
        return reply.code(400).send(errorBody('SB_ADMIN_QUERY_FAILED', (error as Error).message));
      }
    },
  );

  return app;
}
