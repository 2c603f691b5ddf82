/**
 * Compile tests for the model macros on all four warehouses: the SQL text each dialect
 * writes, without a connection, and the template functions that call them. BigQuery and
 * Snowflake cannot run here, so their macros are pinned as exact strings; DuckDB's and
 * Postgres' are executed with tricky inputs in test/sql/macros.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nullsLast, type SqlDialect } from '../../sql/dialect.js';
import { renderTemplate, type PiiPolicy, type RenderContext } from '../../sql/engine/render.js';
import { dialectFor, type DialectName } from '../../sql/warehouses/index.js';

const DIALECTS: readonly DialectName[] = ['duckdb', 'postgres', 'bigquery', 'snowflake'];

// ---- each macro's SQL --------------------------------------------------------------------

/** One call per macro; the expressions are plain names so the expected text stays readable. */
const CALLS = {
  jsonText: (d: SqlDialect) => d.jsonText('body', ['payload', 'umid']),
  regexMatches: (d: SqlDialect) => d.regexMatches('x', '[0-9]+'),
  safeCastInteger: (d: SqlDialect) => d.safeCast('x', 'integer'),
  safeCastBoolean: (d: SqlDialect) => d.safeCast('x', 'boolean'),
  isoToTimestamp: (d: SqlDialect) => d.isoToTimestamp('x'),
  epochSecondsToTimestamp: (d: SqlDialect) => d.epochSecondsToTimestamp('s'),
  localToTimestamp: (d: SqlDialect) => d.localToTimestamp('l', 'America/New_York'),
  timestampToLocal: (d: SqlDialect) => d.timestampToLocal('t', 'America/New_York'),
  addSeconds: (d: SqlDialect) => d.addSeconds('t', -3600),
  secondsBetween: (d: SqlDialect) => d.secondsBetween('a', 'b'),
  jsonEntries: (d: SqlDialect) => d.jsonEntries('e.body', ['payload', 'details'], 'leg'),
  sha256Hex: (d: SqlDialect) => d.sha256Hex('x'),
  splitPart: (d: SqlDialect) => d.splitPart('fqn', '/', 2),
  firstRowPer: (d: SqlDialect) => d.firstRowPer('select * from t', 'k', "case when a = 'x, y' then 0 end, seen_at desc"),
  dropView: (d: SqlDialect) => d.dropView(d.tableName('analytics', 'v')),
  stringLiteral: (d: SqlDialect) => d.stringLiteral("it's C:\\temp"),
} as const;

const ISO_DATE =
  '(([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))' +
  '|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29)';
const ISO_WITH_ZONE = `${ISO_DATE}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?(Z|[-+](0[0-9]|1[0-5])(:?[0-5][0-9])?)`;
const ORDER = "case when a = 'x, y' then 0 end NULLS LAST, seen_at desc NULLS LAST";

