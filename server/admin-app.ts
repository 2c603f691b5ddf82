/**
 * The operator API, on its own listener (admin.host:admin.port, loopback by default) so it
 * is never reachable where 8x8 is. The CLI uses it while `serve` holds the warehouse (an
 * embedded DuckDB file can be opened by one process only).
 *
 * Every route needs `Authorization: Bearer <token>` and a Host header naming the listener;
 * routes that start work need role operate (admin-guard.ts, admin-tokens.ts). Every request
 * leaves an audit row in `<rawSchema>._admin_audit` (admin-audit.ts).
 *
 *   GET  /status              the server's health in detail (what /readyz only summarises)
 *   GET  /rejections?family=&code=&since=&limit=&includeReplayed=
 *   POST /rejections/replay   { ids?, family?, code?, since?, limit?, trust?, dryRun? }
 *   POST /sql                 { query, maxRows? } → { columns, rows, truncated } (read-only by construction)
 *   POST /build               { select?, exclude?, fullRefresh? } → NDJSON stream (below)
 *   POST /test                { select?, exclude? } → NDJSON stream
 *   POST /sync                { names, dryRun?, replayRejected? } → NDJSON stream
 *   POST /pull                { source, from?, to?, restart? } → NDJSON stream (from alone: to now)
 *   GET  /metrics             Prometheus text format
 *
 * /build and /test run in this process (it holds the warehouse) and answer
 * `application/x-ndjson`: one ProgressEvent per line as each model or test starts and ends,
 * then one RunResults line (it has `runId`), or `{"error":{code,message}}` if the run broke
 * off. Blank lines are keep-alives, sent every 30 s so that a slow model does not trip a
 * client's idle timeout (fetch gives up after 300 s without a byte). What can be checked
 * before anything runs is answered with a plain error instead: 409 SB_MODEL_BUILD_RUNNING
 * (one build at a time, scheduled ones included), 400 SB_MODEL_SELECTOR, 422 for a broken
 * models project, 503 SB_SQL_UNAVAILABLE. A client that disconnects does not stop the run.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { SwitchboardError } from '../core/errors.js';
import { errorBody } from '../ingest/errors.js';
import { ndjsonReply } from './ndjson-reply.js';
import type { ModelBuilds, PreparedRun, RunRequest } from '../ingest/model-builds.js';
import type { RejectionFilter, Replayer } from '../ingest/replay.js';
import { readQuery } from '../ingest/read-query.js';
import { adminGuard, type AdminGuardOptions } from './admin-guard.js';
import { isReady, type HealthReport } from '../ingest/app.js';
import type { Warehouse } from '../sql/warehouse.js';
import type { Metrics } from '../ingest/metrics.js';
import type { Syncer } from '../sync/syncer.js';
import type { Puller } from '../ingest/pulls/puller.js';

export interface AdminAppOptions {
  replayer: Replayer;
  warehouse: Warehouse;
  metrics: Metrics;
  /** Runs `build` and `test` one at a time (shared with the scheduled builds). */
  builds: ModelBuilds;
  /** Runs syncs in their destination lanes (shared with the scheduled syncs). */
  syncer?: Syncer | undefined;
  /** Runs pulls, one per source at a time (shared with the scheduled pulls). */
  puller?: Puller | undefined;
  logger: FastifyServerOptions['loggerInstance'];
  /** Host, token and role checks, and the audit. */
  guard: AdminGuardOptions;
  /** For GET /status: the whole health report. */
  health: () => HealthReport;
  /** The schemas POST /sql may read: the raw schema and models.schema. */
  readableSchemas: readonly string[];
  /** POST /sql's deadline (admin.sqlTimeoutMs). */
  sqlTimeoutMs: number;
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
  adminGuard(app, options.guard);

  app.get('/status', async (_request, reply) => {
    const report = options.health();
    const ready = isReady(report);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', ...report });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  app.get('/rejections', { schema: { querystring: filterSchema } }, async (request) => {
    const query = request.query as ReplayRequest;
    return { rejections: await options.replayer.list(query), quarantined: await options.replayer.listQuarantined(query) };
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
        return await readQuery(options.warehouse, query, { maxRows, timeoutMs: options.sqlTimeoutMs, schemas: options.readableSchemas });
      } catch (error) {
        const code = error instanceof SwitchboardError ? error.code : 'SB_ADMIN_QUERY_FAILED';
        const status = code === 'SB_SQL_READER_UNAVAILABLE' || code === 'SB_SQL_UNAVAILABLE' ? 503 : 400;
        // The engine's own message (syntax, unknown table, permission) is what the analyst needs.
        return reply.code(status).send(errorBody(code, (error as Error).message));
      }
    },
  );

  for (const command of ['build', 'test'] as const) {
    const properties = {
      select: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
      exclude: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 1000 },
      ...(command === 'build' ? { fullRefresh: { type: 'boolean' } } : {}),
    };
    const schema = { body: { type: 'object', additionalProperties: false, properties } };
    // A bare `curl -X POST …/build` (no body) means "everything, as configured".
    const preValidation = async (request: { body: unknown }) => void (request.body ??= {});
    app.post(`/${command}`, { schema, preValidation }, async (request, reply) => {
      let run: PreparedRun;
      try {
        run = await options.builds.prepare(command, (request.body ?? {}) as RunRequest);
      } catch (error) {
        if (!(error instanceof SwitchboardError)) throw error;
        return reply.code(prepareStatus(error.code)).send(errorBody(error.code, error.message));
      }
      return ndjsonReply(reply, (line) =>
        run.execute(line).then(line, (error: unknown) => {
          request.log.error({ err: error }, `${command} broke off`);
          const code = error instanceof SwitchboardError ? error.code : 'SB_ADMIN_INTERNAL';
          line(errorBody(code, (error as Error).message));
        }),
      );
    });
  }

  // POST /sync {names, dryRun?, replayRejected?}: NDJSON, one {sync, progress} line per step,
  // one {sync, result} line per finished run (or {sync, error}), in whatever order they end.
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
      const running = body.names.filter((n) => syncer.isActive(n));
      if (running.length > 0) {
        return reply.code(409).send(errorBody('SB_SYNC_RUNNING', `Already running or queued: ${running.join(', ')}; one run per sync at a time.`));
      }
      return ndjsonReply(reply, (line) =>
        Promise.all(
          body.names.map((name) =>
            syncer
              .run(name, { dryRun: body.dryRun === true, replayRejected: body.replayRejected === true, onProgress: (progress) => line({ sync: name, progress }) })
              .then(
                (result) => line({ sync: name, result }),
                (error: unknown) => line({ sync: name, ...errorBody(error instanceof SwitchboardError ? error.code : 'SB_SYNC_FAILED', (error as Error).message) }),
              ),
          ),
        ),
      );
    },
  );

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
      if (puller.isActive(body.source)) {
        return reply.code(409).send(errorBody('SB_PULL_RUNNING', `A pull of ${body.source} is already running; one run per source at a time.`));
      }
      const range = body.from === undefined ? undefined : { from: new Date(body.from), to: body.to === undefined ? new Date() : new Date(body.to) };
      const openEnded = body.from !== undefined && body.to === undefined;
      return ndjsonReply(reply, (line) =>
        puller
          .run(body.source, { ...(range === undefined ? {} : { range }), restart: body.restart === true, openEnded, onProgress: (event) => line({ event }) })
          .then(
            (result) => line({ result }),
            (error: unknown) => line(errorBody(error instanceof SwitchboardError ? error.code : 'SB_PULL_FAILED', (error as Error).message)),
          ),
      );
    },
  );

  return app;
}

function prepareStatus(code: string): number {
  if (code === 'SB_MODEL_BUILD_RUNNING') return 409;
  if (code === 'SB_MODEL_SELECTOR') return 400;
  if (code === 'SB_SQL_UNAVAILABLE') return 503;
  return 422; // the models project itself does not load
}
