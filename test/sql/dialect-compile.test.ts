/**
 * SQL compile tests: the exact text each dialect writes for DDL and upserts, for all four
 * warehouses. Nothing is executed (BigQuery and Snowflake have no driver here); the
 * conformance suite proves the DuckDB and Postgres text runs, including the MERGE form.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONSERVATIVE_CAPABILITIES, SqlDialect, type TableSpec, type UpsertSpec } from '../../sql/dialect.js';
import { dialectFor, type DialectName } from '../../sql/warehouses/index.js';
import { BigQueryDialect } from '../../sql/warehouses/bigquery/dialect.js';

const TABLE: TableSpec = {
  schema: 'raw',
  name: 'call_events',
  primaryKey: ['call_id', 'leg'],
  columns: [
    { name: 'call_id', type: 'text' },
    { name: 'leg', type: 'integer' },
    { name: 'payload', type: 'json', nullable: false },
    { name: 'first_seen', type: 'timestamp' },
    { name: 'last_seen', type: 'timestamp' },
    { name: 'deliveries', type: 'bigint' },
    { name: 'cost', type: 'double' },
    { name: 'billable', type: 'boolean' },
    { name: 'note', type: 'text' },
  ],
};

/** Two rows, one column per MergeRule (rules listed out of column order on purpose). */
const EVERY_RULE: UpsertSpec = {
  table: TABLE,
  columns: ['call_id', 'leg', 'payload', 'first_seen', 'last_seen', 'deliveries', 'note'],
  rowCount: 2,
  onMatch: { deliveries: 'add', note: 'keep', payload: 'replace', last_seen: 'greatest', first_seen: 'least' },
};

/** Every supplied column is `keep` (here: by having no rule): insert-if-absent. */
const KEEP_ONLY: UpsertSpec = { table: TABLE, columns: ['call_id', 'leg', 'note'], rowCount: 1, onMatch: {} };

/** createTable for Postgres-like dialects, which differ only in type names. */
const ddl = (q: (s: string) => string, types: string[], pkSuffix = ''): string =>
  `CREATE TABLE IF NOT EXISTS ${q('raw')}.${q('call_events')} (\n` +
  TABLE.columns.map((c, i) => `  ${q(c.name)} ${types[i]}${i < 3 ? ' NOT NULL' : ''},\n`).join('') +
  `  PRIMARY KEY (${q('call_id')}, ${q('leg')})${pkSuffix}\n)`;
const dq = (s: string): string => `"${s}"`;
const bq = (s: string): string => `\`${s}\``;

const ON_CONFLICT_EVERY_RULE = `INSERT INTO "raw"."call_events" AS t ("call_id", "leg", "payload", "first_seen", "last_seen", "deliveries", "note")
VALUES
  ($1, $2, $3, $4, $5, $6, $7),
  ($8, $9, $10, $11, $12, $13, $14)
ON CONFLICT ("call_id", "leg") DO UPDATE SET
  "payload" = excluded."payload",
  "first_seen" = COALESCE(LEAST(t."first_seen", excluded."first_seen"), t."first_seen", excluded."first_seen"),
  "last_seen" = COALESCE(GREATEST(t."last_seen", excluded."last_seen"), t."last_seen", excluded."last_seen"),
  "deliveries" = COALESCE(t."deliveries" + excluded."deliveries", t."deliveries", excluded."deliveries")`;

const ON_CONFLICT_KEEP_ONLY = `INSERT INTO "raw"."call_events" AS t ("call_id", "leg", "note")
VALUES
  ($1, $2, $3)
ON CONFLICT ("call_id", "leg") DO NOTHING`;

interface Expected {
  createTable: string;
  everyRule: string;
  keepOnly: string;
}