const EXPECTED: Record<DialectName, Record<keyof typeof CALLS, string>> = {
  duckdb: {
    jsonText: `json_extract_string(body, '$."payload"."umid"')`,
    regexMatches: `regexp_full_match(x, '[0-9]+')`,
    safeCastInteger: `CASE WHEN LENGTH(x) <= 200 AND regexp_full_match(x, '[-+]?[0-9]{1,9}') THEN TRY_CAST(x AS INTEGER) END`,
    safeCastBoolean: `CASE WHEN LENGTH(LOWER(x)) <= 200 AND regexp_full_match(LOWER(x), 'true|false') THEN TRY_CAST(LOWER(x) AS BOOLEAN) END`,
    isoToTimestamp: 'TRY_CAST(x AS TIMESTAMPTZ)',
    epochSecondsToTimestamp: 'TO_TIMESTAMP(s)',
    localToTimestamp: `timezone('America/New_York', l)`,
    timestampToLocal: `timezone('America/New_York', t)`,
    addSeconds: `(t + INTERVAL '-3600 seconds')`,
    secondsBetween: '(epoch(b) - epoch(a))',
    jsonEntries:
      `CROSS JOIN LATERAL (SELECT key AS entry_key, CAST(value AS VARCHAR) AS entry_value FROM json_each(e.body, '$."payload"."details"') ` +
      `WHERE json_type(e.body, '$."payload"."details"') = 'OBJECT') AS "leg"`,
    sha256Hex: 'sha256(x)',
    splitPart: `SPLIT_PART(fqn, '/', 2)`,
    firstRowPer: `SELECT * FROM (select * from t) AS _sb_q WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ${ORDER}) = 1`,
    dropView: 'DROP VIEW IF EXISTS "analytics"."v"',
    stringLiteral: `'it''s C:\\temp'`,
  },
  postgres: {
    jsonText: `(CAST(body AS jsonb) #>> '{"payload","umid"}')`,
    regexMatches: `(x ~ '^(?:[0-9]+)$')`,
    safeCastInteger: `CASE WHEN LENGTH(x) <= 200 AND (x ~ '^(?:[-+]?[0-9]{1,9})$') THEN CAST(x AS integer) END`,
    safeCastBoolean: `CASE WHEN LENGTH(LOWER(x)) <= 200 AND (LOWER(x) ~ '^(?:true|false)$') THEN CAST(LOWER(x) AS boolean) END`,
    isoToTimestamp: `CASE WHEN (x ~ '^(?:${ISO_WITH_ZONE})$') THEN CAST(REGEXP_REPLACE(x, '([.][0-9]{6})[0-9]+', '\\1') AS timestamptz) END`,
    epochSecondsToTimestamp: 'TO_TIMESTAMP(s)',
    localToTimestamp: `(l AT TIME ZONE 'America/New_York')`,
    timestampToLocal: `(t AT TIME ZONE 'America/New_York')`,
    addSeconds: `(t + INTERVAL '-3600 seconds')`,
    secondsBetween: 'EXTRACT(EPOCH FROM (b - a))',
    jsonEntries:
      `CROSS JOIN LATERAL (SELECT e.key AS entry_key, CAST(e.value AS text) AS entry_value FROM jsonb_each(` +
      `CASE WHEN jsonb_typeof((CAST(e.body AS jsonb) #> '{"payload","details"}')) = 'object' THEN (CAST(e.body AS jsonb) #> '{"payload","details"}') END) AS e) AS "leg"`,
    sha256Hex: `ENCODE(SHA256(CONVERT_TO(x, 'UTF8')), 'hex')`,
    splitPart: `SPLIT_PART(fqn, '/', 2)`,
    firstRowPer: `SELECT DISTINCT ON (k) * FROM (select * from t) AS _sb_q ORDER BY k, ${ORDER}`,
    dropView: 'DROP VIEW IF EXISTS "analytics"."v"',
    stringLiteral: `'it''s C:\\temp'`,
  },
  bigquery: {
    jsonText: `JSON_VALUE(body, '$."payload"."umid"')`,
    regexMatches: `REGEXP_CONTAINS(x, '^(?:[0-9]+)$')`,
    safeCastInteger: `CASE WHEN LENGTH(x) <= 200 AND REGEXP_CONTAINS(x, '^(?:[-+]?[0-9]{1,9})$') THEN SAFE_CAST(x AS INT64) END`,
    safeCastBoolean: `CASE WHEN LENGTH(LOWER(x)) <= 200 AND REGEXP_CONTAINS(LOWER(x), '^(?:true|false)$') THEN SAFE_CAST(LOWER(x) AS BOOL) END`,
    isoToTimestamp: `SAFE_CAST(REGEXP_REPLACE(REGEXP_REPLACE(x, r'([.][0-9]{6})[0-9]+', r'\\1'), r'([-+][0-9]{2})([0-9]{2})$', r'\\1:\\2') AS TIMESTAMP)`,
    epochSecondsToTimestamp: 'TIMESTAMP_MICROS(CAST(ROUND((s) * 1e6) AS INT64))',
    localToTimestamp: `TIMESTAMP(l, 'America/New_York')`,
    timestampToLocal: `DATETIME(t, 'America/New_York')`,
    addSeconds: 'TIMESTAMP_ADD(t, INTERVAL -3600 SECOND)',
    secondsBetween: '(TIMESTAMP_DIFF(b, a, MICROSECOND) / 1e6)',
    jsonEntries:
      `CROSS JOIN UNNEST(ARRAY(SELECT AS STRUCT k AS entry_key, TO_JSON_STRING(JSON_QUERY(SAFE.PARSE_JSON(e.body), '$."payload"."details"')[k]) AS entry_value ` +
      `FROM UNNEST(JSON_KEYS(JSON_QUERY(SAFE.PARSE_JSON(e.body), '$."payload"."details"'), 1)) AS k)) AS \`leg\``,
    sha256Hex: 'TO_HEX(SHA256(x))',
    splitPart: `SPLIT(fqn, '/')[SAFE_ORDINAL(2)]`,
    firstRowPer: `SELECT * FROM (select * from t) AS _sb_q WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ${ORDER}) = 1`,
    dropView: 'DROP VIEW IF EXISTS `analytics`.`v`',
    // GoogleSQL escapes with backslashes; a doubled quote would end the literal.
    stringLiteral: `'it\\'s C:\\\\temp'`,
  },
  snowflake: {
    jsonText: `CAST(GET_PATH(PARSE_JSON(body), '["payload"]["umid"]') AS VARCHAR)`,
    regexMatches: `REGEXP_LIKE(x, '[0-9]+')`,
    safeCastInteger: `CASE WHEN LENGTH(x) <= 200 AND REGEXP_LIKE(x, '[-+]?[0-9]{1,9}') THEN TRY_CAST(x AS NUMBER(38,0)) END`,
    safeCastBoolean: `CASE WHEN LENGTH(LOWER(x)) <= 200 AND REGEXP_LIKE(LOWER(x), 'true|false') THEN TRY_CAST(LOWER(x) AS BOOLEAN) END`,
    isoToTimestamp: `CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(x))`,
    epochSecondsToTimestamp: `CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(CAST(ROUND((s) * 1e6) AS NUMBER(38,0)), 6))`,
    localToTimestamp: `CAST(CONVERT_TIMEZONE('America/New_York', 'UTC', l) AS TIMESTAMP_TZ)`,
    timestampToLocal: `CAST(CONVERT_TIMEZONE('America/New_York', t) AS TIMESTAMP_NTZ)`,
    addSeconds: 'DATEADD(second, -3600, t)',
    secondsBetween: '(DATEDIFF(microsecond, a, b) / 1e6)',
    jsonEntries:
      `, LATERAL (SELECT f.key AS entry_key, TO_JSON(f.value) AS entry_value FROM TABLE(FLATTEN(INPUT => ` +
      `CASE WHEN IS_OBJECT(GET_PATH(TRY_PARSE_JSON(e.body), '["payload"]["details"]')) THEN GET_PATH(TRY_PARSE_JSON(e.body), '["payload"]["details"]') END)) AS f) AS "leg"`,
    sha256Hex: 'SHA2(x, 256)',
    splitPart: `SPLIT_PART(fqn, '/', 2)`,
    firstRowPer: `SELECT * FROM (select * from t) AS _sb_q WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ${ORDER}) = 1`,
    dropView: 'DROP VIEW IF EXISTS "analytics"."v"',
    // Snowflake reads backslash escapes inside '…' too.
    stringLiteral: `'it''s C:\\\\temp'`,
  },
};

