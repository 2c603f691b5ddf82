/**
 * The warehouse conformance suite (test/sql/conformance.ts), unchanged, on a real BigQuery
 * project: `npm run test:live -- bigquery` (README › Testing › Live suites). Every test opens
 * its own warehouse on this file's dataset prefix; the datasets are deleted at the end.
 */
// A far-off, half-hour zone: nothing may depend on the host's time zone.
process.env.TZ = 'Pacific/Chatham';

import { after } from 'node:test';
import { openBigQuery } from '../../sql/warehouses/bigquery/open.js';
import { runWarehouseConformance } from '../sql/conformance.js';
import { datasetPrefix, dropDatasets, liveProject, openOptions } from './bigquery-project.js';

const project = liveProject();
const prefix = datasetPrefix(project, 'conformance');
after(() => dropDatasets(project, prefix));

runWarehouseConformance('bigquery (live)', () => openBigQuery(openOptions(project, prefix)));
