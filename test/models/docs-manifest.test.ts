/**
 * manifest.json as dbt has it (v12): models of a package and of a user's folder with their
 * YAML descriptions, data tests, sources (declared in YAML or only read), syncs as exposures,
 * seeds and snapshots by their materialization, and parent_map / child_map; then the real
 * bundled project, whose lineage runs from a raw table to a configured sync.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { generateManifest, MANIFEST_SCHEMA, type Manifest, type ManifestEntry, type SyncExposureInput } from '../../sql/engine/docs-artifacts.js';
import { modelsInQuery } from '../../sql/engine/docs-exposures.js';
import { nodeId, resourceTypeOf } from '../../sql/engine/docs-nodes.js';
import type { Materialization, Model, Project } from '../../sql/engine/model.js';
import { BUNDLED_MODELS_DIR, loadProject } from '../../sql/engine/project.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import { tempFolder } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-docs-');

const duckdb = dialectFor('duckdb');
const settings = { targetSchema: 'analytics', sources: { raw: 'landing' } };
const at = new Date('2026-03-01T12:00:00Z');

/** A bundled-like package: a staged source, a curated model, a sync model; descriptions, tests and a sources.yml. */
function pkg(): string {
  return folder({
    'staging/stg_events.sql': "{{ config(materialized='incremental', unique_key='event_id', tags=['events']) }} select event_id, kind from {{ source('raw', 'events') }}",
    'curated/counts.sql': "{{ config(materialized='table') }} select kind, count(*) as n from {{ ref('stg_events') }} group by kind",
    'outbound/counts_out.sql': "select kind, n from {{ ref('counts') }}",
    'schema.yml': [
      'models:',
      '  - name: counts',
      '    description: Events per kind.',
      '    columns:',
      '      - name: kind',
      '        description: The event kind.',
      '        tests: [unique, not_null]',
      '      - name: n',
      '        description: How many.',
      '  - name: counts_out',
      '    columns:',
      '      - name: kind',
      '        tests:',
      "          - relationships: { to: \"ref('counts')\", field: kind, config: { severity: warn } }",
      '',
    ].join('\n'),
    'sources.yml': [
      'sources:',
      '  - name: raw',
      '    description: What Switchboard lands.',
      '    loaded_at_field: landed_at',
      '    freshness: { warn_after: { count: 1, period: hour } }',
      '    tables:',
      '      - name: events',
      '        description: One row per webhook.',
      '        columns:',
      '          - name: event_id',
      '            description: The dedupe key.',
      '      - name: unread',
      '        description: Declared, read by no model.',
      '        freshness: null',
      '',
    ].join('\n'),
  });
}

/** A user's folder on top: a model that refs the package, and YAML that also describes a package model's column. */
function user(): string {
  return folder({
    'marts/big_counts.sql': "select kind from {{ ref('counts') }} where n > 10",
    'props.yml': 'models:\n  - name: big_counts\n    description: Kinds seen often.\n    columns:\n      - name: kind\n        tests: [not_null]\n  - name: counts\n    columns:\n      - name: n\n        description: How many events of the kind.\n',
  });
}

const syncs: SyncExposureInput[] = [
  { name: 'counts_to_slack', model: 'counts_out', key: 'kind', destination: 'slack', object: 'C0123456789', mode: 'upsert', schedule: '* * * * *', priority: 'alert' },
  { name: 'big_to_zendesk', sql: 'SELECT * FROM analytics.big_counts b JOIN counts c ON c.kind = b.kind', key: 'kind', destination: 'zendesk', object: 'tickets', mode: 'create', schedule: 'off', priority: 'bulk' },
  { name: 'gone', model: 'no_such_model', key: 'id', destination: 'salesforce', object: 'Task', mode: 'upsert', schedule: 'off', priority: 'bulk' },
];

function node(manifest: Manifest, id: string): ManifestEntry & Record<string, any> {
  const entry = manifest.nodes[id] ?? manifest.sources[id] ?? manifest.exposures[id];
  assert.ok(entry !== undefined, `${id} is in the manifest (have ${Object.keys({ ...manifest.nodes, ...manifest.sources, ...manifest.exposures }).join(', ')})`);
  return entry;
}

