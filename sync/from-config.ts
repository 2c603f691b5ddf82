/**
 * A Syncer for a Switchboard config: its syncs, and destinations built from
 * `destinations.*` and their secrets. Shared by `serve` and `switchboard sync`.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../core/config-schema.js';
import type { Warehouse } from '../sql/warehouse.js';
import type { Destination } from './destination.js';
import type { SyncRunResult } from './sync-run.js';
import { createDestination } from './destinations/index.js';
import { Syncer } from './syncer.js';

/** @param onRunFinished told of every finished run (SyncerOptions.onRunFinished): serve's signals */
export function syncerFor(file: ConfigFile, warehouse: Warehouse, env: NodeJS.ProcessEnv, logger: Logger, onRunFinished?: (result: SyncRunResult) => void): Syncer {
  return new Syncer({
    warehouse,
    syncs: file.syncs,
    destinationFor: (type): Promise<Destination> => createDestination(type, file, env, logger.child({ destination: type })),
    modelsSchema: file.models.schema,
    rawSchema: file.warehouse.rawSchema,
    defaultRegion: file.models.defaultRegion,
    logger,
    onRunFinished,
  });
}
