/**
 * GET /status: the server's health in detail (what the public /readyz only summarises) and
 * the last runs, also from before a restart (server/status-report.ts); 200 when ready, else
 * 503, with the whole report either way.
 * GET /metrics: Prometheus text format (ingest/metrics.ts).
 */
import type { FastifyInstance } from 'fastify';
import { isReady } from '../../ingest/app.js';
import type { StatusReport } from '../status-report.js';
import type { Metrics } from '../../ingest/metrics.js';

export interface StatusRoutesOptions {
  /** The whole report: this process's view, completed from the control tables. */
  status: () => Promise<StatusReport>;
  metrics: Metrics;
}

export async function statusRoutes(app: FastifyInstance, options: StatusRoutesOptions): Promise<void> {
  app.get('/status', async (_request, reply) => {
    const report = await options.status();
    const ready = isReady(report);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', ...report });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
}
