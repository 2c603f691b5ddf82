/**
 * The landing pipeline shared by every family, as a Fastify plugin with one route per family:
 *
 *   allowlist → (body read as raw bytes, size-limited) → verify over the raw bytes
 *     → UTF-8 JSON object (or XML, for families with xmlBodies) → classify (event type, dedupe key) → spool (fsync) → 200
 *
 * Anything refused on the way gets a 4xx/5xx with a stable code and is recorded as a
 * rejection (except refusals that are "retry later" by nature: rate limits, a full spool).
 * The raw-body parser exists only inside this plugin, so no other route sees raw buffers.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { errorBody, IngestError } from './errors.js';
import type { Delivery, SourceFamily } from './families/family.js';
import type { Landing } from './landing.js';
import type { IpAllowlist } from './auth/ip-allowlist.js';
import type { Metrics } from './metrics.js';
import { headerPolicy, storableHeaders, type HeaderPolicy, type RawEventRecord, type RejectionRecord } from './records.js';
import { parseEvent, utf8 } from './parse-event.js';
import { FailedAttempts } from './auth/failed-attempts.js';

export interface FamilyRoute {
  family: SourceFamily;
  allowlist: IpAllowlist;
}

export interface LandingRouteOptions {
  routes: readonly FamilyRoute[];
  landing: Landing;
  bodyLimitBytes: number;
  /**
   * Deadline for making an event durable before answering 503 (8x8 will retry); below the
   * 5 s answer window of docs/connect/docs/whatsapp/whatsapp-webhooks.md.
   */
  durableDeadlineMs: number;
  /** unverifiedMax: refusals of unverified requests per source and window before 429 (default 300). */
  rateLimit: { max: number; windowMs: number; unverifiedMax?: number | undefined };
  /** How much of a refused body is kept (rejections.bodySampleBytes); its digest and size always are. */
  bodySampleBytes: number;
  metrics?: Metrics | undefined;
}

