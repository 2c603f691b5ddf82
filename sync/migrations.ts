/**
 * The numbered migrations of the sync state in `switchboard_sync` (state.ts): snapshots,
 * rejections, outcomes and runs. sql/migrations/ says how they run; server/migrations.ts
 * applies them at start-up with the others.
 */
import type { Migration } from '../sql/migrations/migration.js';
import { addColumns, createTables, withoutColumns } from '../sql/migrations/steps.js';
import { outcomesTable, rejectionsTable, runsTable, snapshotsTable, SYNC_SCHEMA } from './state.js';

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
];
