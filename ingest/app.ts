/**
 * Builds the landing app. `buildApp` never listens: the CLI does (`switchboard serve`), and
 * tests use `app.inject()` or listen on port 0 themselves.
 */
import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import underPressure from '@fastify/under-pressure';
import { errorBody } from './errors.js';
import { landingRoutes, newDeliveryId, type FamilyRoute } from './landing-route.js';
import { tokenRoute } from './families/messaging/token-route.js';
import type { OAuthTokens } from './families/messaging/oauth-tokens.js';
import type { Landing } from './landing.js';
import type { IpAllowlist } from './auth/ip-allowlist.js';
import type { Metrics } from './metrics.js';

export interface AppOptions {
  routes: readonly FamilyRoute[];
  landing: Landing;
  /** For /readyz (ready or not; the details are the operator API's GET /status). */
  health: () => HealthReport;
  /** Messaging OAuth mode: serves POST /oauth/token behind the messaging allowlist. */
  oauth?: { tokens: OAuthTokens; allowlist: IpAllowlist } | undefined;
  server: {
    trustProxy: readonly string[];
    bodyLimitBytes: number;
    requestTimeoutMs: number;
    /** Deadline for making an event durable (503 after it); default 4000, under 8x8's 5 s. */
    durableDeadlineMs?: number;
    rateLimit: { max: number; windowMs: number; unverifiedMax?: number };
  };
  /** What refusals keep (config key rejections); defaults as in the config schema. */
  rejections?: { bodySampleBytes: number } | undefined;
  logger: FastifyServerOptions['loggerInstance'];
  metrics?: Metrics | undefined;
}

export interface HealthReport {
  spool: { writable: boolean; backlogBytes: number; maxBytes: number; error: string | null };
  warehouse: { reachable: boolean; error: string | null; landedEvents: number; landedRejections: number };
  /** The drainer: whether a waiting backlog has stopped moving, and what it set aside. */
  drain?: { stalled: boolean; stalledForSeconds: number; stallAfterSeconds: number; quarantined: number; conflicts: number };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Only proxies named in config may set the client address through X-Forwarded-For.
    trustProxy: options.server.trustProxy.length > 0 ? [...options.server.trustProxy] : false,
    bodyLimit: options.server.bodyLimitBytes,
    // Node's own deadline for receiving a whole request (slow-loris protection): 408 on expiry.
    // Node checks it every connectionsCheckingInterval (30 s by default), so check more often.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: options.server.requestTimeoutMs,
          headersTimeout: Math.min(options.server.requestTimeoutMs, 60_000),
          connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(options.server.requestTimeoutMs / 2))),
        },
        handler,
      ),
    // Per-request log lines would dominate at webhook rates; refusals are logged by the landing route.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: newDeliveryId,
    return503OnClosing: true,
  });

  await app.register(underPressure, {
    maxEventLoopDelay: 2000,
    retryAfter: 5,
    pressureHandler: (_request, reply, type, value) => {
      reply
        .code(503)
        .header('retry-after', '5')
        .send(errorBody('SB_INGEST_OVERLOADED', `The server is overloaded (${type}: ${value}); retry shortly.`));
    },
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        errorBody(
          'SB_INGEST_NOT_FOUND',
          `No route ${request.method} ${request.url}. Webhook routes are POST /webhooks/8x8/{messaging,voice,contact-center,meetings}.`,
        ),
      );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = options.health();
    // Ready when an event can be made durable, which always means the spool takes it; the
    // warehouse being down only grows the backlog (until spool.maxBytes), but a backlog that
    // has not moved for drain.stallAfterSeconds means nothing lands: not ready then either.
    // Only that: the details (warehouse errors, builds, pulls) are for operators, at GET
    // /status on the operator API (`switchboard status`).
    const ready = isReady(report);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  await app.register(landingRoutes, {
    routes: options.routes,
    landing: options.landing,
    bodyLimitBytes: options.server.bodyLimitBytes,
    durableDeadlineMs: options.server.durableDeadlineMs ?? 4_000,
    rateLimit: options.server.rateLimit,
    bodySampleBytes: options.rejections?.bodySampleBytes ?? 16_384,
    metrics: options.metrics,
  });
  if (options.oauth !== undefined) await app.register(tokenRoute, options.oauth);
  return app;
}

/**
 * Ready when an event can be made durable (the spool takes it) and the drain is not stalled.
 * The public /readyz and the operator's GET /status answer the same.
 */
export function isReady(report: HealthReport): boolean {
  return report.spool.writable && report.drain?.stalled !== true;
}
