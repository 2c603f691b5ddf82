/**
 * Compile tests for every bundled model on all four warehouses, full and incremental: no
 * template text left, each warehouse's own functions and quoting, and at the end every
 * model, both branches, run against empty raw tables on DuckDB and Postgres. The macros
 * themselves are pinned in test/sql/macro-sql.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { rawEventTable } from '../../ingest/raw-tables.js';
import { compileModel, modelSchema, type CompileOptions } from '../../sql/engine/compile.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { Model, Project } from '../../sql/engine/model.js';
import { loadProject } from '../../sql/engine/project.js';
import { build } from '../../sql/engine/run.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse, type DialectName } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';

const DIALECTS: readonly DialectName[] = ['duckdb', 'postgres', 'bigquery', 'snowflake'];

const SETTINGS = { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { default_region: 'US' } } as const;

/** For each macro a template may call, a piece of SQL that only that warehouse's form of it has. */
const MACRO_MARKERS: Record<string, Record<DialectName, readonly string[]>> = {
  json_text: { duckdb: ['json_extract_string('], postgres: ['#>> '], bigquery: ['JSON_VALUE('], snowflake: ['GET_PATH(PARSE_JSON('] },
  json_entries: {
    duckdb: ['json_each(', "= 'OBJECT'"],
    postgres: ['jsonb_each(', "jsonb_typeof("],
    bigquery: ['CROSS JOIN UNNEST(', 'JSON_KEYS('],
    snowflake: [', LATERAL (', 'FLATTEN(INPUT => '],
  },
  first_row_per: {
    duckdb: ['QUALIFY ROW_NUMBER() OVER (PARTITION BY'],
    postgres: ['SELECT DISTINCT ON ('],
    bigquery: ['QUALIFY ROW_NUMBER() OVER (PARTITION BY'],
    snowflake: ['QUALIFY ROW_NUMBER() OVER (PARTITION BY'],
  },
  safe_cast: { duckdb: ['TRY_CAST('], postgres: [') THEN CAST('], bigquery: ['SAFE_CAST('], snowflake: ['TRY_CAST('] },
  to_utc: { duckdb: ['TO_TIMESTAMP(', 'TRY_CAST('], postgres: ['TO_TIMESTAMP(', 'AS timestamptz)'], bigquery: ['TIMESTAMP_MICROS('], snowflake: ['TRY_TO_TIMESTAMP_TZ('] },
  seconds_between: { duckdb: ['epoch('], postgres: ['EXTRACT(EPOCH FROM'], bigquery: ['TIMESTAMP_DIFF('], snowflake: ['DATEDIFF(microsecond,'] },
  add_seconds: { duckdb: ["INTERVAL '86400 seconds'"], postgres: ["INTERVAL '86400 seconds'"], bigquery: ['TIMESTAMP_ADD('], snowflake: ['DATEADD(second, 86400,'] },
  hhmmss: { duckdb: ['LPAD('], postgres: ['LPAD('], bigquery: ['LPAD('], snowflake: ['LPAD('] },
  split_part: { duckdb: ['SPLIT_PART('], postgres: ['SPLIT_PART('], bigquery: ['[SAFE_ORDINAL('], snowflake: ['SPLIT_PART('] },
};
/** What a wrong warehouse's form would look like: none of these may appear. */
const FOREIGN_MARKERS: Record<DialectName, readonly string[]> = {
  duckdb: ['#>>', 'DISTINCT ON', 'JSON_VALUE(', 'GET_PATH(', 'SAFE_CAST(', 'TIMESTAMP_ADD(', 'DATEADD('],
  postgres: ['json_extract_string(', 'QUALIFY', 'JSON_VALUE(', 'GET_PATH(', 'TRY_CAST(', 'SAFE_CAST(', 'TIMESTAMP_ADD(', 'DATEADD('],
  bigquery: ['json_extract_string(', '#>>', 'DISTINCT ON', 'GET_PATH(', 'TRY_CAST(', "INTERVAL '", 'DATEADD(', ' ~ '],
  snowflake: ['json_extract_string(', '#>>', 'DISTINCT ON', 'JSON_VALUE(', 'SAFE_CAST(', "INTERVAL '", 'TIMESTAMP_ADD('],
};
const WATERMARK_MARKER: Record<DialectName, string> = {
  duckdb: "+ INTERVAL '-3600 seconds'), CAST('1970-01-01T00:00:00Z' AS TIMESTAMPTZ))",
  postgres: "+ INTERVAL '-3600 seconds'), CAST('1970-01-01T00:00:00Z' AS timestamptz))",
  bigquery: "INTERVAL -3600 SECOND), CAST('1970-01-01T00:00:00Z' AS TIMESTAMP))",
  snowflake: "DATEADD(second, -3600, MAX(",
};
const HASH_MARKER: Record<DialectName, string> = {
  duckdb: "sha256('pepper' || ",
  postgres: "ENCODE(SHA256(CONVERT_TO('pepper' || ",
  bigquery: "TO_HEX(SHA256('pepper' || ",
  snowflake: "SHA2('pepper' || ",
};

/** The template functions a model calls, e.g. `json_text`, found by name in its template. */
function macrosIn(model: Model): Set<string> {
  const names = ['json_text', 'json_entries', 'first_row_per', 'safe_cast', 'to_utc', 'seconds_between', 'add_seconds', 'hhmmss', 'split_part', 'watermark', 'pii'];
  return new Set(names.filter((name) => new RegExp(`\\b${name}\\s*\\(`).test(model.template)));
}

const bundled = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));

