/**
 * GET /rejections?family=&code=&since=&limit=&includeReplayed=: recorded rejections and
 * quarantined records, `{ rejections, quarantined }`.
 * POST /rejections/replay { ids?, family?, code?, since?, limit?, trust?, dryRun? }: sends them
 * through verify/classify/accept again with the current config (ingest/replay.ts),
 * `{ dryRun, outcomes }`.
 */
import type { FastifyInstance } from 'fastify';
import type { RejectionFilter, Replayer } from '../../ingest/replay.js';

export interface RejectionRoutesOptions {
  replayer: Replayer;
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

export async function rejectionRoutes(app: FastifyInstance, options: RejectionRoutesOptions): Promise<void> {
  app.get('/rejections', { schema: { querystring: filterSchema } }, async (request) => {
    const query = request.query as ReplayRequest;
    return { rejections: await options.replayer.list(query), quarantined: await options.replayer.listQuarantined(query) };
  });

  app.post('/rejections/replay', { schema: { body: filterSchema } }, async (request) => {
    const { trust, dryRun, ...filter } = (request.body ?? {}) as ReplayRequest;
    const outcomes = await options.replayer.replay(filter, { trust, dryRun });
    return { dryRun: dryRun === true, outcomes };
  });
}
