/**
 * An AlertService over a migrated in-memory DuckDB, with a drain whose state the test sets and
 * the routes the test gives, for route and delivery tests. Its clock is Date (mock it with
 * test/helpers/clock.ts to move time).
 */
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { parseConfig } from '../../server/config.js';
import { AlertService } from '../../server/alerts/alert-service.js';
import type { DrainFacts } from '../../server/alerts/rule.js';
import type { AlertRoute } from '../../server/alerts/routes/route.js';
import { ALERT_RULE_IDS, type AlertRouteName } from '../../core/config-alerts.js';
import { rejectionsTable } from '../../ingest/raw-tables.js';
import { migrated } from '../helpers/migrate.js';

export interface AlertFixture {
  warehouse: Warehouse;
  service: AlertService;
  registry: Registry;
  /** Sets the drain's state the local rules read. */
  drain(facts: Partial<DrainFacts>): void;
  /** Records `n` authentication failures of `family` now (Date.now()). */
  refuse(n: number, family?: string): Promise<void>;
  close(): Promise<void>;
}

/** A drain that is fine. */
const HEALTHY: DrainFacts = { stalled: false, stalledForSeconds: 0, stallAfterSeconds: 300, backlogBytes: 0, maxBytes: 1_000_000, warehouseError: null };

/**
 * @param alerts the config's `alerts:` section (its routes are not needed: `routes` are the ones used)
 */
export async function alertFixture(routes: ReadonlyArray<AlertRoute>, alerts: Record<string, unknown> = {}, options: { logger?: Logger; warehouse?: Warehouse } = {}): Promise<AlertFixture> {
  const warehouse = options.warehouse ?? (await migrated(await openWarehouse({ type: 'duckdb', path: ':memory:' })));
  let drain = HEALTHY;
  let n = 0;
  const registry = new Registry();
  const service = new AlertService({
    config: parseConfig({ alerts }).alerts,
    warehouse,
    rawSchema: 'raw',
    modelsSchema: 'analytics',
    families: [{ family: 'meetings', table: 'meetings_events' }],
    syncs: [],
    pullSources: [],
    drain: () => drain,
    reconciliation: null,
    routes: new Map(routes.map((route): [AlertRouteName, AlertRoute] => [route.name, route])),
    node: 'test-node',
    logger: options.logger ?? pino({ level: 'silent' }),
    registry,
  });
  return {
    warehouse,
    service,
    registry,
    drain: (facts) => void (drain = { ...HEALTHY, ...facts }),
    async refuse(count, family = 'meetings') {
      const now = new Date();
      const rows = Array.from({ length: count }, () => {
        n += 1;
        return {
          rejection_id: `r${n}`, family, route: `/webhooks/8x8/${family}`, received_at: now, source_ip: '203.0.113.9', status_code: 401, error_code: 'SB_INGEST_SIGNATURE_INVALID',
          reason: 'bad signature', verified: false, headers: {}, body: null, body_bytes: 0, body_truncated: false, landed_at: now, occurrences: 1,
        };
      });
      await warehouse.writeRows(rejectionsTable('raw'), rows);
    },
    async close() {
      await service.stop();
      await warehouse.close();
    },
  };
}

/** Every rule off but `keep`, so a test sees only the alerts it makes. */
export function only(...keep: string[]): Record<string, { enabled: boolean }> {
  return Object.fromEntries(ALERT_RULE_IDS.filter((id) => !keep.includes(id)).map((id) => [id, { enabled: false }]));
}
