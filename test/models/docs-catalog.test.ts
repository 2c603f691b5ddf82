/**
 * catalog.json as dbt has it (v1) after a real build on DuckDB and Postgres: each built model
 * and each source table with its columns, the warehouse's own type names and their position;
 * what is not built is left out and reported. BigQuery and Snowflake: the catalog queries
 * compiled only (their INFORMATION_SCHEMA), never executed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateManifest } from '../../sql/engine/docs-artifacts.js';
import { CATALOG_SCHEMA, catalogOf, catalogTargets, emptyCatalog, readRelations } from '../../sql/engine/docs-catalog.js';
import { loadProject } from '../../sql/engine/project.js';
import { build } from '../../sql/engine/run.js';
import { introspectorOf } from '../../sql/introspect.js';
import type { Queryable, SqlRow } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { tempFolder } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-catalog-');

const project = () =>
  folder({
    'staging/stg_events.sql': "{{ config(materialized='table') }} select event_id, kind, cast(1 as integer) as weight from {{ source('raw', 'events') }}",
    'curated/kinds.sql': "select kind, count(*) as n from {{ ref('stg_events') }} group by kind",
    'curated/not_built.sql': "select kind from {{ ref('kinds') }}",
  });

const TYPES = {
  duckdb: { text: 'VARCHAR', integer: 'INTEGER', count: 'BIGINT', timestamp: 'TIMESTAMP WITH TIME ZONE' },
  postgres: { text: 'text', integer: 'integer', count: 'bigint', timestamp: 'timestamp with time zone' },
} as const;

for (const kind of ['duckdb', 'postgres'] as const) {
  test(`${kind}: catalog.json after a build has each built model's and source's columns with warehouse types; the rest is reported missing`, async () => {
    const dir = folder({});
    const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
    const raw = kind === 'duckdb' ? 'raw' : uniqueSchema('raw');
    const analytics = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
    const settings = { targetSchema: analytics, sources: { raw } };
    try {
      await wh.run(`CREATE SCHEMA ${raw}`);
      await wh.run(`CREATE TABLE ${raw}.events (event_id ${wh.dialect.typeName('text')}, kind ${wh.dialect.typeName('text')}, landed_at ${wh.dialect.typeName('timestamp')})`);
      await wh.run(`INSERT INTO ${raw}.events (event_id, kind, landed_at) VALUES ('e1', 'call', CURRENT_TIMESTAMP), ('e2', 'sms', CURRENT_TIMESTAMP)`);
      const loaded = await loadProject([project()], wh.dialect);
      const results = await build(wh, loaded, { settings, select: ['stg_events', 'kinds'] });
      assert.equal(results.success, true, JSON.stringify(results.results));

      const { manifest } = await generateManifest(loaded, { dialect: wh.dialect, settings, adapterType: kind, invocationId: 'inv-2' });
      const targets = catalogTargets(manifest);
      assert.deepEqual(targets.map((t) => t.uniqueId).sort(), ['model.project.kinds', 'model.project.not_built', 'model.project.stg_events', 'source.project.raw.events']);
      const relations = await readRelations(wh.introspector, targets);
      const { catalog, missing } = catalogOf(targets, relations, { generatedAt: new Date('2026-03-01T00:00:00Z'), invocationId: 'inv-2' });

      assert.deepEqual(catalog.metadata, { dbt_schema_version: CATALOG_SCHEMA, generated_at: '2026-03-01T00:00:00.000Z', invocation_id: 'inv-2', env: {} });
      assert.deepEqual(missing.map((m) => `${m.uniqueId} ${m.schema}.${m.name}`), [`model.project.not_built ${analytics}.not_built`]);
      assert.deepEqual(Object.keys(catalog.nodes).sort(), ['model.project.kinds', 'model.project.stg_events']);
      const t = TYPES[kind];
      const staged = catalog.nodes['model.project.stg_events'];
      assert.deepEqual(staged?.metadata, { type: 'BASE TABLE', schema: analytics, name: 'stg_events', database: null, comment: null, owner: null });
      assert.deepEqual(staged?.columns, {
        event_id: { type: t.text, index: 1, name: 'event_id', comment: null },
        kind: { type: t.text, index: 2, name: 'kind', comment: null },
        weight: { type: t.integer, index: 3, name: 'weight', comment: null },
      });
      assert.deepEqual(staged?.stats, { has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false, description: 'Indicates whether there are statistics for this table' } });
      assert.equal(staged?.unique_id, 'model.project.stg_events');
      const kinds = catalog.nodes['model.project.kinds'];
      assert.equal(kinds?.metadata.type, 'VIEW');
      assert.deepEqual(kinds?.columns.n, { type: t.count, index: 2, name: 'n', comment: null });
      const events = catalog.sources['source.project.raw.events'];
      assert.equal(events?.metadata.schema, raw);
      assert.deepEqual(Object.values(events?.columns ?? {}).map((c) => [c.name, c.type, c.index]), [
        ['event_id', t.text, 1],
        ['kind', t.text, 2],
        ['landed_at', t.timestamp, 3],
      ]);
    } finally {
      if (kind === 'postgres') {
        await wh.run(`DROP SCHEMA IF EXISTS ${raw} CASCADE`);
        await wh.run(`DROP SCHEMA IF EXISTS ${analytics} CASCADE`);
      }
      await wh.close();
    }
  });
}

for (const target of ['bigquery', 'snowflake'] as const) {
  test(`${target}: the catalog reads its INFORMATION_SCHEMA views (compiled, not run)`, async () => {
    const dialect = dialectFor(target, { schemaPrefix: 'sb_' });
    const asked: string[] = [];
    const answers = (sql: string): SqlRow[] => {
      if (/\.?tables\b/i.test(sql)) return [{ table_schema: 'sb_analytics', table_name: 'calls', table_type: 'BASE TABLE' }];
      return [{ column_name: 'call_id', data_type: 'STRING', is_nullable: 'NO', ordinal_position: 1 }];
    };
    const fake = {
      all: async (sql: string) => (asked.push(sql), answers(sql)),
      run: async () => undefined,
      writeRows: async () => undefined,
    } as unknown as Queryable;
    const relations = await readRelations(introspectorOf(fake, () => dialect), [
      { schema: 'analytics', name: 'calls' },
      { schema: 'raw', name: 'voice_events' },
    ]);
    assert.deepEqual(relations, [{ schema: 'analytics', name: 'calls', kind: 'table', columns: [{ name: 'call_id', dataType: 'STRING', nullable: false, ordinal: 1 }] }]);
    assert.equal(asked.length, 2, 'one query for the relations of every schema, one for the columns of the one that exists');
    const [tables, columns] = asked as [string, string];
    if (target === 'bigquery') {
      assert.match(tables, /FROM `sb_analytics`\.INFORMATION_SCHEMA\.tables[\s\S]*UNION ALL[\s\S]*FROM `sb_raw`\.INFORMATION_SCHEMA\.tables/);
      assert.match(columns, /FROM `sb_analytics`\.INFORMATION_SCHEMA\.columns WHERE table_schema = @p1 AND table_name = @p2/);
    } else {
      assert.match(tables, /FROM information_schema\.tables WHERE table_schema IN \(/);
      assert.match(columns, /FROM information_schema\.columns WHERE table_schema = /);
    }
    const { catalog, missing } = catalogOf(
      [
        { uniqueId: 'model.switchboard.calls', section: 'nodes', schema: 'analytics', name: 'calls' },
        { uniqueId: 'source.switchboard.raw.voice_events', section: 'sources', schema: 'raw', name: 'voice_events' },
      ],
      relations,
      { generatedAt: new Date(0), invocationId: 'x' },
    );
    assert.deepEqual(Object.keys(catalog.nodes), ['model.switchboard.calls']);
    assert.deepEqual(missing.map((m) => m.uniqueId), ['source.switchboard.raw.voice_events']);
  });
}

test('--empty-catalog: the metadata and no relations', () => {
  assert.deepEqual(emptyCatalog({ generatedAt: new Date('2026-01-01T00:00:00Z'), invocationId: 'i' }), {
    metadata: { dbt_schema_version: CATALOG_SCHEMA, generated_at: '2026-01-01T00:00:00.000Z', invocation_id: 'i', env: {} },
    nodes: {},
    sources: {},
    errors: null,
  });
});
