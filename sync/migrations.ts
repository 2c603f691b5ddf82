/**
 * The numbered migrations of the sync state in `switchboard_sync` (state.ts): snapshots,
 * rejections, outcomes and runs; and of the table the Salesforce destination fills in the
 * models schema, `salesforce_people`. sql/migrations/ says how they run; server/migrations.ts
 * applies them at start-up with the others.
 */
import type { Migration } from '../sql/migrations/migration.js';
import { addColumns, createTables, withoutColumns } from '../sql/migrations/steps.js';
import { outcomesTable, rejectionsTable, runsTable, snapshotsTable, SYNC_SCHEMA } from './state.js';
import { salesforcePeopleTable } from './destinations/salesforce/people.js';

/** Columns of `runs` added in 0.2. */
const RUNS_COLUMNS_0_2 = ['error_code'];

export const syncMigrations: readonly Migration[] = [
  {
    id: 'sync/0001_sync_state',
    description: 'switchboard_sync schema; snapshots, rejections, outcomes and runs as first shipped',
    up: async (q, d) => {
      await createTables(q, d, SYNC_SCHEMA, [snapshotsTable, rejectionsTable, outcomesTable, withoutColumns(runsTable, RUNS_COLUMNS_0_2)]);
    },
  },
  {
    id: 'sync/0002_runs_error_code',
    description: 'switchboard_sync.runs gains error_code (0.2)',
    up: async (q, d) => {
      await addColumns(q, d, runsTable, RUNS_COLUMNS_0_2);
    },
  },
  {
    // The model salesforce_people (models/outbound/) is built empty and filled by the Salesforce
    // pull; an incremental build inserts `SELECT *` into it, so a table made before account_id
    // would refuse every build. A warehouse without the table is left alone: the next build or
    // pull creates it whole.
    id: 'sync/0003_salesforce_people_account_id',
    description: 'salesforce_people (models schema) gains account_id, a Contact\'s AccountId',
    up: async (q, d, { modelsSchema }) => {
      await addColumns(q, d, salesforcePeopleTable(modelsSchema), ['account_id']);
    },
  },
];
