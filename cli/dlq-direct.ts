/**
 * `switchboard dlq` without a server: the CLI opens the warehouse itself (no serve holds the
 * DuckDB file then) and lists, shows and replays what it can here. Syncs and pulls replay
 * under their job's lease, as `switchboard sync` and `pull` do without a server; landing
 * rejections and quarantined records need serve (they go through its spool), so they are
 * skipped with SB_DLQ_NEEDS_SERVE.
 */
import { resolve } from 'node:path';
import pino from 'pino';
import type { Config } from '../core/config.js';
import { Quarantine } from '../ingest/quarantine.js';
import { pullerFor } from '../ingest/pulls/from-config.js';
import { DeadLetters } from '../server/dlq/dead-letters.js';
import { standaloneRunners } from '../server/dlq/runners.js';
import { migrationContextOf } from '../server/migrations.js';
import { openMigrated } from '../server/switchboard-server.js';
import { warehouseConfigOf } from '../sql/warehouses/index.js';
import { syncerFor } from '../sync/from-config.js';
import { migrationLogger } from './migration-logger.js';

/** Runs `work` with dead letters read from the warehouse directly, then closes everything it opened. */
export async function withDirectDeadLetters<T>(config: Config, work: (deadLetters: DeadLetters) => Promise<T>, cwd = process.cwd()): Promise<T> {
  const { file } = config;
  const logger = pino({ level: file.log.level === 'silent' ? 'silent' : 'warn' }, pino.destination(2));
  const warehouse = await openMigrated(warehouseConfigOf(file.warehouse, cwd), migrationContextOf(file), migrationLogger(config));
  const syncer = syncerFor(file, warehouse, process.env, logger);
  const puller = pullerFor(file, warehouse, process.env, logger);
  try {
    const deadLetters = new DeadLetters({
      warehouse,
      rawSchema: file.warehouse.rawSchema,
      replayer: null,
      // Only read here (`show`): the kept files under spool.dir.
      quarantine: new Quarantine(resolve(cwd, file.spool.dir), '', file.warehouse.rawSchema),
      ...standaloneRunners(warehouse, file, syncer, puller, logger),
    });
    return await work(deadLetters);
  } finally {
    await puller.stop();
    await syncer.stop();
    await warehouse.close();
  }
}