const EXPECTED: Record<DialectName, Expected> = {
  duckdb: {
    createTable: ddl(dq, ['VARCHAR', 'INTEGER', 'JSON', 'TIMESTAMPTZ', 'TIMESTAMPTZ', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'VARCHAR']),
    everyRule: ON_CONFLICT_EVERY_RULE,
    keepOnly: ON_CONFLICT_KEEP_ONLY,
  },
  postgres: {
    createTable: ddl(dq, ['text', 'integer', 'jsonb', 'timestamptz', 'timestamptz', 'bigint', 'double precision', 'boolean', 'text']),
    everyRule: ON_CONFLICT_EVERY_RULE,
    keepOnly: ON_CONFLICT_KEEP_ONLY,
  },
  bigquery: {
    createTable: ddl(bq, ['STRING', 'INT64', 'JSON', 'TIMESTAMP', 'TIMESTAMP', 'INT64', 'FLOAT64', 'BOOL', 'STRING'], ' NOT ENFORCED'),
    everyRule: `MERGE INTO \`raw\`.\`call_events\` AS t
USING (
  SELECT CAST(@p1 AS STRING) AS \`call_id\`, CAST(@p2 AS INT64) AS \`leg\`, PARSE_JSON(@p3) AS \`payload\`, CAST(@p4 AS TIMESTAMP) AS \`first_seen\`, CAST(@p5 AS TIMESTAMP) AS \`last_seen\`, CAST(@p6 AS INT64) AS \`deliveries\`, CAST(@p7 AS STRING) AS \`note\`
  UNION ALL SELECT CAST(@p8 AS STRING), CAST(@p9 AS INT64), PARSE_JSON(@p10), CAST(@p11 AS TIMESTAMP), CAST(@p12 AS TIMESTAMP), CAST(@p13 AS INT64), CAST(@p14 AS STRING)
) AS s
ON t.\`call_id\` = s.\`call_id\` AND t.\`leg\` = s.\`leg\`
WHEN MATCHED THEN UPDATE SET
  \`payload\` = s.\`payload\`,
  \`first_seen\` = COALESCE(LEAST(t.\`first_seen\`, s.\`first_seen\`), t.\`first_seen\`, s.\`first_seen\`),
  \`last_seen\` = COALESCE(GREATEST(t.\`last_seen\`, s.\`last_seen\`), t.\`last_seen\`, s.\`last_seen\`),
  \`deliveries\` = COALESCE(t.\`deliveries\` + s.\`deliveries\`, t.\`deliveries\`, s.\`deliveries\`)
WHEN NOT MATCHED THEN INSERT (\`call_id\`, \`leg\`, \`payload\`, \`first_seen\`, \`last_seen\`, \`deliveries\`, \`note\`) VALUES (s.\`call_id\`, s.\`leg\`, s.\`payload\`, s.\`first_seen\`, s.\`last_seen\`, s.\`deliveries\`, s.\`note\`)`,
    keepOnly: `MERGE INTO \`raw\`.\`call_events\` AS t
USING (
  SELECT CAST(@p1 AS STRING) AS \`call_id\`, CAST(@p2 AS INT64) AS \`leg\`, CAST(@p3 AS STRING) AS \`note\`
) AS s
ON t.\`call_id\` = s.\`call_id\` AND t.\`leg\` = s.\`leg\`
WHEN NOT MATCHED THEN INSERT (\`call_id\`, \`leg\`, \`note\`) VALUES (s.\`call_id\`, s.\`leg\`, s.\`note\`)`,
  },
  snowflake: {
    createTable: ddl(dq, ['VARCHAR', 'NUMBER(38,0)', 'VARIANT', 'TIMESTAMP_TZ', 'TIMESTAMP_TZ', 'NUMBER(38,0)', 'FLOAT', 'BOOLEAN', 'VARCHAR'], ' NOT ENFORCED'),
    everyRule: `MERGE INTO "raw"."call_events" AS t
USING (
  SELECT CAST(:1 AS VARCHAR) AS "call_id", CAST(:2 AS NUMBER(38,0)) AS "leg", PARSE_JSON(:3) AS "payload", CAST(:4 AS TIMESTAMP_TZ) AS "first_seen", CAST(:5 AS TIMESTAMP_TZ) AS "last_seen", CAST(:6 AS NUMBER(38,0)) AS "deliveries", CAST(:7 AS VARCHAR) AS "note"
  UNION ALL SELECT CAST(:8 AS VARCHAR), CAST(:9 AS NUMBER(38,0)), PARSE_JSON(:10), CAST(:11 AS TIMESTAMP_TZ), CAST(:12 AS TIMESTAMP_TZ), CAST(:13 AS NUMBER(38,0)), CAST(:14 AS VARCHAR)
) AS s
ON t."call_id" = s."call_id" AND t."leg" = s."leg"
WHEN MATCHED THEN UPDATE SET
  "payload" = s."payload",
  "first_seen" = COALESCE(LEAST(t."first_seen", s."first_seen"), t."first_seen", s."first_seen"),
  "last_seen" = COALESCE(GREATEST(t."last_seen", s."last_seen"), t."last_seen", s."last_seen"),
  "deliveries" = COALESCE(t."deliveries" + s."deliveries", t."deliveries", s."deliveries")
WHEN NOT MATCHED THEN INSERT ("call_id", "leg", "payload", "first_seen", "last_seen", "deliveries", "note") VALUES (s."call_id", s."leg", s."payload", s."first_seen", s."last_seen", s."deliveries", s."note")`,
    keepOnly: `MERGE INTO "raw"."call_events" AS t
USING (
  SELECT CAST(:1 AS VARCHAR) AS "call_id", CAST(:2 AS NUMBER(38,0)) AS "leg", CAST(:3 AS VARCHAR) AS "note"
) AS s
ON t."call_id" = s."call_id" AND t."leg" = s."leg"
WHEN NOT MATCHED THEN INSERT ("call_id", "leg", "note") VALUES (s."call_id", s."leg", s."note")`,
  },
};

