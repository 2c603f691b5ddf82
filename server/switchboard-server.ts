/**
 * The composition root: builds the whole server from a validated config — the warehouse,
 * the spool and drainer, the families and the landing app, the operator API, model builds,
 * syncs, pulls, and the job runner that schedules them — and owns its orderly stop. Used by
 * `switchboard serve` and by tests that need the whole thing (in-process); the CLI adds
 * listening, signals, and starts the schedules (`jobs.start()`).
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import { errorLogFields } from '../core/errors.js';
import { modelsRuntime } from '../sql/engine/from-config.js';
import { dialectFor, openWarehouse, warehouseConfigOf, warehouseIdentity, type WarehouseConfig } from '../sql/warehouses/index.js';
import { deferredWarehouse } from '../sql/warehouses/deferred.js';
import type { Warehouse } from '../sql/warehouse.js';
import { SqlError } from '../sql/errors.js';
import { MigrateError } from '../sql/migrations/errors.js';
import type { MigrationContext } from '../sql/migrations/migration.js';
import { migrateWarehouse, migrationContextOf } from './migrations.js';
import { buildApp, type HealthReport } from '../ingest/app.js';
import { statusReporter } from './status-reporter.js';
import { IpAllowlist } from '../ingest/auth/ip-allowlist.js';
import { Drainer } from '../ingest/drainer.js';
import { buildFamilies } from '../ingest/families/index.js';
import { Landing } from '../ingest/landing.js';
import { Spool } from '../ingest/spool/spool.js';
import { Replayer } from '../ingest/replay.js';
import { Quarantine } from '../ingest/quarantine.js';
import { RejectionSampler } from '../ingest/rejection-sampler.js';
import { buildAdminApp } from './admin-app.js';
import { resource } from './resources.js';
import { AdminAudit } from './admin-audit.js';
import { adminDataDir, AdminTokenVerifier, bootstrapToken, bootstrapTokenPath } from './admin-tokens.js';
import { Metrics } from '../ingest/metrics.js';
import { ModelBuilds } from './model-builds.js';
import { JobRunner } from './jobs/runner.js';
import { JobLeases, nodeId } from './jobs/leases.js';
import { JobHistory } from './jobs/history.js';
import { driftJobFor, freshnessJobFor, modelsJob, pullJobFor, syncJobFor } from './jobs/definitions.js';
import { SourceFreshnessChecks } from './source-freshness.js';
import { schemaDriftFor } from './drift.js';
import { syncerFor } from '../sync/from-config.js';
import type { Syncer } from '../sync/syncer.js';
import { SYNC_SCHEMA } from '../sync/state.js';
import { pullerFor } from '../ingest/pulls/from-config.js';
import { ReconciliationCheck } from '../ingest/pulls/reconciliation-check.js';
import { pullsConfigured } from '../core/config-pulls.js';
import { PULL_ONLY_TABLES } from '../ingest/raw-tables.js';
import type { Puller } from '../ingest/pulls/puller.js';
import type { AlertService } from './alerts/alert-service.js';
import { alertsJob } from './alerts/job.js';
import { alertServiceFor } from './alerts/from-server.js';
import { DeadLetters } from './dlq/dead-letters.js';
import { serveRunners } from './dlq/runners.js';
import { ServerSignals, SignalCollector } from './signals/index.js';

export interface SwitchboardServer {
  app: FastifyInstance;
  /** The operator API; the CLI listens on admin.host:admin.port when admin.enabled. */
  admin: FastifyInstance;
  /** The operator API's audit trail (`<rawSchema>._admin_audit`); `flush()` waits for queued rows. */
  audit: AdminAudit;
  spool: Spool;
  warehouse: Warehouse;
  drainer: Drainer;
  landing: Landing;
  /** Model builds, one at a time: the operator API's /build and /test, and the `models` job. */
  builds: ModelBuilds;
  /**
   * Every scheduled job (`models`, `sync:<name>`, `pull:<source>`), one run of each at a
   * time across every serve process on the warehouse. Schedules start with `jobs.start()`
   * (serve calls it); manual runs from the operator API go through it too.
   */
  jobs: JobRunner;
  /** Reverse-ETL syncs, run as `sync:<name>` jobs. */
  syncer: Syncer;
  /** Pulls from 8x8's APIs, run as `pull:<source>` jobs. */
  puller: Puller;
  /** What did not go through, from every source, and its replay (server/dlq/; the operator API's /dlq). */
  deadLetters: DeadLetters;
  /**
   * Alerts (alerts.*): the `alerts` job evaluates the warehouse's rules; `alerts.startLocal()`
   * (serve calls it with `jobs.start()`) runs the drain's rules on this node. Null when alerts.enabled is false.
   */
  alerts: AlertService | null;
  /**
   * `app.close()`: stops accepting and waits for the webhooks in flight, then closes the
   * resources registered as plugins (resources.ts) in reverse order: the job runner (runs
   * stop at a checkpoint), syncs, pulls, the operator API, landing, the drainer (it finishes
   * the batch in flight; the spool keeps the rest for the next start), a build still
   * finishing, the spool, the signals' last flush, the warehouse.
   */
  close(): Promise<void>;
}

