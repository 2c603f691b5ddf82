/**
 * The bundled models, end to end, on real DuckDB and real Postgres (the suite is
 * test/models/curated-suite.ts; `npm run test:live -- bigquery` runs it on BigQuery).
 */
import { startHarness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { curatedModelsSuite } from './curated-suite.js';

curatedModelsSuite({ name: 'duckdb', start: () => startHarness({ warehouse: 'duckdb' }), analytics: 'analytics', dropAnalytics: false });
curatedModelsSuite({ name: 'postgres', start: () => startHarness({ warehouse: 'postgres' }), analytics: uniqueSchema('analytics'), dropAnalytics: true });