export async function landingRoutes(app: FastifyInstance, options: LandingRouteOptions): Promise<void> {
  const { landing } = options;
  // Every family's credential headers, redacted on every route (a voice token sent to the
  // messaging route is still a voice token).
  const policy = headerPolicy(options.routes.map((r) => r.family));

  await app.register(rateLimit, {
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    keyGenerator: (request) => request.ip,
    // 8x8 reads none of the x-ratelimit-* headers; only a refusal carries Retry-After.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new IngestError(
        'SB_INGEST_RATE_LIMITED',
        `More than ${context.max} requests in ${Math.round(options.rateLimit.windowMs / 1000)} s from this address. Retry after ${Math.ceil(context.ttl / 1000)} s; operators: raise server.rateLimit.max.`,
        { retryAfterSeconds: Math.ceil(context.ttl / 1000), configKey: 'server.rateLimit.max' },
      ),
  });

  const familyByRoute = new Map(options.routes.map((r) => [r.family.route, r.family.name]));
  const familyOf = (request: FastifyRequest): string => familyByRoute.get(request.routeOptions.url ?? '') ?? 'unknown';

  // Unverified traffic gets a tighter budget than verified traffic: an address whose requests
  // keep failing verification is answered 429 before its body is read or anything is stored.
  const unverified = new FailedAttempts(options.rateLimit.unverifiedMax ?? 300, options.rateLimit.windowMs, Date.now);
  app.addHook('onRequest', async (request, reply) => {
    const retryAfter = unverified.blockedForSeconds(request.ip);
    if (retryAfter === 0) return;
    landing.refusedForNow(familyOf(request));
    return sendError(
      reply,
      new IngestError(
        'SB_INGEST_RATE_LIMITED',
        `More than ${options.rateLimit.unverifiedMax ?? 300} refused requests in ${Math.round(options.rateLimit.windowMs / 1000)} s from this address. Retry after ${retryAfter} s with valid credentials; operators: raise server.rateLimit.unverifiedMax if this is 8x8 (and fix its credentials).`,
        { retryAfterSeconds: retryAfter, configKey: 'server.rateLimit.unverifiedMax' },
      ),
    );
  });
  // Facts a family keeps about each delivery (JaaS: the signature's age), for its raw row or
  // its rejection, whichever it becomes.
  const factsOf = new WeakMap<FastifyRequest, Record<string, string>>();
  const refuse = (request: FastifyRequest, family: string, error: IngestError, verified: boolean, body: Buffer | null): void => {
    if (!verified) unverified.fail(request.ip);
    const rejection = rejectionOf(request, family, error, verified, body, options.bodySampleBytes, policy);
    landing.record({ ...rejection, headers: { ...rejection.headers, ...factsOf.get(request) } });
  };

  const { metrics } = options;
  if (metrics !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      const family = familyOf(request);
      metrics.responses.inc({ family, status: String(reply.statusCode) });
      metrics.latency.observe({ family }, reply.elapsedTime / 1000);
    });
  }

  app.removeAllContentTypeParsers();
  // Any content type: 8x8 sends JSON, and XML delivery receipts (text/xml on legacy-configured
  // accounts) must reach the pipeline: verified as any body, then landed (parse-event.ts).
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const route = options.routes.find((r) => r.family.route === request.routeOptions.url);
    const ingestError = toIngestError(error, options.bodyLimitBytes);
    if (ingestError.statusCode >= 500 && ingestError.code === 'SB_INGEST_INTERNAL') {
      request.log.error({ err: error }, 'unexpected error while landing a webhook');
    }
    if (recordable(ingestError)) refuse(request, route?.family.name ?? 'unknown', ingestError, false, bodyOf(request));
    else landing.refusedForNow(route?.family.name ?? 'unknown');
    return sendError(reply, ingestError);
  });

  for (const { family, allowlist } of options.routes) {
    app.post(family.route, {
      onRequest: async (request, reply) => {
        if (allowlist.allows(request.ip)) return;
        const error = new IngestError(
          'SB_INGEST_IP_NOT_ALLOWED',
          `Source address ${request.ip} is not allowed for ${family.name}. Add it (or a preset) to families.${configName(family.name)}.allow; behind a proxy, list the proxy in server.trustProxy.`,
          { configKey: `families.${configName(family.name)}.allow` },
        );
        refuse(request, family.name, error, false, null);
        return sendError(reply, error);
      },
      handler: async (request, reply) => {
        const body = bodyOf(request) ?? Buffer.alloc(0);
        const delivery: Delivery = { body, headers: request.headers, ip: request.ip, receivedAt: new Date() };
        const facts = family.deliveryFacts?.(delivery);
        if (facts !== undefined) factsOf.set(request, facts.stored);
        const observeAge = (outcome: 'verified' | 'expired' | 'refused'): void => {
          if (facts?.signatureAgeSeconds !== undefined) {
            options.metrics?.signatureAge.observe({ family: family.name, outcome }, facts.signatureAgeSeconds);
          }
        };
        // A refusal from verify() reaches the plugin's error handler, recorded as unverified;
        // from here on the sender is proven, so refusals below are recorded as verified.
        let verifiedBy: string;
        try {
          verifiedBy = await family.verify(delivery);
        } catch (error) {
          observeAge(error instanceof IngestError && error.code === 'SB_INGEST_SIGNATURE_EXPIRED' ? 'expired' : 'refused');
          throw error;
        }
        observeAge('verified');
        let eventType = '';
        try {
          const { text, event } = parseEvent(body, { xml: family.xmlBodies });
          const classified = family.classify(event, delivery);
          eventType = classified.eventType;
          const { dedupeKey } = classified;
          const record: RawEventRecord = {
            k: 'event',
            deliveryId: request.id,
            family: family.name,
            table: family.table,
            eventType,
            dedupeKey,
            body: text,
            headers: { ...storableHeaders(request.headers, policy, family.keptHeaders), ...facts?.stored },
            receivedAt: delivery.receivedAt.getTime(),
            ip: request.ip,
            verifiedBy,
          };
          await withDeadline(
            // The event's own time only when someone listens (server/signals): it costs a field read and a parse.
            landing.accept(record, landing.observed ? family.eventTime?.(event) : undefined),
            options.durableDeadlineMs,
          );
          return reply.code(200).send({ status: 'accepted', deliveryId: request.id, dedupeKey });
        } catch (error) {
          const ingestError = toIngestError(error as Error, options.bodyLimitBytes);
          if (recordable(ingestError)) refuse(request, family.name, ingestError, true, body);
          else landing.refusedForNow(family.name, eventType);
          return sendError(reply, ingestError);
        }
      },
    });
  }
}

