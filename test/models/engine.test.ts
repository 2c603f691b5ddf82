import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../sql/engine/project.js';
import { buildOrder } from '../../sql/engine/dag.js';
import { selectModels } from '../../sql/engine/select.js';
import { compileModel } from '../../sql/engine/compile.js';
import type { Model, Project } from '../../sql/engine/model.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import { tempFolder } from '../helpers/project-files.js';

const BASIC = fileURLToPath(new URL('../../../test/models/fixtures/basic', import.meta.url));
const duckdb = dialectFor('duckdb');

const projectWith = (files: Record<string, string>): string => tempFolder(files, 'switchboard-models-');

async function rejects(files: Record<string, string>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(loadProject(projectWith(files), duckdb), (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

const names = (models: Model[]): string[] => models.map((m) => m.name);
const model = (project: Project, name: string): Model => project.models.get(name) as Model;

describe('loading a models project', () => {
  test('reads every .sql file as a model with its config, refs and sources', async () => {
    const project = await loadProject(BASIC, duckdb);
    assert.deepEqual([...project.models.keys()].sort(), ['meetings', 'message_counts', 'messages', 'stg_meetings', 'stg_messages']);
    const messages = model(project, 'messages');
    assert.equal(messages.path, 'curated/messages.sql');
    assert.deepEqual(messages.config, { materialized: 'incremental', uniqueKey: ['message_id'], tags: ['messages', 'curated'], schema: undefined, mergeWindowColumn: undefined, updatedAt: undefined, incrementalStrategy: 'delete+insert', onSchemaChange: 'rebuild', enabled: true });
    assert.deepEqual(messages.refs, ['stg_messages']);
    assert.deepEqual(model(project, 'stg_messages').sources, [['raw', 'messaging_events']]);
    assert.equal(model(project, 'stg_meetings').config.materialized, 'view', 'dbt default');
  });

  test('counts a ref that appears only inside {% if is_incremental() %}', async () => {
    const project = await loadProject(
      projectWith({ 'a.sql': 'select 1 as x', 'b.sql': "select * from {{ ref('a') }}{% if is_incremental() %} join {{ ref('c') }} using (x){% endif %}", 'c.sql': 'select 1 as x' }),
      duckdb,
    );
    assert.deepEqual(model(project, 'b').refs, ['a', 'c']);
  });

  test('names the file and suggests a fix for an unknown ref', async () => {
    await rejects({ 'calls.sql': "select * from {{ ref('stg_cals') }}", 'stg_calls.sql': 'select 1' }, 'SB_MODEL_UNKNOWN_REF', /calls\.sql: ref\('stg_cals'\) names no model \(did you mean 'stg_calls'\?\)/);
  });

  test('refuses two models with one name, a bad materialization, and incremental without a key', async () => {
    await rejects({ 'a/x.sql': 'select 1', 'b/x.sql': 'select 2' }, 'SB_MODEL_DUPLICATE', /a\/x\.sql and b\/x\.sql/);
    await rejects({ 'x.sql': "{{ config(materialized='ephemeral') }}select 1" }, 'SB_MODEL_CONFIG', /use view, table, incremental/);
    await rejects({ 'x.sql': "{{ config(materialized='incremental') }}select 1" }, 'SB_MODEL_CONFIG', /unique_key/);
    await rejects({ 'x.sql': "{{ config(materialised='table') }}select 1" }, 'SB_MODEL_CONFIG', /materialised=…\): unknown setting/);
  });

  test('reports a template error with the file name', async () => {
    await rejects({ 'broken.sql': 'select {{ ref( }}' }, 'SB_MODEL_TEMPLATE', /^broken\.sql: /);
    await rejects({ 'undef.sql': 'select {{ nonsense }}' }, 'SB_MODEL_TEMPLATE', /undef\.sql: \[Line 1, Column 8\].*undefined.*can use ref, source, config/);
  });
});

describe('the DAG and selection', () => {
  test('builds every model after the models it reads', async () => {
    assert.deepEqual(names(buildOrder(await loadProject(BASIC, duckdb))), ['stg_meetings', 'meetings', 'stg_messages', 'messages', 'message_counts']);
  });

  test('names the loop when models ref each other in a cycle', async () => {
    const project = await loadProject(projectWith({ 'a.sql': "select * from {{ ref('b') }}", 'b.sql': "select * from {{ ref('c') }}", 'c.sql': "select * from {{ ref('a') }}" }), duckdb);
    assert.throws(() => buildOrder(project), /SB_MODEL_CYCLE|a → b → c → a/);
  });

  test('selects like dbt: name, name+, +name, tag:, unions, and none for all', async () => {
    const project = await loadProject(BASIC, duckdb);
    assert.deepEqual(names(selectModels(project, ['messages'])), ['messages']);
    assert.deepEqual(names(selectModels(project, ['stg_messages+'])), ['stg_messages', 'messages', 'message_counts']);
    assert.deepEqual(names(selectModels(project, ['+meetings'])), ['stg_meetings', 'meetings']);
    assert.deepEqual(names(selectModels(project, ['tag:curated'])), ['meetings', 'messages']);
    assert.deepEqual(names(selectModels(project, ['meetings message_counts'])), ['meetings', 'message_counts']);
    assert.equal(selectModels(project, []).length, 5);
  });

  test('excludes like dbt --exclude, after the selection', async () => {
    const project = await loadProject(BASIC, duckdb);
    assert.deepEqual(names(selectModels(project, [], ['tag:curated'])), names(selectModels(project, [])).filter((n) => n !== 'meetings' && n !== 'messages'));
    assert.deepEqual(names(selectModels(project, ['stg_messages+'], ['message_counts'])), ['stg_messages', 'messages']);
    assert.throws(() => selectModels(project, [], ['tag:nope']), /No model has tag "nope"/);
  });

  test('a selector that matches nothing says so, with a suggestion', async () => {
    const project = await loadProject(BASIC, duckdb);
    assert.throws(() => selectModels(project, ['mesages']), /No model is named "mesages" \(did you mean "messages"\?\)/);
    assert.throws(() => selectModels(project, ['tag:nope']), /No model has tag "nope"/);
    assert.throws(() => selectModels(project, ['a++']), /not a selector/);
  });
});

describe('compiling models', () => {
  const options = { targetSchema: 'analytics', sources: { raw: 'raw' } };

  test('resolves ref, source, this and the incremental branch', async () => {
    const project = await loadProject(BASIC, duckdb);
    const full = compileModel(project, model(project, 'messages'), { ...options, dialect: duckdb });
    assert.equal(full, 'select umid as message_id, first_received_at\nfrom "analytics"."stg_messages"');
    const incremental = compileModel(project, model(project, 'messages'), { ...options, dialect: duckdb, incremental: true });
    assert.match(incremental, /where first_received_at > \(select max\(first_received_at\) from "analytics"\."messages"\)/);
    const meetings = compileModel(project, model(project, 'meetings'), { ...options, dialect: duckdb });
    assert.equal(meetings, 'select session_id as meeting_id from "analytics"."stg_meetings"');
  });

  test('writes each warehouse its own SQL for portable macros', async () => {
    const project = await loadProject(BASIC, duckdb);
    const expected = {
      duckdb: `json_extract_string(body, '$."payload"."umid"') as umid`,
      postgres: `(CAST(body AS jsonb) #>> '{"payload","umid"}') as umid`,
      bigquery: `JSON_VALUE(body, '$."payload"."umid"') as umid`,
      snowflake: `CAST(GET_PATH(PARSE_JSON(body), '["payload"]["umid"]') AS VARCHAR) as umid`,
    } as const;
    for (const [name, line] of Object.entries(expected)) {
      const sql = compileModel(project, model(project, 'stg_messages'), { ...options, dialect: dialectFor(name as keyof typeof expected) });
      assert.ok(sql.includes(line), `${name}: ${sql}`);
    }
    const bq = compileModel(project, model(project, 'stg_messages'), { ...options, dialect: dialectFor('bigquery') });
    assert.match(bq, /from `raw`\.`messaging_events`/);
  });

  test('an unknown source names the known ones', async () => {
    const project = await loadProject(BASIC, duckdb);
    assert.throws(
      () => compileModel(project, model(project, 'stg_messages'), { dialect: duckdb, targetSchema: 'analytics', sources: { landing: 'raw' } }),
      /source\('raw', 'messaging_events'\) names no source; known sources: landing/,
    );
  });
});