/**
 * @param env where the models' PII hash salt (SWITCHBOARD_PII_HASH_SALT) and the operator
 *   API's bootstrap token (SWITCHBOARD_ADMIN_TOKEN; else generated into the data dir) are read
 */
export async function createSwitchboardServer(config: Config, logger: Logger, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<SwitchboardServer> {
  const { file } = config;
  const warehouseConfig = warehouseConfigOf(file.warehouse, cwd);
  // The spool first: its lock (SB_SPOOL_LOCKED) is what tells a second server on the same data
  // directory to stop, in one clear line, before it tries the warehouse the first one holds.
  const spoolDir = resolve(cwd, file.spool.dir);
  const spool = await Spool.open({
    dir: spoolDir,
    segmentBytes: file.spool.segmentBytes,
    fsync: file.spool.fsync,
    // Its records land only in the warehouse they were accepted for (SB_SPOOL_WAREHOUSE_MISMATCH).
    target: warehouseIdentity(warehouseConfig, file.warehouse.rawSchema),
  });
  let warehouse: Warehouse;
  try {
    warehouse = await openOrDefer(warehouseConfig, migrationContextOf(file), logger);
  } catch (error) {
    await spool.close(); // a warehouse that cannot be used at all (SB_SQL_DATABASE_MISSING): release the spool's lock
    throw error;
  }
  const families = await buildFamilies(config, cwd);
  // Signals (signals.enabled): counted in memory by what reports below, written by the flush job.
  const collector = file.signals.enabled ? new SignalCollector() : null;
  const quarantine = new Quarantine(spoolDir, spool.id, file.warehouse.rawSchema);
  const drainer = new Drainer({
    spool,
    warehouse,
    rawSchema: file.warehouse.rawSchema,
    // The pull-only tables too, so that the models find every raw table from the start.
    eventTables: [...families.routes.map((r) => r.family.table), ...PULL_ONLY_TABLES],
    batchSize: file.drain.batchSize,
    lingerMs: file.drain.lingerMs,
    maxBackoffMs: file.drain.maxBackoffMs,
    quarantine,
    stallAfterMs: file.drain.stallAfterSeconds * 1000,
    logger: logger.child({ component: 'drainer' }),
    observer: collector ?? undefined,
  });
  const metrics = new Metrics({
    backlogBytes: () => drainer.backlogBytes(),
    spoolStats: () => spool.stats(),
    drainStats: () => drainer.stats,
    warehouseUp: () => drainer.lastError === null,
    drainStalled: () => drainer.isStalled(),
  });
  const landing = new Landing({
    metrics,
    spool,
    backlogBytes: () => drainer.backlogBytes(),
    maxBacklogBytes: file.spool.maxBytes,
    retryAfterSeconds: file.spool.retryAfterSeconds,
    sampler: new RejectionSampler(file.rejections),
    logger: logger.child({ component: 'landing' }),
    observer: collector ?? undefined,
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
    drain: {
      stalled: drainer.isStalled(),
      stalledForSeconds: Math.round(drainer.stalledForMs() / 1000),
      stallAfterSeconds: file.drain.stallAfterSeconds,
      quarantined: drainer.stats.quarantined,
      conflicts: drainer.stats.conflicts,
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
    rejections: file.rejections,
    logger,
    metrics,
  });
  const runtime = modelsRuntime(file, env, cwd);
  const builds = new ModelBuilds(warehouse, runtime, collector === null ? undefined : (results) => collector.buildFinished(results));
  const freshness = new SourceFreshnessChecks(warehouse, runtime);
  // Nothing to reconcile without a pull source: no check then (the models are left out too).
  const reconciliation = pullsConfigured(file.pulls)
    ? new ReconciliationCheck({
        warehouse,
        analyticsSchema: file.models.schema,
        settings: file.pulls.reconciliation,
        logger: logger.child({ component: 'reconciliation' }),
        metrics,
      })
    : null;
  const syncer = syncerFor(file, warehouse, env, logger.child({ component: 'sync' }), collector === null ? undefined : (result) => collector.syncFinished(result));
  const puller = pullerFor(file, warehouse, env, logger.child({ component: 'pull' }), collector === null ? undefined : (source, result) => collector.pullFinished(source, result));
  const signals =
    collector === null
      ? null
      : new ServerSignals({ collector, file, warehouse, spool, drainer, puller, registry: metrics.registry, logger: logger.child({ component: 'signals' }) });
  const node = nodeId(file.jobs.nodeName);
  const jobs = new JobRunner({
    leases: new JobLeases({ warehouse, rawSchema: file.warehouse.rawSchema, node, ttlMs: file.jobs.leaseSeconds * 1000 }),
    history: new JobHistory(warehouse, file.warehouse.rawSchema),
    deadlineMs: file.jobs.deadlineMinutes * 60_000,
    logger: logger.child({ component: 'jobs', node }),
  });
  jobs.define(
    modelsJob({
      builds,
      schedule: file.models.schedule,
      logger: logger.child({ component: 'models' }),
      ...(reconciliation === null ? {} : { afterBuild: () => reconciliation.run() }),
    }),
  );
  jobs.define(freshnessJobFor(freshness, file.models.freshnessSchedule, logger.child({ component: 'freshness' })));
  for (const sync of syncer.syncs) jobs.define(syncJobFor(syncer, sync, logger.child({ component: 'sync' })));
  for (const source of puller.sources) jobs.define(pullJobFor(puller, source, logger.child({ component: 'pull' })));
  const alerts = file.alerts.enabled ? alertServiceFor(config, { warehouse, drainer, families: families.routes.map((r) => ({ family: r.family.name, table: r.family.table })), syncer, puller, reconciliation, metrics }, env, logger) : null;
  if (alerts !== null) jobs.define(alertsJob(alerts, file.alerts, logger.child({ component: 'alerts' })));
  const drift = schemaDriftFor(file, warehouse, env, metrics.registry);
  if (drift.job !== null) jobs.define(driftJobFor(drift.job, file.drift.schedule, logger.child({ component: 'drift' })));
  else logger.child({ component: 'drift' }).info(`schema drift checks are off (${file.drift.enabled ? 'drift.schedule: off' : 'drift.enabled: false'})`);
  if (signals !== null) jobs.define(signals.job());
  const status = statusReporter({
    live: () => ({
      ...health(),
      node,
      models: { running: builds.running, schedule: file.models.schedule, lastRun: builds.lastRun },
      syncs: syncer.syncs.map((s) => ({ sync: s.name, destination: s.destination, schedule: s.schedule, running: syncer.isActive(s.name), lastRun: null, refused: [] })),
      pulls: puller.status(),
      jobs: jobs.status(),
      config: { source: config.source, fingerprint: config.fingerprint },
    }),
    warehouse,
    scope: {
      rawSchema: file.warehouse.rawSchema,
      modelsSchema: file.models.schema,
      families: families.routes.map((r) => ({ family: r.family.name, table: r.family.table })),
      syncs: syncer.syncs.map((s) => s.name),
      pullSources: puller.sources.map((s) => s.name),
      jobs: jobs.names,
    },
  });
  const dataDir = adminDataDir(config, cwd);
  const audit = new AdminAudit(warehouse, file.warehouse.rawSchema, logger.child({ component: 'admin-audit' }));
  const replayer = new Replayer(families.routes, landing, warehouse, file.warehouse.rawSchema, quarantine);
  const deadLetters = new DeadLetters({ warehouse, rawSchema: file.warehouse.rawSchema, replayer, quarantine, ...serveRunners(syncer, puller, jobs) });
  const admin = await buildAdminApp({
    replayer,
    deadLetters,
    warehouse,
    metrics,
    builds,
    freshness,
    syncer,
    puller,
    jobs,
    alerts,
    logger: logger.child({ component: 'admin' }),
    guard: {
      verifier: new AdminTokenVerifier(dataDir, bootstrapToken(dataDir, env)),
      audit,
      host: file.admin.host,
      allowedHosts: file.admin.allowedHosts,
      tokenFile: bootstrapTokenPath(dataDir),
      config: { source: config.source, fingerprint: config.fingerprint },
    },
    status,
    readableSchemas: [file.warehouse.rawSchema, file.models.schema, SYNC_SCHEMA],
    signalsSchema: file.models.schema,
    sqlTimeoutMs: file.admin.sqlTimeoutMs,
    console: {
      rawSchema: file.warehouse.rawSchema,
      modelsSchema: file.models.schema,
      reconciliation: pullsConfigured(file.pulls) ? file.pulls.reconciliation : null,
      alertsOff: file.alerts.enabled ? null : 'alerts.enabled: false',
      driftOff: drift.job !== null ? null : file.drift.enabled ? 'drift.schedule: off' : 'drift.enabled: false',
    },
    drift: drift.list,
  });
  // Registered first closes last (Fastify runs onClose hooks in reverse): the warehouse outlives
  // everything that writes to it. Before any of these, app.close() stops accepting and waits
  // for the webhooks in flight (their fsyncs included).
  await app.register(resource({ name: 'warehouse', value: warehouse, close: (w) => w.close() }));
  // Closes after everything that counts (the drainer, builds, syncs, pulls) and before the warehouse: the last minutes are written.
  if (signals !== null) await app.register(resource({ name: 'signals', value: signals, close: (s) => s.close() }));
  await app.register(resource({ name: 'spool', value: spool, close: (s) => s.close() }));
  await app.register(resource({ name: 'builds', value: builds, close: (b) => b.idle() })); // a build still finishing
  await app.register(resource({ name: 'drainer', value: drainer, close: (d) => d.stop() })); // finishes the batch in flight; the rest lands at the next start
  await app.register(
    resource({
      name: 'landing',
      value: landing,
      close: async (l) => {
        l.close(); // the summary of refusals counted since the last minute
        await l.settled();
      },
    }),
  );
  if (families.keyStore !== null) {
    // Before the wait: a webhook held up by a hung key fetch answers 503 (8x8 retries) instead of delaying the stop.
    await app.register(resource({ name: 'keyStore', value: families.keyStore, preClose: (k) => k.close() }));
  }
  await app.register(
    resource({
      name: 'operatorApi',
      value: admin,
      close: async (a) => {
        await a.close(); // waits for a manual run streaming its progress (the job runner has stopped it)
        await audit.flush();
      },
    }),
  );
  await app.register(resource({ name: 'puller', value: puller, close: (p) => p.stop() })); // pulls stop at their next page; their cursors say where
  await app.register(resource({ name: 'syncer', value: syncer, close: (s) => s.stop() }));
  if (alerts !== null) await app.register(resource({ name: 'alerts', value: alerts, close: (a) => a.stop() })); // after the jobs: the alert job may still be delivering
  await app.register(resource({ name: 'jobs', value: jobs, close: (j) => j.stop() })); // first: no new run starts, runs in flight stop at a checkpoint
  await app.ready();
  drainer.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= app.close());
  return { app, admin, audit, spool, warehouse, drainer, landing, builds, jobs, syncer, puller, alerts, deadLetters, close };
}

/**
 * Opens the warehouse and applies the migrations it lacks (server/migrations.ts) before
 * anything else uses it: how `serve` opens it (also a deferred warehouse, later, so the
 * drainer never writes to tables an older version made), and the commands that run without
 * a server (`build`, `test`, `sync`, `pull`).
 */
export async function openMigrated(config: WarehouseConfig, ctx: MigrationContext, logger: Logger): Promise<Warehouse> {
  const warehouse = await openWarehouse(config);
  try {
    await migrateWarehouse(warehouse, ctx, logger.child({ component: 'migrate' }));
  } catch (error) {
    await warehouse.close().catch(() => undefined);
    throw error;
  }
  return warehouse;
}

/**
 * Opens the warehouse (migrated), or, when it cannot be reached now, starts anyway: webhooks are
 * accepted into the spool and the drainer keeps retrying (with back-off) until it answers.
 * A database that does not exist is not an outage that retrying outlasts: start-up stops
 * there, with how to create it.
 */
async function openOrDefer(config: WarehouseConfig, ctx: MigrationContext, logger: Logger): Promise<Warehouse> {
  const open = (): Promise<Warehouse> => openMigrated(config, ctx, logger);
  try {
    return await open();
  } catch (error) {
    if (error instanceof SqlError && error.code === 'SB_SQL_DATABASE_MISSING') throw error;
    // A warehouse migrated by a newer version, or a migration that failed: start-up stops, with the reason.
    if (error instanceof MigrateError) throw error;
    // Another process holding the DuckDB file, Postgres down: one line, no stack trace.
    logger.error(
      errorLogFields(error),
      `the warehouse is not reachable at start-up; accepting webhooks into the spool and retrying (see switchboard status)${error instanceof SqlError ? `: ${error.message}` : ''}`,
    );
    return deferredWarehouse(dialectFor(config.type), open);
  }
}
