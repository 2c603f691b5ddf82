/**
 * The calculated fields of models/macros/calculated_fields.sql (README › Curated tables ›
 * Marts and calculated fields), evaluated on real DuckDB and real Postgres at and around every
 * band edge, and compiled for BigQuery and Snowflake: a value on an edge belongs to the band
 * above it, NULL and negative seconds give NULL, and an interval starts exactly on its edge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { renderTemplate } from '../../sql/engine/render.js';
import type { SqlDialect } from '../../sql/dialect.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';

const { macros } = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));
const render = (d: SqlDialect, template: string): string =>
  renderTemplate(template, 'm.sql', { dialect: d, targetSchema: 'analytics', self: 'm', incremental: false, macros, relation: (_kind, name) => name });

const seconds = (d: SqlDialect, value: number | null): string => `CAST(${value === null ? 'NULL' : String(value)} AS ${d.typeName('double')})`;
const instant = (d: SqlDialect, iso: string | null): string => `CAST(${iso === null ? 'NULL' : d.stringLiteral(iso)} AS ${d.typeName('timestamp')})`;

const DURATIONS: Array<[number | null, string | null]> = [
  [null, null], [-1, null], [0, '<30s'], [29.999, '<30s'], [30, '30s-2m'], [119.5, '30s-2m'], [120, '2-5m'], [299, '2-5m'],
  [300, '5-10m'], [599.9, '5-10m'], [600, '10-30m'], [1799, '10-30m'], [1800, '30m+'], [86_400, '30m+'],
];
const WAITS: Array<[number | null, string | null]> = [
  [null, null], [-0.5, null], [0, '<10s'], [9.999, '<10s'], [10, '10-20s'], [19.9, '10-20s'], [20, '20-30s'], [29.999, '20-30s'],
  [30, '30-60s'], [59, '30-60s'], [60, '1-2m'], [119, '1-2m'], [120, '2-5m'], [299.999, '2-5m'], [300, '5m+'], [3600, '5m+'],
];
const SLA: Array<[string, number | null, number | null, string | null]> = [
  ['answered', 20, 20, 'met'], ['answered', 20.001, 20, 'missed'], ['answered', 0, 20, 'met'],
  ['abandoned', 20, 20, 'short_abandon'], ['abandoned', 21, 20, 'missed'],
  ['voicemail', 5, 20, 'flow_out'], ['callback', 25, 20, 'missed'], ['missed', 12, 20, 'flow_out'],
  ['answered', null, 20, null], ['answered', 10, null, null],
];
const INTERVALS: Array<[string | null, number, string | null]> = [
  ['2025-03-04T10:14:59.999Z', 15, '2025-03-04T10:00:00.000Z'],
  ['2025-03-04T10:15:00.000Z', 15, '2025-03-04T10:15:00.000Z'],
  ['2025-03-04T10:29:59.999999Z', 15, '2025-03-04T10:15:00.000Z'],
  ['2025-03-04T23:59:59.999Z', 15, '2025-03-04T23:45:00.000Z'],
  ['2025-03-04T10:44:59Z', 30, '2025-03-04T10:30:00.000Z'],
  ['2025-03-04T10:59:59Z', 60, '2025-03-04T10:00:00.000Z'],
  ['2025-03-05T00:00:00Z', 60, '2025-03-05T00:00:00.000Z'],
  [null, 15, null],
];

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`calculated fields evaluated on ${kind}`, () => {
    let wh: Warehouse;
    before(async () => {
      wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL });
    });
    after(async () => {
      await wh.close();
    });
    const value = async (expr: string): Promise<unknown> => (await wh.all(`SELECT ${expr} AS r`))[0]?.['r'];

    test('duration_bucket: [0,30) <30s, [30,120) 30s-2m, [120,300) 2-5m, [300,600) 5-10m, [600,1800) 10-30m, 30m+', async () => {
      for (const [input, expected] of DURATIONS) assert.equal(await value(render(wh.dialect, `{{ duration_bucket("${seconds(wh.dialect, input)}") }}`)), expected, String(input));
    });

    test('wait_band: [0,10) <10s, [10,20), [20,30), [30,60), [60,120) 1-2m, [120,300) 2-5m, 5m+', async () => {
      for (const [input, expected] of WAITS) assert.equal(await value(render(wh.dialect, `{{ wait_band("${seconds(wh.dialect, input)}") }}`)), expected, String(input));
    });

    test('sla_status: met at or under the target, missed over it, short_abandon and flow_out within it, NULL without a wait or a target', async () => {
      for (const [outcome, wait, target, expected] of SLA) {
        const sql = render(wh.dialect, `{{ sla_status("'${outcome}'", "${seconds(wh.dialect, wait)}", "${seconds(wh.dialect, target)}") }}`);
        assert.equal(await value(sql), expected, `${outcome} ${String(wait)}/${String(target)}`);
      }
    });

    test('utc_interval_start: the interval holding the instant starts on its edge, to the microsecond', async () => {
      for (const [input, minutes, expected] of INTERVALS) {
        assert.equal(await value(render(wh.dialect, `{{ utc_interval_start("${instant(wh.dialect, input)}", ${minutes}) }}`)), expected, `${String(input)} / ${minutes}`);
      }
    });
  });
}

describe('calculated fields compile for BigQuery and Snowflake with their own time functions', () => {
  for (const [name, markers] of [['bigquery', ['TIMESTAMP_ADD(', 'TIMESTAMP_DIFF(', 'as TIMESTAMP)']], ['snowflake', ['DATEADD(millisecond,', 'DATEDIFF(microsecond,', 'as TIMESTAMP_TZ)']]] as const) {
    test(name, () => {
      const d = dialectFor(name);
      const sql = render(d, "{{ duration_bucket('x') }} {{ wait_band('x') }} {{ sla_status('o', 'w', 't') }} {{ utc_interval_start('ts', 15) }}");
      for (const leftover of ['{{', '}}', '{%', '%}']) assert.ok(!sql.includes(leftover), leftover);
      for (const marker of markers) assert.ok(sql.includes(marker), marker);
      assert.ok(!sql.includes("INTERVAL '"), 'no DuckDB/Postgres interval literal');
    });
  }
});