describe('every bundled model compiles for all four warehouses, full and incremental', () => {
  const project = bundled;
  const models = [...project.models.values()];
  const compile = (model: Model, name: DialectName, options: Partial<CompileOptions> = {}): string =>
    compileModel(project, model, { ...SETTINGS, dialect: dialectFor(name), ...options });

  test('the bundled project exercises the macros these tests check', () => {
    const used = new Set(models.flatMap((m) => [...macrosIn(m)]));
    for (const macro of ['json_text', 'json_entries', 'first_row_per', 'safe_cast', 'to_utc', 'seconds_between', 'watermark', 'pii']) {
      assert.ok(used.has(macro), `no bundled model calls ${macro}()`);
    }
  });

  for (const model of models) {
    for (const name of DIALECTS) {
      test(`${model.path} on ${name}`, () => {
        const d = dialectFor(name);
        const macros = macrosIn(model);
        for (const incremental of [false, true]) {
          const sql = compile(model, name, { incremental });
          const branch = `${model.name} (${incremental ? 'incremental' : 'full'}) on ${name}`;
          for (const leftover of ['{{', '}}', '{%', '%}', '{#', '#}']) assert.ok(!sql.includes(leftover), `${branch}: template text ${leftover} left`);
          for (const ref of model.refs) {
            const relation = d.tableName(modelSchema(project.models.get(ref) as Model, SETTINGS.targetSchema), ref);
            assert.ok(sql.includes(relation), `${branch}: ref('${ref}') → ${relation}`);
          }
          for (const [source, table] of model.sources) {
            assert.ok(sql.includes(d.tableName(SETTINGS.sources[source as 'raw'], table)), `${branch}: source('${source}', '${table}')`);
          }
          if (name === 'bigquery') assert.ok(!/"(analytics|raw)"\./.test(sql), `${branch}: a double-quoted relation`);
          for (const macro of macros) {
            for (const marker of MACRO_MARKERS[macro]?.[name] ?? []) assert.ok(sql.includes(marker), `${branch}: ${macro}() should write ${marker}`);
          }
          for (const marker of FOREIGN_MARKERS[name]) assert.ok(!sql.includes(marker), `${branch}: ${marker} belongs to another warehouse`);
          const self = d.tableName(modelSchema(model, SETTINGS.targetSchema), model.name);
          if (incremental && macros.has('watermark')) {
            assert.ok(sql.includes(WATERMARK_MARKER[name]), `${branch}: watermark()`);
            assert.ok(sql.includes(`FROM ${self})`), `${branch}: the watermark reads the model itself`);
          }
          if (!incremental) assert.ok(!sql.includes(self), `${branch}: a full build does not read the model itself`);
        }
      });
    }
  }

  test('pii() follows the policy in every model that calls it: hash with the salt, mask, or keep', () => {
    const withPii = models.filter((m) => macrosIn(m).has('pii'));
    assert.ok(withPii.length > 0);
    for (const model of withPii) {
      for (const name of DIALECTS) {
        const hashed = compile(model, name, { piiPolicy: () => 'hash', hashSalt: 'pepper' });
        assert.ok(hashed.includes(HASH_MARKER[name]), `${model.name} on ${name}: ${HASH_MARKER[name]}`);
        const masked = compile(model, name, { piiPolicy: () => 'mask', hashSalt: 'pepper' });
        assert.ok(masked.includes("REPEAT('*', LENGTH(") && !masked.includes('pepper'), `${model.name} on ${name}: masked`);
        const kept = compile(model, name, { hashSalt: 'pepper' });
        assert.ok(!kept.includes('pepper') && !kept.includes("REPEAT('*'"), `${model.name} on ${name}: kept`);
      }
    }
  });
});

// ---- every bundled model runs on empty raw tables ------------------------------------------

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`every bundled model runs on an empty ${kind} warehouse`, () => {
    // Postgres is shared: a random schema prefix keeps this run's raw and analytics apart.
    const schemaPrefix = kind === 'postgres' ? `sbcompile_${randomBytes(4).toString('hex')}_` : '';
    let wh: Warehouse;
    let project: Project;

    before(async () => {
      wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL, schemaPrefix });
      project = await loadProject(BUNDLED_MODELS_DIR, wh.dialect);
      await wh.run(wh.dialect.createSchema(SETTINGS.sources.raw));
      const tables = new Set([...project.models.values()].flatMap((m) => m.sources.filter(([s]) => s === 'raw').map(([, t]) => t)));
      for (const table of tables) await wh.run(wh.dialect.createTable(rawEventTable(SETTINGS.sources.raw, table)));
    });
    after(async () => {
      if (kind === 'postgres') {
        const schemas = await wh.all<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE left(nspname, length($1)) = $1', [schemaPrefix]);
        for (const { name } of schemas) await wh.run(`DROP SCHEMA ${wh.dialect.quoteIdent(name)} CASCADE`);
      }
      await wh.close();
    });

    test('a build creates every model and passes every data test', async () => {
      const results = await build(wh, project, { settings: SETTINGS });
      const failed = results.results.filter((r) => r.status !== 'success' && r.status !== 'pass');
      assert.deepEqual(failed.map((r) => `${r.node}: ${r.status} ${r.message}`), []);
      assert.ok(results.success);
    });

    test('each model\'s full and incremental SQL, with hashed or masked PII, runs', async () => {
      for (const model of project.models.values()) {
        const variants: Array<Partial<CompileOptions>> = [
          { incremental: false },
          { incremental: true, piiPolicy: () => 'hash', hashSalt: "pe'pper" },
          { incremental: false, piiPolicy: () => 'mask' },
        ];
        for (const variant of variants) {
          const sql = compileModel(project, model, { ...SETTINGS, dialect: wh.dialect, ...variant });
          await assert.doesNotReject(wh.all(`SELECT * FROM (${sql}) AS compiled LIMIT 0`), `${model.path} ${JSON.stringify(variant)}`);
        }
      }
    });
  });
}