for (const [name, expected] of Object.entries(EXPECTED) as [DialectName, Expected][]) {
  describe(`${name} dialect compiles`, () => {
    const dialect = dialectFor(name);

    test('createTable: types, NOT NULL on key and required columns, the primary key', () => {
      assert.equal(dialect.createTable(TABLE), expected.createTable);
    });

    test('upsert with every MergeRule', () => {
      assert.equal(dialect.upsert(EVERY_RULE), expected.everyRule);
    });

    test('upsert where every column is keep only inserts missing keys', () => {
      assert.equal(dialect.upsert(KEEP_ONLY), expected.keepOnly);
    });

    test('a table without a primary key gets no constraint', () => {
      const sql = dialect.createTable({ ...TABLE, primaryKey: [] });
      assert.doesNotMatch(sql, /PRIMARY KEY/);
      assert.match(sql, /NOT NULL,\n {2}\S+ \S+,/, 'payload stays NOT NULL');
    });
  });
}

describe('dialect details', () => {
  test('schema prefix, identifier escaping, parameter spelling and JSON parameters', () => {
    const rows = (['duckdb', 'postgres', 'bigquery', 'snowflake'] as const).map((name) => {
      const d = dialectFor(name, { schemaPrefix: 'dev_' });
      return [d.createSchema('raw'), d.tableName('raw', 'we"ird`name'), d.param(3), d.typedParam(2, 'json')];
    });
    assert.deepEqual(rows, [
      ['CREATE SCHEMA IF NOT EXISTS "dev_raw"', '"dev_raw"."we""ird`name"', '$3', 'CAST($2 AS JSON)'],
      ['CREATE SCHEMA IF NOT EXISTS "dev_raw"', '"dev_raw"."we""ird`name"', '$3', 'CAST($2 AS jsonb)'],
      ['CREATE SCHEMA IF NOT EXISTS `dev_raw`', '`dev_raw`.`we"ird\\`name`', '@p3', 'PARSE_JSON(@p2)'],
      ['CREATE SCHEMA IF NOT EXISTS "dev_raw"', '"dev_raw"."we""ird`name"', ':3', 'PARSE_JSON(:2)'],
    ]);
  });

  test('capabilities: ON CONFLICT and enforced keys only where the engine has them', () => {
    const flags = (['duckdb', 'postgres', 'bigquery', 'snowflake'] as const).map((name) => {
      const c = dialectFor(name).capabilities;
      return [name, c.supportsOnConflict, c.supportsMerge, c.supportsQualify, c.supportsTransactions, c.supportsTransactionalDdl, c.enforcesPrimaryKeys, c.maxParams, c.supportsJsonRows];
    });
    assert.deepEqual(flags, [
      ['duckdb', true, true, true, true, true, true, 65_535, true],
      ['postgres', true, true, false, true, true, true, 65_535, true],
      ['bigquery', false, true, true, true, false, false, 10_000, true],
      ['snowflake', false, true, true, true, false, false, 10_000, false],
    ]);
  });

  test('a dialect that declares nothing gets the conservative defaults of the base', () => {
    class Bare extends SqlDialect {
      readonly name = 'bare';
      protected readonly declaredCapabilities = {};
      typeName(): string {
        return 'TEXT';
      }
    }
    assert.deepEqual({ ...new Bare().capabilities }, { ...CONSERVATIVE_CAPABILITIES });
    assert.equal(new Bare().capabilities.supportsTransactionalDdl, false);
    assert.throws(() => new Bare().upsert(KEEP_ONLY), /declares neither ON CONFLICT nor MERGE/);
  });

  test('invalid upsert specs fail before any SQL is written', () => {
    const d = dialectFor('postgres');
    const bad: [Partial<UpsertSpec>, RegExp][] = [
      [{ rowCount: 0 }, /rowCount must be a positive integer/],
      [{ columns: ['call_id', 'leg', 'nope'] }, /"nope" is not a column/],
      [{ columns: ['call_id', 'note'] }, /key column "leg" is not among the supplied columns/],
      [{ onMatch: { cost: 'replace' } }, /"cost", which is not a supplied column/],
      [{ onMatch: { leg: 'add' } }, /key column "leg" cannot have rule "add"/],
      [{ onMatch: { note: 'add' } }, /"add" needs a numeric column/],
      [{ onMatch: { payload: 'greatest' } }, /cannot compare json column "payload"/],
      [{ table: { ...TABLE, primaryKey: [] } }, /there is no conflict key/],
    ];
    for (const [change, message] of bad) {
      assert.throws(() => d.upsert({ ...EVERY_RULE, ...change }), { code: 'SB_SQL_INVALID_UPSERT', message });
    }
    assert.throws(() => d.createTable({ ...TABLE, primaryKey: ['nope'] }), { code: 'SB_SQL_INVALID_TABLE' });
  });

  test('an upsert over the parameter limit says how many rows fit', () => {
    const spec = { ...KEEP_ONLY, rowCount: 3_334 }; // 3 columns → 10,002 parameters
    assert.throws(() => dialectFor('bigquery').upsert(spec), {
      code: 'SB_SQL_TOO_MANY_PARAMS',
      message: /at most 3333 rows/,
    });
    assert.doesNotThrow(() => dialectFor('postgres').upsert(spec));
  });
});