/** Pieces of to_utc / safe_cast(…, 'timestamp') that must be each warehouse's own. */
const TIME_PIECES: Record<DialectName, { epoch: string; iso: string; local: string[]; timestampCast: string }> = {
  duckdb: {
    epoch: 'TO_TIMESTAMP(CASE WHEN ABS(TRY_CAST(CAST(x AS VARCHAR) AS DOUBLE)) < 1e11',
    iso: 'THEN TRY_CAST(CAST(x AS VARCHAR) AS TIMESTAMPTZ)',
    local: [`timezone('America/New_York', CAST(REGEXP_REPLACE(REPLACE(CAST(x AS VARCHAR), 'T', ' '), '([.][0-9]{6})[0-9]+', '\\1') AS TIMESTAMP))`, `+ INTERVAL '-86400 seconds'`],
    timestampCast: `THEN TRY_CAST(x AS TIMESTAMPTZ) END`,
  },
  postgres: {
    epoch: 'TO_TIMESTAMP(CASE WHEN ABS(CAST(CAST(x AS text) AS double precision)) < 1e11',
    iso: `THEN CAST(REGEXP_REPLACE(CAST(x AS text), '([.][0-9]{6})[0-9]+', '\\1') AS timestamptz)`,
    local: [`(CAST(REGEXP_REPLACE(REPLACE(CAST(x AS text), 'T', ' '), '([.][0-9]{6})[0-9]+', '\\1') AS TIMESTAMP) AT TIME ZONE 'America/New_York')`, `+ INTERVAL '-86400 seconds'`],
    timestampCast: `THEN CAST(REGEXP_REPLACE(x, '([.][0-9]{6})[0-9]+', '\\1') AS timestamptz) END`,
  },
  bigquery: {
    epoch: 'TIMESTAMP_MICROS(CAST(ROUND((CASE WHEN ABS(SAFE_CAST(CAST(x AS STRING) AS FLOAT64)) < 1e11',
    iso: `THEN SAFE_CAST(REGEXP_REPLACE(REGEXP_REPLACE(CAST(x AS STRING), r'([.][0-9]{6})[0-9]+', r'\\1')`,
    local: [`TIMESTAMP(CAST(REGEXP_REPLACE(REPLACE(CAST(x AS STRING), 'T', ' '), '([.][0-9]{6})[0-9]+', '\\\\1') AS DATETIME), 'America/New_York')`, 'DATETIME_ADD(', 'INTERVAL -86400 SECOND'],
    timestampCast: 'THEN SAFE_CAST(x AS TIMESTAMP) END',
  },
  snowflake: {
    epoch: `CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(CAST(ROUND((CASE WHEN ABS(TRY_CAST(CAST(x AS VARCHAR) AS FLOAT)) < 1e11`,
    iso: `THEN CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(CAST(x AS VARCHAR)))`,
    local: [`CAST(CONVERT_TIMEZONE('America/New_York', 'UTC', CAST(REGEXP_REPLACE(REPLACE(CAST(x AS VARCHAR), 'T', ' '), '([.][0-9]{6})[0-9]+', '\\\\1') AS TIMESTAMP_NTZ)) AS TIMESTAMP_TZ)`, 'DATEADD(second, -86400, '],
    timestampCast: 'THEN TRY_CAST(x AS TIMESTAMP_TZ) END',
  },
};

