/**
 * The operator API, on its own listener (admin.host:admin.port, loopback by default) so it
 * is never reachable where 8x8 is. The CLI uses it while `serve` holds the warehouse (an
 * embedded DuckDB file can be opened by one process only).
 *
 * Every route needs `Authorization: Bearer <token>` and a Host header naming the listener;
 * routes that start work need role operate (admin/guard.ts, admin-tokens.ts). Every request
 * leaves an audit row in `<rawSchema>._admin_audit` (admin-audit.ts).
 *
 * admin/status-routes.ts
 *   GET  /status              the server's health in detail (what /readyz only summarises)
 *   GET  /metrics             Prometheus text format
 * admin/rejection-routes.ts
 *   GET  /rejections?family=&code=&since=&limit=&includeReplayed=
 *   POST /rejections/replay   { ids?, family?, code?, since?, limit?, trust?, dryRun? }
 * admin/sql-routes.ts
 *   POST /sql                 { query, maxRows? } → { columns, rows, truncated } (read-only by construction)
 * admin/model-routes.ts
 *   POST /build               { select?, exclude?, fullRefresh? } → NDJSON stream
 *   POST /test                { select?, exclude? } → NDJSON stream
 * admin/freshness-routes.ts
 *   POST /source-freshness    { select? } → NDJSON stream (switchboard source freshness)
 * admin/sync-routes.ts
 *   POST /sync                { names, dryRun?, replayRejected? } → NDJSON stream
 * admin/pull-routes.ts
 *   POST /pull                { source, from?, to?, restart? } → NDJSON stream (from alone: to now)
 * admin/alert-routes.ts
 *   GET  /alerts?status=firing|resolved|all&limit=  → { alerts }
 *   POST /alerts/test         { route } → { route, ok, detail } (a test notification)
 * admin/dlq-routes.ts
 *   GET  /dlq?source=&pipeline=&reason=&code=&since=&until=&limit=   dead letters of landing, quarantine, syncs, pulls
 *   GET  /dlq/:id             one, in full
 *   POST /dlq/replay          { ids?, source?, pipeline?, reason?, code?, since?, until?, limit?, all?, trust?, dryRun? }
 *
 * console/ (when `console` is given)
 *   GET  /console/…           the web console for a browser: a session cookie instead of a bearer token
 * admin/drift-routes.ts
 *   GET  /drift?since=&family=&kind=&limit=   → { drift } (schema drift, newest first)
 * admin/signal-routes.ts
 *   GET  /signals?since=&until=&bucket=&pipeline= → { throughput, latency, backlog, ratios }
 * admin/docs-routes.ts
 *   POST /docs/catalog        { relations: [{ schema, name }] } → { relations } (columns of those that exist)
 *
 * The NDJSON streams (admin/ndjson-reply.ts) send a keep-alive blank line every 30 s; what
 * can be refused before a run starts is answered with a plain JSON error instead. An error a
 * route does not answer itself is SB_ADMIN_BAD_REQUEST with Fastify's 4xx status (validation,
 * an unparsable body), else 500 SB_ADMIN_INTERNAL.
 *
 * This file only assembles: the Fastify instance, its error handler, the guard's hooks on the
 * root instance (so they run for every route below and for unknown paths), then one plugin per
 * concern, each given only the options it needs.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { errorBody } from '../ingest/errors.js';
import type { ModelBuilds } from './model-builds.js';
import type { Replayer } from '../ingest/replay.js';
import type { StatusReport } from './status-report.js';
import type { Warehouse } from '../sql/warehouse.js';
import type { Metrics } from '../ingest/metrics.js';
import type { Syncer } from '../sync/syncer.js';
import type { Puller } from '../ingest/pulls/puller.js';
import type { JobRunner } from './jobs/runner.js';
import { adminGuard, type AdminGuardOptions } from './admin/guard.js';
import { statusRoutes } from './admin/status-routes.js';
import { rejectionRoutes } from './admin/rejection-routes.js';
import { sqlRoutes } from './admin/sql-routes.js';
import { modelRoutes } from './admin/model-routes.js';
import { syncRoutes } from './admin/sync-routes.js';
import { pullRoutes } from './admin/pull-routes.js';
import { alertRoutes } from './admin/alert-routes.js';
import type { AlertService } from './alerts/alert-service.js';
import { dlqRoutes } from './admin/dlq-routes.js';
import type { DeadLetters } from './dlq/dead-letters.js';
import type { AdminTokenVerifier } from './admin-tokens.js';
import { consoleAuth, consoleRoutes, CONSOLE_PREFIX, type ConsoleSettings } from './console/index.js';
import { driftRoutes, type DriftRoutesOptions } from './admin/drift-routes.js';
import { signalRoutes } from './admin/signal-routes.js';
import { docsRoutes } from './admin/docs-routes.js';
import { freshnessRoutes } from './admin/freshness-routes.js';
import type { SourceFreshnessChecks } from './source-freshness.js';

export interface AdminAppOptions {
  replayer: Replayer;
  warehouse: Warehouse;
  metrics: Metrics;
  /** Runs `build` and `test` one at a time (shared with the scheduled builds). */
  builds: ModelBuilds;
  /** Runs `switchboard source freshness` (shared with the scheduled checks). */
  freshness: SourceFreshnessChecks;
  /** Runs syncs in their destination lanes (shared with the scheduled syncs). */
  syncer?: Syncer | undefined;
  /** Runs pulls, one per source at a time (shared with the scheduled pulls). */
  puller?: Puller | undefined;
  /** The job runner: manual builds, syncs and pulls hold their job as scheduled ones do. */
  jobs: JobRunner;
  /** GET /alerts and POST /alerts/test; null (or absent) when alerts are off. */
  alerts?: AlertService | null;
  /** Dead letters of every source, for /dlq (server/dlq/). */
  deadLetters: DeadLetters;
  logger: FastifyServerOptions['loggerInstance'];
  /** Host, token and role checks, and the audit. */
  guard: AdminGuardOptions & { verifier: AdminTokenVerifier };
  /** For GET /status: the whole report (server/status-report.ts). */
  status: () => Promise<StatusReport>;
  /** The schemas POST /sql may read: the raw schema, models.schema and the syncs' state (`switchboard_sync`). */
  readableSchemas: readonly string[];
  /** POST /sql's deadline (admin.sqlTimeoutMs). */
  sqlTimeoutMs: number;
  /** The web console's settings; without them there is no console. */
  console?: ConsoleSettings | undefined;
  /** For GET /drift: reads `<models.schema>.schema_drift`; absent: the route answers no rows. */
  drift?: DriftRoutesOptions['list'] | undefined;
  /** Where GET /signals reads the `sb_signal_*` tables: models.schema. */
  signalsSchema: string;
}

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger });
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send(errorBody(status < 500 ? 'SB_ADMIN_BAD_REQUEST' : 'SB_ADMIN_INTERNAL', error.message));
  });
  // Before any plugin: hooks and decorators of the root instance reach every child context.
  const browser = options.console === undefined ? null : consoleAuth(app, options.guard.verifier);
  adminGuard(app, browser === null ? options.guard : { ...options.guard, verifier: browser.verifier, browser: browser.gate });

  await app.register(statusRoutes, { status: options.status, metrics: options.metrics });
  await app.register(rejectionRoutes, { replayer: options.replayer });
  await app.register(sqlRoutes, { warehouse: options.warehouse, readableSchemas: options.readableSchemas, sqlTimeoutMs: options.sqlTimeoutMs });
  await app.register(modelRoutes, { builds: options.builds, jobs: options.jobs });
  await app.register(freshnessRoutes, { checks: options.freshness, jobs: options.jobs });
  await app.register(syncRoutes, { syncer: options.syncer, jobs: options.jobs });
  await app.register(pullRoutes, { puller: options.puller, jobs: options.jobs });
  await app.register(alertRoutes, { alerts: options.alerts ?? null });
  await app.register(dlqRoutes, { deadLetters: options.deadLetters });
  if (browser !== null && options.console !== undefined) {
    const services = { status: options.status, warehouse: options.warehouse, settings: options.console, now: () => new Date() };
    await app.register(consoleRoutes, { prefix: CONSOLE_PREFIX, ...services, sessions: browser.sessions, root: app });
  }
  await app.register(driftRoutes, { list: options.drift ?? (async () => []) });
  await app.register(signalRoutes, { warehouse: options.warehouse, schema: options.signalsSchema });
  await app.register(docsRoutes, { warehouse: options.warehouse });
  return app;
}
