/**
 * The sync engine on real DuckDB and Postgres (the suite is test/sync/engine-suite.ts;
 * `npm run test:live -- bigquery` runs it on BigQuery).
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { syncEngineSuite } from './engine-suite.js';

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'sync-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

syncEngineSuite({ name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }), schema: 'analytics' });
syncEngineSuite({ name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('sync') });