describe('model macros compile to each warehouse its own SQL', () => {
  for (const name of DIALECTS) {
    test(`${name}: every macro`, () => {
      const d = dialectFor(name);
      for (const [macro, call] of Object.entries(CALLS)) assert.equal(call(d), EXPECTED[name][macro as keyof typeof CALLS], `${name} ${macro}`);
    });

    test(`${name}: to_utc and safe_cast to timestamp use the warehouse's epoch, ISO and zone functions`, () => {
      const d = dialectFor(name);
      const pieces = TIME_PIECES[name];
      const utc = d.toUtc('x');
      assert.ok(utc.includes(pieces.epoch), utc);
      assert.ok(utc.includes(pieces.iso), utc);
      assert.ok(!utc.includes('America/New_York') && !utc.includes('86400'), 'without a zone, no zone arithmetic');
      const zoned = d.toUtc('x', 'America/New_York');
      for (const piece of [pieces.epoch, pieces.iso, ...pieces.local]) assert.ok(zoned.includes(piece), `${piece}\n in ${zoned}`);
      assert.ok(d.safeCast('x', 'timestamp').endsWith(pieces.timestampCast), d.safeCast('x', 'timestamp'));
    });

    test(`${name}: hhmmss floors and pads with the warehouse's integer and text types`, () => {
      const d = dialectFor(name);
      const int = d.typeName('bigint');
      const text = d.typeName('text');
      const whole = `CAST(FLOOR(s) AS ${int})`;
      const hours = `CAST(FLOOR(${whole} / 3600) AS ${int})`;
      assert.equal(
        d.hhmmss('s'),
        `CASE WHEN s >= 0 THEN CASE WHEN ${hours} < 10 THEN '0' ELSE '' END || CAST(${hours} AS ${text}) || ':' || ` +
          `LPAD(CAST(CAST(FLOOR(MOD(${whole}, 3600) / 60) AS ${int}) AS ${text}), 2, '0') || ':' || LPAD(CAST(MOD(${whole}, 60) AS ${text}), 2, '0') END`,
      );
    });
  }

  test('nullsLast adds NULLS LAST to each top-level term that has no NULLS clause', () => {
    assert.equal(nullsLast('a'), 'a NULLS LAST');
    assert.equal(nullsLast(' a desc ,b'), 'a desc NULLS LAST, b NULLS LAST');
    assert.equal(nullsLast('coalesce(a, b) desc, c nulls first'), 'coalesce(a, b) desc NULLS LAST, c nulls first');
    assert.equal(nullsLast(`"x,y", \`p,q\` asc, 'a,(b' || c`), `"x,y" NULLS LAST, \`p,q\` asc NULLS LAST, 'a,(b' || c NULLS LAST`);
  });
});