describe('upsertJson: every row in one JSON parameter', () => {
  const spec = { table: TABLE, columns: ['call_id', 'leg', 'payload', 'deliveries'], onMatch: { deliveries: 'add' as const } };
  const tail = `ON CONFLICT ("call_id", "leg") DO UPDATE SET
  "deliveries" = COALESCE(t."deliveries" + excluded."deliveries", t."deliveries", excluded."deliveries")`;

  test('duckdb parses the array with from_json and unnests it', () => {
    assert.equal(
      dialectFor('duckdb').upsertJson(spec),
      `INSERT INTO "raw"."call_events" AS t ("call_id", "leg", "payload", "deliveries")
SELECT "call_id", "leg", "payload", "deliveries" FROM (SELECT unnest(from_json($1, '[{"call_id":"VARCHAR","leg":"INTEGER","payload":"JSON","deliveries":"BIGINT"}]'), recursive := true)) AS s WHERE true
${tail}`,
    );
  });

  test('postgres uses json_to_recordset', () => {
    assert.equal(
      dialectFor('postgres').upsertJson(spec),
      `INSERT INTO "raw"."call_events" AS t ("call_id", "leg", "payload", "deliveries")
SELECT "call_id", "leg", "payload", "deliveries" FROM (SELECT * FROM json_to_recordset($1::json) AS r("call_id" text, "leg" integer, "payload" jsonb, "deliveries" bigint)) AS s WHERE true
${tail}`,
    );
  });

  test('bigquery unnests JSON_QUERY_ARRAY of one STRING parameter into a MERGE source', () => {
    // https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_query_array, #json_value
    assert.equal(
      dialectFor('bigquery').upsertJson(spec),
      `MERGE INTO \`raw\`.\`call_events\` AS t
USING (
  SELECT JSON_VALUE(_sb_row, '$."call_id"') AS \`call_id\`, CAST(JSON_VALUE(_sb_row, '$."leg"') AS INT64) AS \`leg\`, ` +
        `IF(JSON_QUERY(_sb_row, '$."payload"') = 'null', NULL, PARSE_JSON(JSON_QUERY(_sb_row, '$."payload"'), wide_number_mode => 'round')) AS \`payload\`, ` +
        `CAST(JSON_VALUE(_sb_row, '$."deliveries"') AS INT64) AS \`deliveries\` FROM UNNEST(JSON_QUERY_ARRAY(@p1)) AS _sb_row
) AS s
ON t.\`call_id\` = s.\`call_id\` AND t.\`leg\` = s.\`leg\`
WHEN MATCHED THEN UPDATE SET
  \`deliveries\` = COALESCE(t.\`deliveries\` + s.\`deliveries\`, t.\`deliveries\`, s.\`deliveries\`)
WHEN NOT MATCHED THEN INSERT (\`call_id\`, \`leg\`, \`payload\`, \`deliveries\`) VALUES (s.\`call_id\`, s.\`leg\`, s.\`payload\`, s.\`deliveries\`)`,
    );
  });

  test('snowflake declares no JSON rows yet, and says so instead of writing wrong SQL', () => {
    for (const name of ['snowflake'] as const) {
      const dialect = dialectFor(name);
      assert.equal(dialect.capabilities.supportsJsonRows, false);
      assert.throws(() => dialect.upsertJson(spec), /SB_SQL_INVALID_UPSERT|does not take rows as JSON/);
    }
  });
});

