/**
 * Wires the landing server from a validated config: the warehouse, the spool, the drainer,
 * the families and the Fastify app. Used by `switchboard serve` and by tests that need the
 * whole thing (in-process); the CLI adds listening, signals and the scheduler.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import { dialectFor, openWarehouse, type WarehouseConfig } from '../sql/warehouses/index.js';
import { deferredWarehouse } from '../sql/warehouses/deferred.js';
import type { Warehouse } from '../sql/warehouse.js';
import { buildApp, type HealthReport } from './app.js';
import { IpAllowlist } from './auth/ip-allowlist.js';
import { Drainer } from './drainer.js';
import { buildFamilies } from './families/index.js';
import { Landing } from './landing.js';
import { Spool } from './spool/spool.js';
import { Replayer } from './replay.js';
import { buildAdminApp } from './admin-app.js';
import { Metrics } from './metrics.js';

export interface LandingServer {
  app: FastifyInstance;
  /** The operator API; the CLI listens on admin.host:admin.port when admin.enabled. */
  admin: FastifyInstance;
  spool: Spool;
  warehouse: Warehouse;
  drainer: Drainer;
  landing: Landing;
  /** Stops accepting, drains what is in flight, closes the app, the spool and the warehouse. */
  close(): Promise<void>;
}

export async function createLandingServer(config: Config, logger: Logger, cwd = process.cwd()): Promise<LandingServer> {
  const { file } = config;
  const warehouseConfig: WarehouseConfig =
    file.warehouse.type === 'duckdb'
      ? {
          type: 'duckdb',
          path: ensureParent(resolve(cwd, file.warehouse.path)),
          threads: file.warehouse.threads,
          checkpointThreshold: file.warehouse.checkpointThreshold,
          memoryLimit: file.warehouse.memoryLimit,
        }
      : { type: 'postgres', url: file.warehouse.url };
  const warehouse = await openOrDefer(warehouseConfig, logger);
  const spool = await Spool.open({
    dir: resolve(cwd, file.spool.dir),
    segmentBytes: file.spool.segmentBytes,
    fsync: file.spool.fsync,
  });
  const families = await buildFamilies(config, cwd);
  const drainer = new Drainer({
    spool,
    warehouse,
    rawSchema: file.warehouse.rawSchema,
    eventTables: families.routes.map((r) => r.family.table),
    batchSize: file.drain.batchSize,
    lingerMs: file.drain.lingerMs,
    maxBackoffMs: file.drain.maxBackoffMs,
    logger: logger.child({ component: 'drainer' }),
  });
  const metrics = new Metrics({
    backlogBytes: () => drainer.backlogBytes(),
    spoolStats: () => spool.stats(),
    drainStats: () => drainer.stats,
    warehouseUp: () => drainer.lastError === null,
  });
  const landing = new Landing({
    metrics,
    spool,
    backlogBytes: () => drainer.backlogBytes(),
    maxBacklogBytes: file.spool.maxBytes,
    retryAfterSeconds: file.spool.retryAfterSeconds,
    logger: logger.child({ component: 'landing' }),
  });
  const health = (): HealthReport => ({
    spool: {
      writable: landing.isWritable(),
      backlogBytes: drainer.backlogBytes(),
      maxBytes: file.spool.maxBytes,
      error: landing.spoolError?.message ?? null,
    },
    warehouse: {
      reachable: drainer.lastError === null,
      error: drainer.lastError?.message ?? null,
      landedEvents: drainer.stats.events,
      landedRejections: drainer.stats.rejections,
    },
  });
  const app = await buildApp({
    routes: families.routes,
    landing,
    health,
    oauth:
      families.oauthTokens === null
        ? undefined
        : {
            tokens: families.oauthTokens,
            allowlist: new IpAllowlist(file.families.messaging.allow, 'families.messaging.allow'),
          },
    server: file.server,
    logger,
    metrics,
  });
  const admin = await buildAdminApp({
    replayer: new Replayer(families.routes, landing, warehouse, file.warehouse.rawSchema),
    warehouse,
    metrics,
    logger: logger.child({ component: 'admin' }),
  });
  drainer.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await admin.close();
      await app.close(); // stops accepting; waits for requests in flight (their fsyncs included)
      await drainer.stop();
      await spool.close();
      await warehouse.close();
    })());
  return { app, admin, spool, warehouse, drainer, landing, close };
}

/**
 * Opens the warehouse, or, when it cannot be reached now, starts anyway: webhooks are
 * accepted into the spool and the drainer keeps retrying (with back-off) until it answers.
 */
async function openOrDefer(config: WarehouseConfig, logger: Logger): Promise<Warehouse> {
  const open = (): Promise<Warehouse> => openWarehouse(config);
  try {
    return await open();
  } catch (error) {
    logger.error(
      { err: error },
      'the warehouse is not reachable at start-up; accepting webhooks into the spool and retrying (see /readyz)',
    );
    return deferredWarehouse(dialectFor(config.type), open);
  }
}

function ensureParent(path: string): string {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return path;
}