/** Every id is a key of both maps, and each parent→child link is in both. */
function assertMapsConsistent(manifest: Manifest): void {
  const ids = Object.keys({ ...manifest.nodes, ...manifest.sources, ...manifest.exposures }).sort();
  assert.deepEqual(Object.keys(manifest.parent_map).sort(), ids);
  assert.deepEqual(Object.keys(manifest.child_map).sort(), ids);
  for (const [child, parents] of Object.entries(manifest.parent_map)) {
    for (const parent of parents) assert.ok(manifest.child_map[parent]?.includes(child), `${parent} → ${child} in child_map`);
    assert.deepEqual(parents, [...new Set((node(manifest, child).depends_on?.nodes ?? []) as string[])].sort(), `${child}: parent_map is depends_on.nodes`);
  }
  for (const [parent, children] of Object.entries(manifest.child_map)) {
    for (const child of children) assert.ok(manifest.parent_map[child]?.includes(parent), `${parent} → ${child} in parent_map`);
  }
}

describe('manifest.json', () => {
  test('models of both layers carry dbt ids, paths, config, YAML descriptions, code and what they read', async () => {
    const base = pkg();
    const mine = user();
    const project = await loadProject([{ dir: base, package: 'switchboard' }, { dir: mine, package: 'project' }], duckdb);
    const { manifest } = await generateManifest(project, { dialect: duckdb, settings, adapterType: 'duckdb', generatedAt: at, invocationId: 'inv-1' });

    assert.deepEqual(manifest.metadata, { dbt_schema_version: MANIFEST_SCHEMA, generated_at: '2026-03-01T12:00:00.000Z', invocation_id: 'inv-1', env: {}, project_name: 'project', adapter_type: 'duckdb' });
    for (const key of ['macros', 'docs', 'metrics', 'groups', 'selectors', 'disabled', 'group_map', 'saved_queries', 'semantic_models', 'unit_tests']) {
      assert.deepEqual(manifest[key], {}, `${key}: present, empty`);
    }

    const staged = node(manifest, 'model.switchboard.stg_events');
    assert.equal(staged.resource_type, 'model');
    assert.equal(staged.package_name, 'switchboard');
    assert.equal(staged.path, 'staging/stg_events.sql');
    assert.equal(staged.original_file_path, `${basename(base)}/staging/stg_events.sql`);
    assert.deepEqual(staged.fqn, ['switchboard', 'staging', 'stg_events']);
    assert.equal(staged.schema, 'analytics');
    assert.equal(staged.database, null);
    assert.equal(staged.alias, 'stg_events');
    assert.equal(staged.relation_name, '"analytics"."stg_events"');
    assert.deepEqual(
      { materialized: staged.config.materialized, unique_key: staged.config.unique_key, tags: staged.config.tags, enabled: staged.config.enabled },
      { materialized: 'incremental', unique_key: 'event_id', tags: ['events'], enabled: true },
    );
    assert.deepEqual(staged.tags, ['events']);
    assert.deepEqual(staged.depends_on, { macros: [], nodes: ['source.switchboard.raw.events'] });
    assert.deepEqual(staged.sources, [['raw', 'events']]);
    assert.match(staged.raw_code, /\{\{ source\('raw', 'events'\) \}\}/);
    assert.equal(staged.compiled, true);
    assert.match(staged.compiled_code, /from "landing"\."events"/, 'compiled for the warehouse, the source in its configured schema');
    assert.equal(staged.checksum.name, 'sha256');
    assert.match(staged.checksum.checksum, /^[0-9a-f]{64}$/);

    const counts = node(manifest, 'model.switchboard.counts');
    assert.equal(counts.description, 'Events per kind.');
    assert.deepEqual(Object.keys(counts.columns), ['kind', 'n']);
    assert.equal(counts.columns.kind.description, 'The event kind.');
    assert.equal(counts.columns.n.description, 'How many events of the kind.', "a later layer's YAML wins for a column");
    assert.equal(counts.config.unique_key, null);
    assert.deepEqual(counts.depends_on.nodes, ['model.switchboard.stg_events']);
    assert.deepEqual(counts.refs, [{ name: 'stg_events', package: null, version: null }]);
    assert.equal(counts.patch_path, `project://${basename(mine)}/props.yml`);

    const big = node(manifest, 'model.project.big_counts');
    assert.equal(big.package_name, 'project');
    assert.equal(big.description, 'Kinds seen often.');
    assert.deepEqual(big.fqn, ['project', 'marts', 'big_counts']);
    assert.deepEqual(big.depends_on.nodes, ['model.switchboard.counts']);
    assertMapsConsistent(manifest);
  });

  test('data tests: test_metadata, attached node, column, severity, the package whose YAML declares them', async () => {
    const project = await loadProject([{ dir: pkg(), package: 'switchboard' }, { dir: user(), package: 'project' }], duckdb);
    const { manifest } = await generateManifest(project, { dialect: duckdb, settings, adapterType: 'duckdb' });
    const unique = node(manifest, 'test.switchboard.unique_counts_kind');
    assert.equal(unique.resource_type, 'test');
    assert.deepEqual(unique.test_metadata, { name: 'unique', kwargs: { column_name: 'kind', model: "{{ get_where_subquery(ref('counts')) }}" }, namespace: null });
    assert.equal(unique.attached_node, 'model.switchboard.counts');
    assert.equal(unique.column_name, 'kind');
    assert.deepEqual(unique.depends_on, { macros: [], nodes: ['model.switchboard.counts'] });
    assert.equal(unique.config.severity, 'ERROR');
    assert.match(unique.compiled_code, /GROUP BY "kind" HAVING COUNT\(\*\) > 1/);

    const related = node(manifest, 'test.switchboard.relationships_counts_out_kind');
    assert.deepEqual(related.test_metadata.kwargs, { column_name: 'kind', model: "{{ get_where_subquery(ref('counts_out')) }}", to: "ref('counts')", field: 'kind' });
    assert.deepEqual(related.depends_on.nodes, ['model.switchboard.counts_out', 'model.switchboard.counts']);
    assert.equal(related.config.severity, 'WARN');

    const mine = node(manifest, 'test.project.not_null_big_counts_kind');
    assert.equal(mine.package_name, 'project');
    assert.deepEqual(manifest.child_map['model.project.big_counts'], ['test.project.not_null_big_counts_kind']);
  });

  test('sources: read by a model or declared in YAML, in their configured schema, with YAML descriptions and freshness', async () => {
    const project = await loadProject([{ dir: pkg(), package: 'switchboard' }], duckdb);
    const { manifest } = await generateManifest(project, { dialect: duckdb, settings, adapterType: 'duckdb' });
    assert.deepEqual(Object.keys(manifest.sources), ['source.switchboard.raw.events', 'source.switchboard.raw.unread']);
    const events = node(manifest, 'source.switchboard.raw.events');
    assert.deepEqual(
      {
        schema: events.schema,
        identifier: events.identifier,
        source_name: events.source_name,
        relation_name: events.relation_name,
        description: events.description,
        source_description: events.source_description,
        loader: events.loader,
        loaded_at_field: events.loaded_at_field,
        freshness: events.freshness,
      },
      {
        schema: 'landing',
        identifier: 'events',
        source_name: 'raw',
        relation_name: '"landing"."events"',
        description: 'One row per webhook.',
        source_description: 'What Switchboard lands.',
        loader: 'switchboard',
        loaded_at_field: 'landed_at',
        freshness: { warn_after: { count: 1, period: 'hour' }, error_after: null, filter: null },
      },
    );
    assert.equal(events.columns.event_id.description, 'The dedupe key.');
    assert.equal(node(manifest, 'source.switchboard.raw.unread').freshness, null, 'freshness: null on the table turns it off');
    assert.deepEqual(manifest.child_map['source.switchboard.raw.events'], ['model.switchboard.stg_events']);
    assert.deepEqual(manifest.parent_map['source.switchboard.raw.events'], []);

    // Without a sources.yml, a source is derived from what the models read.
    const bare = await loadProject([folder({ 'a.sql': "select 1 as x from {{ source('raw', 'things') }}" })], duckdb);
    const derived = (await generateManifest(bare, { dialect: duckdb, settings, adapterType: 'duckdb' })).manifest;
    const things = node(derived, 'source.project.raw.things');
    assert.deepEqual({ schema: things.schema, description: things.description, freshness: things.freshness }, { schema: 'landing', description: '', freshness: null });
    assert.equal(things.original_file_path, things.path);

    // A user's YAML that describes a raw table the package reads keeps the package's id, with the user's words.
    const described = await loadProject(
      [
        { dir: folder({ 'stg.sql': "select 1 as x from {{ source('raw', 'things') }}" }), package: 'switchboard' },
        { dir: folder({ 'sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: things\n        description: Things we land.\n' }), package: 'project' },
      ],
      duckdb,
    );
    const redescribed = (await generateManifest(described, { dialect: duckdb, settings, adapterType: 'duckdb' })).manifest;
    assert.deepEqual(Object.keys(redescribed.sources), ['source.switchboard.raw.things']);
    assert.equal(node(redescribed, 'source.switchboard.raw.things').description, 'Things we land.');
  });

  test('syncs are exposures that depend on the models they send; a sync whose model is missing is noted', async () => {
    const project = await loadProject([{ dir: pkg(), package: 'switchboard' }, { dir: user(), package: 'project' }], duckdb);
    const { manifest, notes } = await generateManifest(project, { dialect: duckdb, settings, adapterType: 'duckdb', syncs, configPath: 'conf/switchboard.yaml' });
    const slack = node(manifest, 'exposure.switchboard.counts_to_slack');
    assert.deepEqual(
      { type: slack.type, resource_type: slack.resource_type, owner: slack.owner, path: slack.path, original_file_path: slack.original_file_path, depends_on: slack.depends_on },
      { type: 'application', resource_type: 'exposure', owner: { email: null, name: null }, path: 'switchboard.yaml', original_file_path: 'conf/switchboard.yaml', depends_on: { macros: [], nodes: ['model.switchboard.counts_out'] } },
    );
    assert.match(slack.description, /sends the rows of counts_out to Slack C0123456789, keyed on kind/);
    assert.deepEqual(node(manifest, 'exposure.switchboard.big_to_zendesk').depends_on.nodes, ['model.project.big_counts', 'model.switchboard.counts']);
    assert.deepEqual(node(manifest, 'exposure.switchboard.gone').depends_on.nodes, []);
    assert.deepEqual(notes, ['sync gone sends model no_such_model, which is not in the project (disabled or misspelled): its exposure depends on nothing.']);
    assert.deepEqual(manifest.child_map['model.switchboard.counts_out'], ['exposure.switchboard.counts_to_slack', 'test.switchboard.relationships_counts_out_kind']);
    assertMapsConsistent(manifest);
  });

  test("a sync query's models: schema-qualified (quoted or not) or right after FROM / JOIN, not a column of the same name", async () => {
    const project = await loadProject([pkg()], duckdb);
    const find = (sql: string) => modelsInQuery(sql, { project, targetSchema: 'analytics' });
    assert.deepEqual(find('select * from analytics.counts'), ['counts']);
    assert.deepEqual(find('select * from "analytics"."counts_out" join `analytics.stg_events` on true'), ['counts_out', 'stg_events']);
    assert.deepEqual(find('SELECT c.n FROM counts c'), ['counts']);
    assert.deepEqual(find('select counts, n from other.counts_out'), [], 'a column called counts and another schema are not models');
  });

  test('--no-compile leaves compiled_code out; seeds and snapshots (by materialization) get their own resource types', async () => {
    const loaded = await loadProject([{ dir: pkg(), package: 'switchboard' }], duckdb);
    const extra = (name: string, materialized: string, path: string): Model => ({
      ...(loaded.models.get('counts') as Model),
      name,
      path,
      refs: [],
      config: { ...(loaded.models.get('counts') as Model).config, materialized: materialized as string as Materialization },
    });
    const project: Project = {
      ...loaded,
      models: new Map([...loaded.models, ['sla_targets', extra('sla_targets', 'seed', 'seeds/sla_targets.csv')], ['people_snapshot', extra('people_snapshot', 'snapshot', 'snapshots/people_snapshot.sql')]]),
    };
    const { manifest } = await generateManifest(project, { dialect: duckdb, settings, adapterType: 'duckdb', compile: false });
    const seed = node(manifest, 'seed.switchboard.sla_targets');
    assert.deepEqual({ resource_type: seed.resource_type, path: seed.path, depends_on: seed.depends_on, compiled_code: seed.compiled_code }, { resource_type: 'seed', path: 'sla_targets.csv', depends_on: { macros: [] }, compiled_code: undefined });
    const snapshot = node(manifest, 'snapshot.switchboard.people_snapshot');
    assert.deepEqual({ resource_type: snapshot.resource_type, path: snapshot.path, materialized: snapshot.config.materialized }, { resource_type: 'snapshot', path: 'people_snapshot.sql', materialized: 'snapshot' });
    const counts = node(manifest, 'model.switchboard.counts');
    assert.deepEqual({ compiled: counts.compiled, compiled_code: counts.compiled_code }, { compiled: false, compiled_code: null });
    assert.equal(node(manifest, 'test.switchboard.unique_counts_kind').compiled_code, null);
  });
});