describe('replaceTable: a model table swapped in whole on every warehouse', () => {
  test('duckdb and postgres build aside and swap as one atomic group of DDL', () => {
    const plan = dialectFor('postgres').replaceTable('analytics', 'calls', 'SELECT 1 AS x');
    assert.deepEqual(plan.map((s) => [s.sql.split('\n')[0], s.atomicGroup ?? null]), [
      ['DROP TABLE IF EXISTS "analytics"."calls__sb_new" CASCADE', null],
      ['CREATE TABLE "analytics"."calls__sb_new" AS', null],
      ['DROP TABLE IF EXISTS "analytics"."calls" CASCADE', 'swap'],
      ['ALTER TABLE "analytics"."calls__sb_new" RENAME TO "calls"', 'swap'],
    ]);
  });

  test('bigquery and snowflake use one CREATE OR REPLACE TABLE … AS, atomic by itself', () => {
    // https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_statement
    // https://docs.snowflake.com/en/sql-reference/sql/create-table
    assert.deepEqual(
      dialectFor('bigquery').replaceTable('analytics', 'calls', 'SELECT 1 AS x').map((s) => [s.sql, s.rowsQuery, s.atomicGroup]),
      [['CREATE OR REPLACE TABLE `analytics`.`calls` AS\nSELECT 1 AS x', 'SELECT COUNT(*) AS n FROM `analytics`.`calls`', undefined]],
    );
    assert.equal(dialectFor('snowflake').replaceTable('analytics', 'calls', 'SELECT 1').length, 1);
  });

  test('bigquery replaces an incremental model partitioned by its window column and clustered by its key', () => {
    // PARTITION BY and CLUSTER BY come before AS:
    // https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_statement
    const layout = { partitionBy: 'landed_at', clusterBy: ['dedupe_key'] };
    assert.equal(
      dialectFor('bigquery').replaceTable('analytics', 'stg', 'SELECT 1 AS x', layout)[0]?.sql,
      'CREATE OR REPLACE TABLE `analytics`.`stg`\nPARTITION BY DATE(`landed_at`)\nCLUSTER BY `dedupe_key` AS\nSELECT 1 AS x',
    );
    assert.doesNotMatch(dialectFor('duckdb').replaceTable('analytics', 'stg', 'SELECT 1 AS x', layout).map((s) => s.sql).join('\n'), /PARTITION|CLUSTER/);
  });

  test('bigquery partitions by day and clusters where the table spec asks, and deletes staged rows through an alias', () => {
    const table = { ...TABLE, partitionBy: 'seen_at', clusterBy: ['call_id'] };
    assert.match(dialectFor('bigquery').createTable(table), /\)\nPARTITION BY DATE\(`seen_at`\)\nCLUSTER BY `call_id`$/);
    assert.doesNotMatch(dialectFor('postgres').createTable(table), /PARTITION|CLUSTER/);
    assert.equal(
      dialectFor('bigquery').deleteStaged('`a`.`m`', '`a`.`m__sb_stage`', ['id'], 'at'),
      'DELETE FROM `a`.`m` AS t WHERE t.`at` >= (SELECT MIN(`at`) FROM `a`.`m__sb_stage`) AND EXISTS (SELECT 1 FROM `a`.`m__sb_stage` AS s WHERE t.`id` = s.`id`)',
    );
  });
});

