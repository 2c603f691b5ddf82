/**
 * GET /signals?since=&until=&bucket=&pipeline=: the signals per minute (server/signals) in a
 * window, `{ throughput, latency, backlog, ratios }`, rows as in the `sb_signal_*` tables with
 * `minute` as ISO text. Role read.
 *
 * `since` defaults to an hour before `until`, `until` to now. `bucket` (`minute`, the default;
 * `hour`; `day`) sums the minutes up in the warehouse, for long windows. `pipeline` keeps one
 * family, model, sync or pull source (throughput and latency; the backlog is global).
 */
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../../ingest/errors.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { readSignals, type SignalBucket } from '../signals/read.js';

export interface SignalRoutesOptions {
  warehouse: Warehouse;
  /** Where the tables are: models.schema. */
  schema: string;
}

interface SignalsQuery {
  since?: string;
  until?: string;
  bucket?: SignalBucket;
  pipeline?: string;
}

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
    bucket: { type: 'string', enum: ['minute', 'hour', 'day'] },
    pipeline: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const HOUR_MS = 3_600_000;

export async function signalRoutes(app: FastifyInstance, options: SignalRoutesOptions): Promise<void> {
  app.get('/signals', { schema: { querystring: querySchema } }, async (request, reply) => {
    const query = request.query as SignalsQuery;
    const until = query.until === undefined ? new Date() : new Date(query.until);
    const since = query.since === undefined ? new Date(until.getTime() - HOUR_MS) : new Date(query.since);
    if (since.getTime() >= until.getTime()) {
      return reply
        .code(400)
        .send(errorBody('SB_SIGNALS_BAD_RANGE', `since (${since.toISOString()}) must be before until (${until.toISOString()}); both are ISO times, e.g. ?since=2026-01-01T00:00:00Z.`));
    }
    return readSignals(options.warehouse, options.schema, { since, until, bucket: query.bucket, pipeline: query.pipeline });
  });
}
