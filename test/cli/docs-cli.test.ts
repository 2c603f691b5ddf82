/**
 * `switchboard docs generate` as an operator runs it: a real process writes manifest.json and
 * catalog.json into models.targetDir, with the warehouse opened directly, with none at all
 * (--empty-catalog), and through a running server that holds the DuckDB file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../sql/engine/docs-artifacts.js';
import type { Catalog } from '../../sql/engine/docs-catalog.js';
import { runCli as cli } from '../helpers/cli-process.js';
import { serveInTempHome } from '../helpers/server-process.js';

/** Nothing listens on the discard port: the command opens the warehouse itself. */
const NO_SERVER = ['--admin-url', 'http://127.0.0.1:9'];

const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('switchboard docs generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-docs-cli-'));
  before(() => {
    mkdirSync(join(dir, 'project'));
    writeFileSync(join(dir, 'project', 'people.sql'), "{{ config(materialized='table') }} select 1 as id, 'Ada' as name union all select 2, 'Grace'");
    writeFileSync(join(dir, 'project', 'greetings.sql'), "select id, 'Hello ' || name as greeting from {{ ref('people') }}");
    writeFileSync(join(dir, 'project', 'schema.yml'), 'models:\n  - name: people\n    description: The people we greet.\n    columns:\n      - name: id\n        description: Their id.\n        tests: [unique]\n');
    writeFileSync(
      join(dir, 'switchboard.yaml'),
      [
        'warehouse:\n  type: duckdb\n  path: ./wh.duckdb',
        'models:\n  dir: ./project\n  schema: marts\n  targetDir: ./target\n  schedule: "off"',
        'destinations:\n  slack: {}',
        'syncs:\n  - name: greetings_to_slack\n    model: greetings\n    key: id\n    destination: slack\n    object: C0123456789\n    mapping: { text: greeting }',
        'log:\n  level: warn\n',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('has --help with examples and the dbt flags', async () => {
    const help = await cli(['docs', 'generate', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--no-compile/);
    assert.match(help.stdout, /--empty-catalog/);
    assert.match(help.stdout, /Examples:\n  switchboard docs generate/);
  });

  test('before a build: both files written, exit 0, every relation reported missing; after a build: their columns', async () => {
    const first = await cli(['docs', 'generate', ...NO_SERVER], dir);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^Manifest: 2 models, 1 data test, 0 sources, 1 exposure, compiled for duckdb\.$/m);
    assert.match(first.stdout, /^Reading the catalog from DuckDB /m);
    assert.match(first.stdout, /^Catalog: 0 of 2 relations found\.$/m);
    assert.match(first.stdout, /^ {4}model\.project\.people \(marts\.people\)$/m);
    assert.match(first.stdout, /^Wrote target\/manifest\.json and target\/catalog\.json\.$/m);

    const built = await cli(['build', ...NO_SERVER], dir);
    assert.equal(built.code, 0, built.stdout + built.stderr);
    const second = await cli(['docs', 'generate', ...NO_SERVER], dir);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^Catalog: 2 of 2 relations found\.$/m);
    assert.doesNotMatch(second.stdout, /Not in the warehouse/);

    const manifest = read<Manifest>(join(dir, 'target', 'manifest.json'));
    const catalog = read<Catalog>(join(dir, 'target', 'catalog.json'));
    assert.equal(manifest.metadata.invocation_id, catalog.metadata.invocation_id, 'the two files say they belong together');
    assert.equal(manifest.metadata.adapter_type, 'duckdb');
    const people = manifest.nodes['model.project.people'] as Record<string, any>;
    assert.equal(people.description, 'The people we greet.');
    assert.equal(people.columns.id.description, 'Their id.');
    assert.match(people.compiled_code, /select 1 as id/);
    assert.deepEqual(manifest.exposures['exposure.switchboard.greetings_to_slack']?.depends_on, { macros: [], nodes: ['model.project.greetings'] });
    assert.equal(manifest.exposures['exposure.switchboard.greetings_to_slack']?.original_file_path, 'switchboard.yaml');
    assert.deepEqual(manifest.child_map['model.project.people'], ['model.project.greetings', 'test.project.unique_people_id']);
    assert.deepEqual(catalog.nodes['model.project.people']?.columns.id, { type: 'INTEGER', index: 1, name: 'id', comment: null });
    assert.deepEqual(catalog.nodes['model.project.greetings']?.metadata.type, 'VIEW');
  });

  test('--no-compile --empty-catalog needs no warehouse', async () => {
    const config = join(dir, 'elsewhere.yaml');
    writeFileSync(config, 'warehouse:\n  type: duckdb\n  path: ./none.duckdb\nmodels:\n  dir: ./project\n  targetDir: ./target-empty\n');
    const res = await cli(['docs', 'generate', '--no-compile', '--empty-catalog', '--config', config, ...NO_SERVER], dir);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /^Catalog: left empty \(--empty-catalog\)\.$/m);
    assert.equal(existsSync(join(dir, 'none.duckdb')), false, 'no warehouse file was made');
    const manifest = read<Manifest>(join(dir, 'target-empty', 'manifest.json'));
    assert.equal((manifest.nodes['model.project.people'] as Record<string, unknown>).compiled_code, null);
    assert.deepEqual(read<Catalog>(join(dir, 'target-empty', 'catalog.json')).nodes, {});
  });

  describe('with a server running', () => {
    const served = serveInTempHome('switchboard-docs-cli-serve-', 'log:\n  level: warn\nmodels:\n  schedule: "off"\n');
    const { home } = served;

    test('the catalog is read in the server, which holds the DuckDB file', async () => {
      assert.equal((await cli(['send-test-event', 'voice', '--url', served.server.url], home)).code, 0);
      const built = await cli(['build', '--select', '+calls', '--admin-url', served.server.adminUrl], home);
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const res = await cli(['docs', 'generate', '--admin-url', served.server.adminUrl], home);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, new RegExp(`^Reading the catalog in the server at ${served.server.adminUrl.replaceAll('.', '\\.')} \\(it holds the warehouse\\)\\.$`, 'm'));
      assert.match(res.stdout, /^ {4}model\.switchboard\.salesforce_call_tasks \(analytics\.salesforce_call_tasks\)$/m, 'not built by +calls: reported');
      const catalog = read<Catalog>(join(home, 'data', 'target', 'catalog.json'));
      assert.equal(catalog.nodes['model.switchboard.calls']?.columns.call_id?.index, 1);
      assert.ok(catalog.sources['source.switchboard.raw.voice_events']?.columns.dedupe_key, 'the raw table serve landed into');
      assert.equal(catalog.nodes['model.switchboard.salesforce_call_tasks'], undefined);
      const manifest = read<Manifest>(join(home, 'data', 'target', 'manifest.json'));
      assert.ok(Object.keys(manifest.nodes).includes('model.switchboard.stg_voice_legs'));
    });

    test('with the server unreachable the DuckDB file is locked: SB_DOCS_CATALOG_UNAVAILABLE says what to do, the manifest is written', async () => {
      rmSync(join(home, 'data', 'target', 'manifest.json'), { force: true });
      const res = await cli(['docs', 'generate', ...NO_SERVER], home);
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, /^error SB_DOCS_CATALOG_UNAVAILABLE: Could not read the catalog from DuckDB .*data\/target\/manifest\.json is written; catalog\.json is not\. If serve is running, let this command reach its operator API \(admin\.host, admin\.port, or --admin-url\)/m);
      assert.match(res.stderr, /--empty-catalog/);
      assert.ok(existsSync(join(home, 'data', 'target', 'manifest.json')));
    });
  });
});