// ---- the template functions ----------------------------------------------------------------

function context(d: SqlDialect, pii: PiiPolicy = 'keep'): RenderContext {
  return {
    dialect: d,
    targetSchema: 'analytics',
    relation: (kind, name, table) => (kind === 'ref' ? d.tableName('analytics', name) : d.tableName('raw', table ?? '')),
    self: d.tableName('analytics', 'calls'),
    incremental: true,
    lookbackSeconds: 7200,
    vars: { default_region: 'US' },
    piiPolicy: () => pii,
    hashSalt: "pe'pper",
  };
}

describe('template functions render through the dialect', () => {
  /** Each template function and the dialect call it must equal. */
  const SAME_AS_DIALECT: ReadonlyArray<readonly [string, (d: SqlDialect) => string]> = [
    ["{{ json_text('body', 'payload.status.state') }}", (d) => d.jsonText('body', ['payload', 'status', 'state'])],
    ["{{ json_entries('e.body', 'payload.details', 'leg') }}", (d) => d.jsonEntries('e.body', ['payload', 'details'], 'leg')],
    ["{{ to_utc('t') }}", (d) => d.toUtc('t')],
    ["{{ to_utc('t', 'Australia/Lord_Howe') }}", (d) => d.toUtc('t', 'Australia/Lord_Howe')],
    ["{{ safe_cast('x', 'double') }}", (d) => d.safeCast('x', 'double')],
    ["{{ seconds_between('a', 'b') }}", (d) => d.secondsBetween('a', 'b')],
    ["{{ add_seconds('t', 86400) }}", (d) => d.addSeconds('t', 86400)],
    ["{{ hhmmss('s') }}", (d) => d.hhmmss('s')],
    ["{{ sha256('x') }}", (d) => d.sha256Hex('x')],
    ["{{ split_part('fqn', '/', 2) }}", (d) => d.splitPart('fqn', '/', 2)],
    ["{{ regex_matches('x', 'a|b') }}", (d) => d.regexMatches('x', 'a|b')],
    ["{{ first_row_per('select 1 as k', 'k', 'k desc') }}", (d) => d.firstRowPer('select 1 as k', 'k', 'k desc')],
    ["{{ type('timestamp') }}", (d) => d.typeName('timestamp')],
  ];

  const WATERMARK: Record<DialectName, string> = {
    duckdb: `(SELECT COALESCE((MAX(landed_at) + INTERVAL '-7200 seconds'), CAST('1970-01-01T00:00:00Z' AS TIMESTAMPTZ)) FROM "analytics"."calls")`,
    postgres: `(SELECT COALESCE((MAX(landed_at) + INTERVAL '-7200 seconds'), CAST('1970-01-01T00:00:00Z' AS timestamptz)) FROM "analytics"."calls")`,
    bigquery: "(SELECT COALESCE(TIMESTAMP_ADD(MAX(landed_at), INTERVAL -7200 SECOND), CAST('1970-01-01T00:00:00Z' AS TIMESTAMP)) FROM `analytics`.`calls`)",
    snowflake: `(SELECT COALESCE(DATEADD(second, -7200, MAX(landed_at)), CAST('1970-01-01T00:00:00Z' AS TIMESTAMP_TZ)) FROM "analytics"."calls")`,
  };
  const HASHED: Record<DialectName, string> = {
    duckdb: `CASE WHEN f.e164 IS NOT NULL THEN sha256('pe''pper' || f.e164) END`,
    postgres: `CASE WHEN f.e164 IS NOT NULL THEN ENCODE(SHA256(CONVERT_TO('pe''pper' || f.e164, 'UTF8')), 'hex') END`,
    bigquery: `CASE WHEN f.e164 IS NOT NULL THEN TO_HEX(SHA256('pe\\'pper' || f.e164)) END`,
    snowflake: `CASE WHEN f.e164 IS NOT NULL THEN SHA2('pe''pper' || f.e164, 256) END`,
  };

  for (const name of DIALECTS) {
    test(`${name}: the macro functions are the dialect's methods`, () => {
      const d = dialectFor(name);
      for (const [template, call] of SAME_AS_DIALECT) assert.equal(renderTemplate(template, 'm.sql', context(d)), call(d), template);
    });

    test(`${name}: watermark() reaches back the lookback from this model's newest row, 1970 when empty`, () => {
      assert.equal(renderTemplate("{{ watermark('landed_at') }}", 'm.sql', context(dialectFor(name))), WATERMARK[name]);
    });

    test(`${name}: pii() keeps, masks (last 4 digits of phones; bodies entirely) or hashes with the salt`, () => {
      const d = dialectFor(name);
      const phone = "{{ pii('f.e164', 'phone', 'from_e164') }}";
      assert.equal(renderTemplate(phone, 'm.sql', context(d, 'keep')), 'f.e164');
      assert.equal(renderTemplate(phone, 'm.sql', context(d, 'hash')), HASHED[name]);
      assert.equal(
        renderTemplate(phone, 'm.sql', context(d, 'mask')),
        "CASE WHEN LENGTH(f.e164) > 4 THEN CONCAT(REPEAT('*', LENGTH(f.e164) - 4), SUBSTR(f.e164, LENGTH(f.e164) - 3)) ELSE f.e164 END",
      );
      assert.equal(renderTemplate("{{ pii('r.body', 'body') }}", 'm.sql', context(d, 'mask')), "CASE WHEN r.body IS NOT NULL THEN '***' END");
    });
  }

  test('var() takes the project value, then the default, and names the setting when neither exists', () => {
    const d = dialectFor('duckdb');
    assert.equal(renderTemplate("'{{ var('default_region') }}' {{ var('missing', 7) }}", 'm.sql', context(d)), "'US' 7");
    assert.throws(() => renderTemplate("{{ var('missing') }}", 'm.sql', context(d)), /m\.sql: var\('missing'\) has no value; set models\.vars\.missing/);
  });
});

// ---- every bundled model -----------------------------------------------------------------

