/**
 * Source declarations (sources: in the models' YAML) as `switchboard source freshness` reads
 * them: the bundled ones, layering (a later layer overrides, a table beats its source),
 * `freshness: null`, the config's models.freshness, validation with clear errors, source
 * selectors; and the pure parts of a check: the status at each threshold, and the query on
 * every warehouse (compiled only, for BigQuery and Snowflake).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/project.js';
import { loadSources, selectSources, thresholdSeconds, type FreshnessCriteria, type SourceTable } from '../../sql/engine/sources.js';
import { freshnessQuery, freshnessStatus } from '../../sql/engine/freshness.js';
import { modelsRuntime } from '../../sql/engine/from-config.js';
import { parseConfig } from '../../server/config.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import type { ProjectLayer } from '../../sql/engine/model.js';

/** A layer of `files`, removed when the test that makes it ends. */
function layer(files: Record<string, string>, pkg = 'project'): ProjectLayer {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sources-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, package: pkg };
}

const BASE = `sources:
  - name: raw
    loaded_at_field: landed_at
    freshness:
      warn_after: { count: 2, period: hour }
      error_after: { count: 12, period: hour }
    tables:
      - name: voice_events
      - name: meetings_events
        freshness: { error_after: { count: 30, period: minute } }
      - name: work_events
        freshness: null
`;

const byName = (tables: readonly SourceTable[]) => new Map(tables.map((t) => [`${t.source}.${t.table}`, t]));
const criteria = (warn: number | null, error: number | null): FreshnessCriteria => ({
  warnAfter: warn === null ? null : { count: warn, period: 'minute' },
  errorAfter: error === null ? null : { count: error, period: 'minute' },
  filter: null,
});

async function sourcesError(files: Record<string, string>, options = {}): Promise<string> {
  const error = await loadSources([layer(files)], options).then(
    () => assert.fail('expected SB_MODEL_SOURCES'),
    (e: unknown) => e as { code: string; message: string },
  );
  assert.equal(error.code, 'SB_MODEL_SOURCES', error.message);
  return error.message;
}

