/**
 * The sync engine suite (test/sync/engine-suite.ts), unchanged, on a real BigQuery project:
 * `npm run test:live -- bigquery` (README › Testing › Live suites). Its datasets (the model
 * table's and `switchboard_sync`) carry this file's prefix and are deleted at the end.
 */
import { after } from 'node:test';
import { openBigQuery } from '../../sql/warehouses/bigquery/open.js';
import { syncEngineSuite } from '../sync/engine-suite.js';
import { datasetPrefix, dropDatasets, liveProject, openOptions } from './bigquery-project.js';

const project = liveProject();
const prefix = datasetPrefix(project, 'sync');
after(() => dropDatasets(project, prefix));

syncEngineSuite({ name: 'bigquery (live)', open: () => openBigQuery(openOptions(project, prefix)), schema: 'analytics' });
