/**
 * Applies every migration (server/migrations.ts) to a warehouse a test opened itself, as
 * `serve` does when it opens one: the control tables exist afterwards, as they do for the
 * components in production.
 */
import { pino } from 'pino';
import { migrateWarehouse } from '../../server/migrations.js';
import type { Warehouse } from '../../sql/warehouse.js';

/** @example const wh = await migrated(await openWarehouse({ type: 'duckdb', path: ':memory:' })) */
export async function migrated<W extends Warehouse>(warehouse: W, ctx: { rawSchema?: string; modelsSchema?: string } = {}): Promise<W> {
  await migrateWarehouse(warehouse, { rawSchema: ctx.rawSchema ?? 'raw', modelsSchema: ctx.modelsSchema ?? ctx.rawSchema ?? 'analytics' }, pino({ level: 'silent' }));
  return warehouse;
}