describe('jsonText: text at a JSON path', () => {
  const cases: Record<DialectName, string> = {
    duckdb: `json_extract_string(body, '$."payload"."a.b"')`,
    postgres: `(CAST(body AS jsonb) #>> '{"payload","a.b"}')`,
    bigquery: `JSON_VALUE(body, '$."payload"."a.b"')`,
    snowflake: `CAST(GET_PATH(PARSE_JSON(body), '["payload"]["a.b"]') AS VARCHAR)`,
  };
  for (const [name, expected] of Object.entries(cases) as Array<[DialectName, string]>) {
    test(name, () => assert.equal(dialectFor(name).jsonText('body', ['payload', 'a.b']), expected));
  }
});

describe('catalog SQL: what the introspector asks each warehouse', () => {
  test('duckdb, postgres and snowflake read information_schema of the current database (duckdb its columns from duckdb_columns()), prefixed schemas bound as values', () => {
    for (const name of ['duckdb', 'postgres', 'snowflake'] as const) {
      const columnsFrom = name === 'duckdb' ? 'duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index' : null;
      const d = dialectFor(name, { schemaPrefix: 'ci_' });
      assert.deepEqual(d.catalogSql({ kind: 'relations', schemas: ['ci_raw', 'ci_analytics'] }), {
        sql: `SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type FROM information_schema.tables WHERE table_schema IN (${d.param(1)}, ${d.param(2)}) AND table_catalog = current_database()`,
        params: ['ci_raw', 'ci_analytics'],
      }, name);
      assert.equal(d.catalogSql({ kind: 'schemas' }).sql, 'SELECT schema_name AS schema_name FROM information_schema.schemata WHERE 1 = 1 AND catalog_name = current_database()', name);
      const columns = d.catalogSql({ kind: 'columns', schema: 'ci_raw', table: 'voice_events' });
      assert.deepEqual(columns.params, ['ci_raw', 'voice_events']);
      if (columnsFrom !== null) assert.ok(columns.sql.endsWith(`FROM ${columnsFrom}`), `duckdb reads columns from duckdb_columns(): ${columns.sql}`);
      else assert.match(columns.sql, /FROM information_schema\.columns WHERE table_schema = \S+ AND table_name = \S+ AND table_catalog = current_database\(\) ORDER BY ordinal_position$/);
    }
  });

  test('bigquery reads each dataset’s own INFORMATION_SCHEMA, one SELECT per dataset, and SCHEMATA in the configured region', () => {
    const d = dialectFor('bigquery', { schemaPrefix: 'ci_' });
    assert.deepEqual(d.catalogSql({ kind: 'relations', schemas: ['ci_raw', 'ci_analytics'], name: 'calls' }), {
      sql:
        'SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type FROM `ci_raw`.INFORMATION_SCHEMA.tables WHERE table_schema = @p1 AND table_name = @p2\n' +
        'UNION ALL\n' +
        'SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type FROM `ci_analytics`.INFORMATION_SCHEMA.tables WHERE table_schema = @p3 AND table_name = @p4',
      params: ['ci_raw', 'calls', 'ci_analytics', 'calls'],
    });
    assert.deepEqual(d.catalogSql({ kind: 'columns', schema: 'ci_raw', table: 'voice_events' }), {
      sql:
        'SELECT column_name AS column_name, data_type AS data_type, is_nullable AS is_nullable, CAST(ordinal_position AS INT64) AS ordinal_position ' +
        'FROM `ci_raw`.INFORMATION_SCHEMA.columns WHERE table_schema = @p1 AND table_name = @p2 ORDER BY ordinal_position',
      params: ['ci_raw', 'voice_events'],
    });
    assert.equal(d.catalogSql({ kind: 'schemas' }).sql, 'SELECT schema_name AS schema_name FROM INFORMATION_SCHEMA.schemata WHERE 1 = 1');
    assert.equal(new BigQueryDialect({ location: 'EU' }).catalogSql({ kind: 'schemas' }).sql, 'SELECT schema_name AS schema_name FROM `region-eu`.INFORMATION_SCHEMA.schemata WHERE 1 = 1');
  });
});