describe('source declarations', () => {
  test('the bundled sources.yml declares the five raw tables on landed_at, with the configured raw schema; work_events is not checked', async () => {
    const runtime = modelsRuntime(parseConfig({ warehouse: { rawSchema: 'landing' } }), {}, process.cwd());
    const tables = await loadSources(runtime.layers, { schemas: runtime.settings.sources, overrides: runtime.freshness });
    assert.deepEqual(
      tables.map((t) => [t.uniqueId, t.schema, t.loadedAtField, t.freshness === null ? null : [t.freshness.warnAfter, t.freshness.errorAfter]]),
      [
        ['source.switchboard.raw.voice_events', 'landing', 'landed_at', [{ count: 1, period: 'day' }, { count: 3, period: 'day' }]],
        ['source.switchboard.raw.messaging_events', 'landing', 'landed_at', [{ count: 1, period: 'day' }, { count: 3, period: 'day' }]],
        ['source.switchboard.raw.contact_center_events', 'landing', 'landed_at', [{ count: 1, period: 'day' }, { count: 3, period: 'day' }]],
        ['source.switchboard.raw.meetings_events', 'landing', 'landed_at', [{ count: 1, period: 'day' }, { count: 3, period: 'day' }]],
        ['source.switchboard.raw.work_events', 'landing', 'landed_at', null],
      ],
    );
    assert.deepEqual(runtime.layers.map((l) => l.dir), [BUNDLED_MODELS_DIR]);
  });

  test("a table's own freshness replaces its source's, and freshness: null switches it off", async () => {
    const tables = byName(await loadSources([layer({ 'sources.yml': BASE }, 'switchboard')]));
    assert.deepEqual(tables.get('raw.voice_events')?.freshness, { warnAfter: { count: 2, period: 'hour' }, errorAfter: { count: 12, period: 'hour' }, filter: null });
    assert.deepEqual(tables.get('raw.meetings_events')?.freshness, { warnAfter: null, errorAfter: { count: 30, period: 'minute' }, filter: null });
    assert.equal(tables.get('raw.work_events')?.freshness, null);
    assert.equal(tables.get('raw.work_events')?.loadedAtField, 'landed_at');
    assert.equal(tables.get('raw.voice_events')?.schema, 'raw', 'no configured schema: the source name');
  });

  test("a later layer overrides what it names: its source's freshness for tables without their own, a table's freshness, new tables and sources", async () => {
    const user = layer({
      'analytics/sources.yml': `sources:
  - name: raw
    freshness: { warn_after: { count: 45, period: minute } }
    tables:
      - name: work_events
        freshness: { warn_after: { count: 6, period: hour }, error_after: { count: 1, period: day } }
  - name: crm
    schema: salesforce_raw
    loaded_at_field: _loaded_at
    freshness: { error_after: { count: 1, period: day }, filter: "_loaded_at > current_date - 3" }
    tables:
      - name: accounts
        identifier: account
      - name: notes
        loaded_at_field: updated_at
`,
    });
    const tables = await loadSources([layer({ 'sources.yml': BASE }, 'switchboard'), user]);
    const t = byName(tables);
    assert.deepEqual(t.get('raw.voice_events')?.freshness, { warnAfter: { count: 45, period: 'minute' }, errorAfter: null, filter: null }, "the user's source-level block replaces the bundled one");
    assert.deepEqual(t.get('raw.meetings_events')?.freshness?.errorAfter, { count: 30, period: 'minute' }, "the bundled table's own block still beats a source-level one");
    assert.deepEqual(t.get('raw.work_events')?.freshness?.warnAfter, { count: 6, period: 'hour' });
    assert.deepEqual(t.get('raw.work_events')?.declaredIn, ['switchboard:sources.yml', 'project:analytics/sources.yml']);
    assert.equal(t.get('raw.work_events')?.uniqueId, 'source.switchboard.raw.work_events', 'the package that declared the source first');
    const accounts = t.get('crm.accounts');
    assert.deepEqual([accounts?.uniqueId, accounts?.schema, accounts?.identifier, accounts?.loadedAtField], ['source.project.crm.accounts', 'salesforce_raw', 'account', '_loaded_at']);
    assert.equal(accounts?.freshness?.filter, '_loaded_at > current_date - 3');
    assert.equal(t.get('crm.notes')?.loadedAtField, 'updated_at');
    assert.deepEqual(
      tables.map((x) => `${x.source}.${x.table}`),
      ['raw.voice_events', 'raw.meetings_events', 'raw.work_events', 'crm.accounts', 'crm.notes'],
    );
  });

  test('models.freshness overrides by source, then by table; off (null here) switches a table off; it may switch on a declared table', async () => {
    const tables = byName(
      await loadSources([layer({ 'sources.yml': BASE }, 'switchboard')], {
        overrides: {
          'raw.voice_events': null,
          raw: { errorAfter: { count: 4, period: 'hour' } },
          'raw.meetings_events': { warnAfter: { count: 10, period: 'minute' } },
          'raw.work_events': { errorAfter: { count: 2, period: 'day' } },
        },
      }),
    );
    assert.equal(tables.get('raw.voice_events')?.freshness, null, 'the table key wins over the source key, whatever the order written');
    assert.deepEqual(tables.get('raw.meetings_events')?.freshness, { warnAfter: { count: 10, period: 'minute' }, errorAfter: { count: 4, period: 'hour' }, filter: null });
    assert.deepEqual(tables.get('raw.work_events')?.freshness, { warnAfter: null, errorAfter: { count: 2, period: 'day' }, filter: null });
  });

  test('config overrides reach loadSources from models.freshness, and the config refuses a malformed one', () => {
    const file = parseConfig({ models: { freshness: { 'raw.voice_events': { warnAfter: { count: 3, period: 'hour' } }, 'raw.work_events': 'off' } } });
    assert.deepEqual(modelsRuntime(file, {}, process.cwd()).freshness, { 'raw.voice_events': { warnAfter: { count: 3, period: 'hour' } }, 'raw.work_events': null });
    assert.equal(file.models.freshnessSchedule, '*/15 * * * *');
    assert.throws(() => parseConfig({ models: { freshness: { 'raw.voice_events': {} } } }), /models\.freshness.*give warnAfter or errorAfter/s);
    assert.throws(() => parseConfig({ models: { freshness: { 'raw.voice_events': { warnAfter: { count: 3, period: 'week' } } } } }), /period/);
    assert.throws(() => parseConfig({ models: { freshness: { 'Raw-Events': 'off' } } }), /keys are <source> or <source>\.<table>/);
  });

  test('clear errors: unknown keys with a suggestion, bad periods, no thresholds, warn longer than error, thresholds without loaded_at_field, tests on sources, unknown override keys', async () => {
    const one = (table: string, source = '') => ({ 'sources.yml': `sources:\n  - name: raw\n${source}    tables:\n      - name: t\n${table}` });
    assert.match(await sourcesError(one('        freshnes: null\n')), /project:sources\.yml: source raw, table t: unknown key "freshnes" \(did you mean "freshness"\?\)/);
    assert.match(
      await sourcesError(one("        loaded_at_field: x\n        freshness: { warn_after: { count: 2, period: week } }\n")),
      /source raw, table t: freshness\.warn_after\.period must be minute, hour or day \(got "week"\)/,
    );
    assert.match(await sourcesError(one("        loaded_at_field: x\n        freshness: { warn_after: { count: 0, period: hour } }\n")), /count must be a positive whole number/);
    assert.match(await sourcesError(one('        loaded_at_field: x\n        freshness: { filter: "x > 1" }\n')), /gives neither warn_after nor error_after; give one, or write freshness: null/);
    assert.match(
      await sourcesError(one('        loaded_at_field: x\n        freshness: { warn_after: { count: 2, period: day }, error_after: { count: 12, period: hour } }\n')),
      /warn_after \(2 days\) is longer than error_after \(12 hours\), so it could never warn/,
    );
    assert.match(await sourcesError(one('', '    freshness: { error_after: { count: 1, period: hour } }\n')), /raw\.t \(project:sources\.yml\): freshness needs loaded_at_field/);
    assert.match(await sourcesError(one('        tests: [unique]\n')), /tests on sources are not run by Switchboard/);
    assert.match(await sourcesError({ 'a.yml': 'sources: raw\n' }), /project:a\.yml: "sources" must be a list/);
    assert.match(await sourcesError({ 'a.yml': 'sources:\n  - tables: []\n' }), /a source needs a name/);
    const override = await loadSources([layer({ 'sources.yml': BASE })], { overrides: { 'raw.voice_event': null } }).catch((e: unknown) => e as { code: string; message: string; configKey?: string });
    assert.equal((override as { configKey?: string }).configKey, 'models.freshness');
    assert.match((override as { message: string }).message, /models\.freshness names "raw\.voice_event", which is no declared source or source table \(did you mean "raw\.voice_events"\?\)/);
  });

  test('selectors: source:<source> and source:<source>.<table>, as dbt writes them; a miss is SB_MODEL_SELECTOR with a suggestion', async () => {
    const tables = await loadSources([layer({ 'sources.yml': BASE })]);
    assert.deepEqual(selectSources(tables, ['source:raw.meetings_events']).map((t) => t.table), ['meetings_events']);
    assert.deepEqual(selectSources(tables, ['source:raw']).map((t) => t.table), ['voice_events', 'meetings_events', 'work_events']);
    assert.deepEqual(selectSources(tables, ['source:raw.work_events source:raw.voice_events']).map((t) => t.table), ['voice_events', 'work_events'], 'declaration order');
    assert.equal(selectSources(tables, []).length, 3);
    assert.throws(() => selectSources(tables, ['source:raw.voice_event']), { code: 'SB_MODEL_SELECTOR', message: /No declared source table matches "source:raw\.voice_event" \(did you mean "source:raw\.voice_events"\?\)/ });
    assert.throws(() => selectSources(tables, ['raw.voice_events']), { code: 'SB_MODEL_SELECTOR', message: /not a source selector; use source:<source> or source:<source>\.<table>/ });
  });
});

