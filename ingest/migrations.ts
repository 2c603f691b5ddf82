/**
 * The numbered migrations of ingest's tables in `<rawSchema>`: rejections, the spool
 * checkpoint, the quarantine, the pulls' cursors, runs and failed pages, and schema drift's
 * learned paths (plus its findings, `<models.schema>.schema_drift`). sql/migrations/ says how
 * they run; server/migrations.ts applies them at start-up with the others.
 *
 * The raw event tables (one per family, `voice_events`, …) and their `_json` views are
 * created by name when a drainer, a pull or a build first needs them (raw-tables.ts
 * `ensureRawEventTable`), with today's columns; the columns added to them since are
 * migrations here, applied to the ones that exist.
 */
import type { Migration } from '../sql/migrations/migration.js';
import { addColumns, createTables, withoutColumns } from '../sql/migrations/steps.js';
import { FAMILY_TABLES } from './families/family.js';
import { checkpointTable, PULL_ONLY_TABLES, quarantineTable, rawEventTable, rejectionsTable } from './raw-tables.js';
import { pullCursorsTable } from './pulls/land.js';
import { pullRunsTable } from './pulls/runner.js';
import { pullFailuresTable } from './pulls/failures.js';
import { driftWatermarksTable, schemaDriftTable, schemaPathsTable } from './drift/tables.js';

/** Columns of every raw event table added in 0.2. */
const RAW_EVENT_COLUMNS_0_2 = ['body_sha256', 'body_json', 'conflict_of'];
/** Columns of `rejections` added in 0.2. */
const REJECTIONS_COLUMNS_0_2 = ['body_sha256', 'occurrences'];
/** Added by ingest/0003. */
const PULL_RUNS_NOTES = ['notes'];

/** Every raw event table a version of Switchboard has created: every family's, and the pull-only ones. */
function rawEventTableNames(): string[] {
  return [...new Set([...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES])];
}

export const ingestMigrations: readonly Migration[] = [
  {
    id: 'ingest/0001_control_tables',
    description: 'raw schema; rejections, _spool_checkpoints, _quarantine, _pull_cursors and _pull_runs as first shipped',
    up: async (q, d, { rawSchema }) => {
      await createTables(q, d, rawSchema, [
        withoutColumns(rejectionsTable(rawSchema), REJECTIONS_COLUMNS_0_2),
        checkpointTable(rawSchema),
        quarantineTable(rawSchema),
        pullCursorsTable(rawSchema),
        withoutColumns(pullRunsTable(rawSchema), PULL_RUNS_NOTES),
      ]);
    },
  },
  {
    id: 'ingest/0002_columns_0_2',
    description: 'raw event tables gain body_sha256, body_json and conflict_of; rejections gains body_sha256 and occurrences (0.2)',
    up: async (q, d, { rawSchema }) => {
      for (const name of rawEventTableNames()) await addColumns(q, d, rawEventTable(rawSchema, name), RAW_EVENT_COLUMNS_0_2);
      await addColumns(q, d, rejectionsTable(rawSchema), REJECTIONS_COLUMNS_0_2);
    },
  },
  {
    id: 'ingest/0003_pull_run_notes',
    description: "_pull_runs gains notes: what a run told the operator (PullRunResult.notes), kept after the run's log is gone",
    up: async (q, d, { rawSchema }) => {
      await addColumns(q, d, pullRunsTable(rawSchema), PULL_RUNS_NOTES);
    },
  },
  {
    id: 'ingest/0004_schema_drift',
    description: 'schema drift: _schema_paths and _schema_drift_watermarks in the raw schema, schema_drift in the models schema (next to sb_run_results)',
    up: async (q, d, { rawSchema, modelsSchema }) => {
      await createTables(q, d, rawSchema, [schemaPathsTable(rawSchema), driftWatermarksTable(rawSchema)]);
      await createTables(q, d, modelsSchema, [schemaDriftTable(modelsSchema)]);
    },
  },
  {
    id: 'ingest/0005_pull_failures',
    description: '_pull_failures: pull pages that failed, with the cursor and position to pull them again (switchboard dlq)',
    up: async (q, d, { rawSchema }) => {
      await createTables(q, d, rawSchema, [pullFailuresTable(rawSchema)]);
    },
  },
];
