/**
 * Golden rows: every row of every table the bundled models build in curated/, lookups/,
 * reconciliation/, outbound/ and marts/, on real DuckDB and real Postgres, is exactly the row
 * committed in test/models/fixtures/golden/<table>.json. It guards refactors of the bundled
 * models (shared macros, issue 16): a refactor must change no row.
 *
 * The events (test/models/golden-events.ts) cover every webhook family and every pull, in
 * waves under a fixed, mocked clock, so landed_at and first_received_at are the same on
 * every run: early pulls, wave one two hours later, a first build, Salesforce people
 * written as the destination writes them; wave two two hours later and an incremental
 * build (the early pulls are beyond its lookback: what changed must be found by key); wave
 * three ten minutes after that (inside the lookback) and another; then a full rebuild.
 * Both the incremental and the full result are compared, so the is_incremental() branches
 * are guarded as well as the full ones. Where the two legitimately differ (phone_numbers keeps
 * the landed_at of the build that first saw a number; a full rebuild takes the newest), the
 * golden file holds both: `{ "incremental": [...], "full": [...] }`; otherwise one list.
 *
 * Rows are compared as JSON: timestamps as ISO strings (what the warehouse layer returns),
 * bigints as numbers, other numbers to 12 significant digits (the last bits of a double are
 * no warehouse's promise; DuckDB and Postgres agreed to the bit when this was written), rows
 * sorted by their JSON text. Column order is part of the row. One golden serves both
 * warehouses.
 *
 * A golden change is a change in what analysts see. Regenerate on purpose only:
 *
 *   SWITCHBOARD_UPDATE_GOLDEN=1 node --test dist/test/models/golden-rows.test.js
 *
 * writes the files from DuckDB, then checks Postgres against what it wrote. Commit the new
 * files with a message that explains, table by table, why the rows changed.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import { landPage, preparePull } from '../../ingest/pulls/land.js';
import type { SqlRow } from '../../sql/warehouse.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { SAMPLES } from '../../ingest/test-events.js';
import { GOLDEN_VARS, PEOPLE, WAVES, type Wave } from './golden-events.js';

const GOLDEN_DIR = fileURLToPath(new URL('../../../test/models/fixtures/golden/', import.meta.url));
const UPDATE = process.env['SWITCHBOARD_UPDATE_GOLDEN'] === '1';
/** The first wave lands at T0; the clock ticks a second per webhook and page. */
const T0 = Date.parse('2025-03-06T08:00:00.000Z');

/**
 * The folders whose every model is compared. Another folder (marts/, say) joins by being
 * added here, with its golden files generated as below.
 */
const FOLDERS = ['curated/', 'lookups/', 'reconciliation/', 'outbound/', 'marts/'];
const TABLES = [...(await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'))).models.values()]
  .filter((m) => FOLDERS.some((folder) => m.path.startsWith(folder)))
  .map((m) => m.name)
  .sort();

/** A table's rows as sorted JSON lines. */
type Snapshot = string[];
/** What a golden file holds: one list, or the two results where they differ. */
type Golden = Snapshot | { incremental: Snapshot; full: Snapshot };

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return Number(value.toPrecision(12));
  return value;
}

function snapshotOf(rows: readonly SqlRow[]): Snapshot {
  return rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])))).sort();
}

function goldenPath(table: string): string {
  return join(GOLDEN_DIR, `${table}.json`);
}

