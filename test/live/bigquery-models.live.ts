/**
 * The bundled models suite (test/models/curated-suite.ts), unchanged, on a real BigQuery
 * project: events land through the real landing route and drainer, `build` runs every
 * bundled model and data test in BigQuery, and the curated tables are read back.
 * `npm run test:live -- bigquery` (README › Testing › Live suites). Its datasets (raw,
 * analytics, switchboard_sync) carry this file's prefix and are deleted at the end.
 */
import { after } from 'node:test';
import { startHarness } from '../helpers/harness.js';
import { curatedModelsSuite } from '../models/curated-suite.js';
import { datasetPrefix, dropDatasets, liveProject, warehouseConfig } from './bigquery-project.js';

const project = liveProject();
const prefix = datasetPrefix(project, 'models');
after(() => dropDatasets(project, prefix));

curatedModelsSuite({
  name: 'bigquery (live)',
  // No scheduled build: on BigQuery the suite outlasts the five-minute schedule, and a build it
  // did not start would race its own.
  start: () => startHarness({ config: { warehouse: warehouseConfig(project, prefix), models: { schedule: 'off' } } }),
  analytics: 'analytics',
  dropAnalytics: false,
});
