/**
 * The numbered migrations of the model engine's control table, `<models.schema>.sb_run_results`
 * (run.ts). sql/migrations/ says how they run; server/migrations.ts applies them at start-up
 * with the others. The models' own tables are not migrated: builds (re)create them.
 */
import type { Migration } from '../migrations/migration.js';
import { createTables } from '../migrations/steps.js';
import { runResultsTable } from './run.js';

export const engineMigrations: readonly Migration[] = [
  {
    id: 'engine/0001_run_results',
    description: 'models schema; sb_run_results as first shipped',
    up: async (q, d, { modelsSchema }) => {
      await createTables(q, d, modelsSchema, [runResultsTable(modelsSchema)]);
    },
  },
];