describe('freshness status and query', () => {
  test('exactly at a threshold is not past it (as in dbt); a millisecond more is', () => {
    const c = criteria(60, 120); // warn after 1 h, error after 2 h
    assert.equal(freshnessStatus(0, c), 'pass');
    assert.equal(freshnessStatus(3600, c), 'pass');
    assert.equal(freshnessStatus(3600.001, c), 'warn');
    assert.equal(freshnessStatus(7200, c), 'warn');
    assert.equal(freshnessStatus(7200.001, c), 'error');
    assert.equal(freshnessStatus(-30, c), 'pass', 'a row from the future (clock skew) is fresh');
    assert.equal(freshnessStatus(1e9, criteria(60, null)), 'warn', 'no error_after: never an error');
    assert.equal(freshnessStatus(1e9, criteria(null, 120)), 'error');
    assert.equal(thresholdSeconds({ count: 3, period: 'day' }), 259_200);
  });

  test('the query quotes a column, keeps an expression and the filter as written, and compiles for every warehouse', () => {
    const table: SourceTable = {
      source: 'raw', table: 'voice_events', uniqueId: 'source.switchboard.raw.voice_events', package: 'switchboard', schema: 'raw', identifier: 'voice_events',
      loadedAtField: 'landed_at', freshness: criteria(60, null), declaredIn: [],
    };
    assert.equal(freshnessQuery(dialectFor('duckdb'), table), 'SELECT MAX("landed_at") AS max_loaded_at FROM "raw"."voice_events"');
    assert.equal(freshnessQuery(dialectFor('postgres'), table), 'SELECT MAX("landed_at") AS max_loaded_at FROM "raw"."voice_events"');
    assert.equal(freshnessQuery(dialectFor('bigquery'), table), 'SELECT MAX(`landed_at`) AS max_loaded_at FROM `raw`.`voice_events`');
    assert.equal(freshnessQuery(dialectFor('snowflake'), table), 'SELECT MAX("landed_at") AS max_loaded_at FROM "raw"."voice_events"');
    const expression = { ...table, loadedAtField: 'coalesce(last_received_at, landed_at)', freshness: { ...criteria(60, null), filter: 'conflict_of IS NULL' } };
    assert.equal(freshnessQuery(dialectFor('bigquery'), expression), 'SELECT MAX(coalesce(last_received_at, landed_at)) AS max_loaded_at FROM `raw`.`voice_events` WHERE conflict_of IS NULL');
  });
});