function readGolden(table: string): Golden {
  const path = goldenPath(table);
  assert.ok(existsSync(path), `${path} is missing: a new model gets its golden rows with SWITCHBOARD_UPDATE_GOLDEN=1 (see the header of this test)`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown[] | { incremental: unknown[]; full: unknown[] };
  const lines = (rows: unknown[]): Snapshot => rows.map((r) => JSON.stringify(r));
  return Array.isArray(parsed) ? lines(parsed) : { incremental: lines(parsed.incremental), full: lines(parsed.full) };
}

/** One row per line, so that a diff of a golden file shows the rows that changed. */
function writeGolden(table: string, incremental: Snapshot, full: Snapshot): void {
  const list = (rows: Snapshot, indent: string): string => (rows.length === 0 ? '[]' : `[\n${rows.map((r) => `${indent}  ${r}`).join(',\n')}\n${indent}]`);
  const same = incremental.join('\n') === full.join('\n');
  const text = same ? list(full, '') : `{\n  "incremental": ${list(incremental, '  ')},\n  "full": ${list(full, '  ')}\n}`;
  mkdirSync(GOLDEN_DIR, { recursive: true });
  writeFileSync(goldenPath(table), `${text}\n`);
}

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`golden rows of the bundled models on ${warehouse}`, () => {
    let h: Harness;
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const incremental = new Map<string, Snapshot>();
    const full = new Map<string, Snapshot>();

    // Land each webhook before the clock moves on: the drainer lands in the background, and
    // landed_at is its clock's time, so a tick between sending and landing would race it.
    const settle = async (): Promise<void> => {
      await h.drain();
      mock.timers.tick(1000);
    };
    const land = async (wave: Wave): Promise<void> => {
      for (const [family, body] of wave.webhooks) {
        const response = await h.send(family, { body });
        assert.equal(response.statusCode, 200, `${family} ${body.slice(0, 80)}: ${JSON.stringify(response.json)}`);
        await settle();
      }
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      for (const page of wave.pages) {
        const target = { rawSchema, table: page.table, family: page.family, source: `golden-${page.table}`, runId: 'run-golden' };
        await preparePull(h.server.warehouse, target);
        await landPage(h.server.warehouse, target, page.events, { test: true });
        mock.timers.tick(1000);
      }
    };
    const runBuild = async (settings: ProjectSettings, fullRefresh: boolean): Promise<void> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings, fullRefresh });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass'), [], 'every model builds and every data test passes');
    };
    /** What the Salesforce destination's pull writes into salesforce_people before a sync. */
    const writePeople = async (): Promise<void> => {
      const d = h.server.warehouse.dialect;
      for (const p of PEOPLE) {
        await h.server.warehouse.run(
          `INSERT INTO ${d.tableName(analytics, 'salesforce_people')} (id, object, phone_field, phone_raw, phone_e164, pulled_at, account_id) VALUES ('${p.id}', '${p.object}', '${p.phone_field}', '${p.phone_raw}', '${p.phone_e164}', CAST('2025-03-06T08:05:00Z' AS ${d.typeName('timestamp')}), ${p.account_id === null ? 'NULL' : `'${p.account_id}'`})`,
        );
      }
    };
    const snapshot = async (into: Map<string, Snapshot>): Promise<void> => {
      for (const table of TABLES) into.set(table, snapshotOf(await h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, table)}`)));
    };

    before(async () => {
      mock.timers.enable({ apis: ['Date'], now: T0 });
      try {
        h = await startHarness({ warehouse });
        await h.drain(); // the server's raw tables exist before the pulls land beside them
        const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
        const settings: ProjectSettings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: GOLDEN_VARS, lookbackSeconds: 3600 };
        // Every documented sample (the CALL_ACTION one is refused by design, 422); Contact
        // Center events get fixed event ids (the default is random).
        for (const [family, samples] of Object.entries(SAMPLES)) {
          for (const sample of Object.keys(samples)) {
            const response = await h.send(family as FamilyName, { sample, eventId: `golden-${sample}` });
            assert.equal(response.statusCode, sample === 'call-action' ? 422 : 200, `${family}/${sample}`);
            await settle();
          }
        }
        let builds = 0;
        for (const wave of WAVES) {
          mock.timers.tick(wave.gapMs);
          await land(wave);
          if (!wave.build) continue;
          await runBuild(settings, false);
          if (++builds === 1) await writePeople();
        }
        await snapshot(incremental);
        await runBuild(settings, true);
        await writePeople(); // a full refresh empties salesforce_people; the next sync's pull fills it again
        await snapshot(full);
      } finally {
        mock.timers.reset();
      }
      if (UPDATE && warehouse === 'duckdb') for (const table of TABLES) writeGolden(table, incremental.get(table) ?? [], full.get(table) ?? []);
    });

    after(async () => {
      if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.quoteIdent(analytics)} CASCADE`);
      await h.close();
    });

    for (const table of TABLES) {
      test(`${table}: every row, after an incremental build and after a full rebuild, is the golden row`, () => {
        const golden = readGolden(table);
        const expected = Array.isArray(golden) ? { incremental: golden, full: golden } : golden;
        // account_call_rollup is a table read from salesforce_people, which a full refresh empties
        // until the next pull: right after the full rebuild it is empty, and the next build fills it.
        assert.ok((incremental.get(table) ?? []).length > 0, `${table} has rows: the events must reach every table, or the golden guards nothing`);
        assert.deepEqual(incremental.get(table), expected.incremental, `${table} after the incremental build`);
        assert.deepEqual(full.get(table), expected.full, `${table} after the full rebuild`);
      });
    }
  });
}