describe('manifest.json of the bundled project', () => {
  const bundledSyncs: SyncExposureInput[] = [
    { name: 'calls_to_salesforce', model: 'salesforce_call_tasks', key: 'call_id', destination: 'salesforce', object: 'Task', mode: 'upsert', schedule: '*/5 * * * *', priority: 'bulk' },
    { name: 'escalations_to_slack', model: 'slack_escalations', key: 'call_id', destination: 'slack', object: 'C0123456789', mode: 'upsert', schedule: '* * * * *', priority: 'alert' },
  ];

  for (const target of ['duckdb', 'postgres', 'bigquery', 'snowflake'] as const) {
    test(`${target}: every bundled model is a node, compiled; the maps agree; lineage runs from raw.voice_events to the Salesforce sync`, async () => {
      const dialect = dialectFor(target);
      const project = await loadProject([BUNDLED_MODELS_DIR], dialect);
      const bundledSettings = { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { priority_callers: [], long_wait_seconds: 120 } };
      const { manifest, notes } = await generateManifest(project, { dialect, settings: bundledSettings, adapterType: target, syncs: bundledSyncs });
      assert.deepEqual(notes, []);
      for (const model of project.models.values()) {
        const entry = node(manifest, nodeId(model));
        assert.equal(entry.original_file_path, `models/${model.path}`);
        if (model.config.materialized === 'snapshot' || model.config.materialized === 'seed') continue; // seeds and snapshots carry no compiled_code
        assert.equal(typeof entry.compiled_code, 'string', `${model.name} compiled for ${target}`);
        assert.doesNotMatch(entry.compiled_code as string, /\{\{|\{%/, `${model.name}: no template left`);
      }
      const kinds = [...project.models.values()].map(resourceTypeOf);
      for (const kind of ['model', 'seed', 'snapshot'] as const) {
        assert.equal(Object.values(manifest.nodes).filter((n) => n.resource_type === kind).length, kinds.filter((k) => k === kind).length, `${kind} nodes`);
      }
      assert.ok(Object.values(manifest.nodes).filter((n) => n.resource_type === 'test').length > 30);
      assert.equal(node(manifest, 'model.switchboard.calls').columns.outcome?.description.startsWith('How the call ended'), true, 'descriptions from models/schema.yml');
      assertMapsConsistent(manifest);

      // raw.voice_events → stg_voice_legs → calls → salesforce_call_tasks → the sync.
      const path = (from: string, to: string): string[] | null => {
        const queue: string[][] = [[from]];
        const seen = new Set([from]);
        while (queue.length > 0) {
          const route = queue.shift() as string[];
          const last = route.at(-1) as string;
          if (last === to) return route;
          for (const child of manifest.child_map[last] ?? []) if (!seen.has(child)) (seen.add(child), queue.push([...route, child]));
        }
        return null;
      };
      const route = path('source.switchboard.raw.voice_events', 'exposure.switchboard.calls_to_salesforce');
      assert.ok(route !== null, 'the sync is downstream of the raw table');
      for (const step of ['model.switchboard.stg_voice_legs', 'model.switchboard.calls', 'model.switchboard.salesforce_call_tasks']) assert.ok(route.includes(step), `${step} on ${route.join(' → ')}`);
      assert.ok(manifest.child_map['model.switchboard.slack_escalations']?.includes('exposure.switchboard.escalations_to_slack'));
    });
  }
});
