/**
 * The numbered migrations of the model engine's control tables, `<models.schema>.sb_run_results`
 * (run.ts) and `<models.schema>.sb_source_freshness` (freshness-results.ts). sql/migrations/ says how they run; server/migrations.ts applies them at start-up
 * with the others. The models' own tables are not migrated: builds (re)create them.
 */
import type { Migration } from '../migrations/migration.js';
import { createTables } from '../migrations/steps.js';
import { runResultsTable } from './run.js';
import { sourceFreshnessTable } from './freshness-results.js';

export const engineMigrations: readonly Migration[] = [
  {
    id: 'engine/0001_run_results',
    description: 'models schema; sb_run_results as first shipped',
    up: async (q, d, { modelsSchema }) => {
      await createTables(q, d, modelsSchema, [runResultsTable(modelsSchema)]);
    },
  },
  {
    id: 'engine/0002_source_freshness',
    description: 'sb_source_freshness: every source table of every freshness check',
    up: async (q, d, { modelsSchema }) => {
      await createTables(q, d, modelsSchema, [sourceFreshnessTable(modelsSchema)]);
    },
  },
];
