/**
 * The alert service of a running server (switchboard-server.ts): the rules' view of its
 * drain, families, syncs, pulls and reconciliation check, and the routes configured.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import type { Drainer } from '../../ingest/drainer.js';
import type { Metrics } from '../../ingest/metrics.js';
import type { Puller } from '../../ingest/pulls/puller.js';
import type { ReconciliationCheck } from '../../ingest/pulls/reconciliation-check.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { Syncer } from '../../sync/syncer.js';
import { AlertService } from './alert-service.js';
import { routesFor } from './routes/from-config.js';

/** The alert rules' view of this server: its drain, families, syncs, pulls and reconciliation, and the routes configured. */
export function alertServiceFor(
  config: Config,
  parts: { warehouse: Warehouse; drainer: Drainer; families: Array<{ family: string; table: string }>; syncer: Syncer; puller: Puller; reconciliation: ReconciliationCheck | null; metrics: Metrics },
  env: NodeJS.ProcessEnv,
  logger: Logger,
): AlertService {
  const { file } = config;
  const { drainer, reconciliation } = parts;
  const node = file.jobs.nodeName ?? hostname();
  const log = logger.child({ component: 'alerts' });
  return new AlertService({
    config: file.alerts,
    warehouse: parts.warehouse,
    rawSchema: file.warehouse.rawSchema,
    modelsSchema: file.models.schema,
    families: parts.families,
    syncs: parts.syncer.syncs.map((s) => s.name),
    pullSources: parts.puller.sources.map((s) => s.name),
    drain: () => ({
      stalled: drainer.isStalled(),
      stalledForSeconds: Math.round(drainer.stalledForMs() / 1000),
      stallAfterSeconds: file.drain.stallAfterSeconds,
      backlogBytes: drainer.backlogBytes(),
      maxBytes: file.spool.maxBytes,
      warehouseError: drainer.lastError?.message ?? null,
    }),
    reconciliation: reconciliation === null ? null : () => reconciliation.breaches(),
    routes: routesFor(file, env, node, log),
    node,
    logger: log,
    registry: parts.metrics.registry,
  });
}