/** A fresh delivery id per request; it is also Fastify's request id in logs. */
export function newDeliveryId(): string {
  return randomUUID();
}


function bodyOf(request: FastifyRequest): Buffer | null {
  return Buffer.isBuffer(request.body) ? request.body : null;
}

/** Retry-later refusals are not rejections of the event; recording them would flood the table. */
function recordable(error: IngestError): boolean {
  return !['SB_INGEST_RATE_LIMITED', 'SB_INGEST_SPOOL_FULL', 'SB_INGEST_SPOOL_UNAVAILABLE', 'SB_INGEST_TIMEOUT'].includes(
    error.code,
  );
}

function toIngestError(error: Error & { code?: string; statusCode?: number }, bodyLimit: number): IngestError {
  if (error instanceof IngestError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new IngestError(
      'SB_INGEST_BODY_TOO_LARGE',
      `The body is larger than server.bodyLimitBytes (${bodyLimit}). 8x8 events are a few KB; raise the limit only if a real event is refused.`,
      { configKey: 'server.bodyLimitBytes' },
    );
  }
  if (error.code?.startsWith('FST_ERR_CTP_') === true || error.statusCode === 400) {
    return new IngestError('SB_INGEST_BODY_NOT_JSON', `The request body could not be read: ${error.message}.`);
  }
  return new IngestError('SB_INGEST_INTERNAL', 'Unexpected error; the event was not acknowledged and 8x8 will retry. See the server log.', {
    cause: error,
  });
}

function rejectionOf(
  request: FastifyRequest,
  family: string,
  error: IngestError,
  verified: boolean,
  body: Buffer | null,
  sampleBytes: number,
  policy: HeaderPolicy,
): RejectionRecord {
  let text: string | null = null;
  if (body !== null) {
    const kept = body.subarray(0, sampleBytes);
    try {
      text = utf8.decode(kept);
    } catch {
      text = `base64:${kept.toString('base64')}`;
    }
  }
  return {
    k: 'rejection',
    rejectionId: request.id,
    family,
    // The route, never the query string: it is the sender's, and may carry anything.
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
    receivedAt: Date.now(),
    ip: request.ip,
    statusCode: error.statusCode,
    errorCode: error.code,
    reason: error.message,
    verified,
    headers: storableHeaders(request.headers, policy),
    body: text,
    bodyBytes: body?.length ?? Number(request.headers['content-length'] ?? 0),
    bodyTruncated: body !== null && body.length > sampleBytes,
    bodySha256: body === null ? undefined : createHash('sha256').update(body).digest('hex'),
  };
}

export function sendError(reply: FastifyReply, error: IngestError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.statusCode).send(errorBody(error.code, error.message));
}

function configName(family: string): string {
  return family === 'contact-center' ? 'contactCenter' : family;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new IngestError('SB_INGEST_TIMEOUT', `The event was not durable within ${ms} ms (server.durableDeadlineMs); retry.`, {
            retryAfterSeconds: 1,
            configKey: 'server.durableDeadlineMs',
          }),
        ),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
