/**
 * Seeds built on real DuckDB and real Postgres: the table holds exactly the CSV's rows with
 * the YAML's column types, an empty seed is a typed table without rows, a changed CSV
 * replaces the table on the next build, the seed's YAML data tests run (and a failing one
 * skips what reads it), and `seed` builds the seeds alone, without tests. Then POST /seed
 * through the operator API, as `switchboard seed` uses it when a server runs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { build, seed, type RunResults } from '../../sql/engine/run.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { startHarness } from '../helpers/harness.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { tempFolder, writeFiles as write } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-seeds-');


const ACCOUNTS_CSV = [
  'account_id,name,tier,seats,calls_total,score,active,renews_at',
  '001A,"Acme, Inc.",gold,40,9000000000,0.75,true,2025-06-30T17:00:00+07:00',
  '001B,"Line one\r\nline two",silver,,12,,FALSE,',
  '001C,"Say ""hi"" \\ Zoë",bronze,3,-1,-2.5e2,true,2025-01-01',
].join('\r\n');

const PROPS_YML = `
seeds:
  - name: accounts
    config:
      column_types: { seats: integer, calls_total: bigint, score: double, active: boolean, renews_at: timestamp }
    columns:
      - name: account_id
        tests: [unique, not_null]
      - name: tier
        tests:
          - accepted_values: { values: [gold, silver, bronze] }
  - name: nothing_yet
`;

/** The rows as comparable text, whatever the driver returns for each type. */
async function rows(wh: Warehouse, table: string): Promise<string[][]> {
  const d = wh.dialect;
  const text = (column: string) => `CAST(${d.quoteIdent(column)} AS ${d.typeName('text')})`;
  const found = await wh.all(
    `SELECT account_id, name, tier, seats, calls_total, score, active, ${text('renews_at')} AS renews_at FROM ${table} ORDER BY account_id`,
  );
  return found.map((r) => Object.values(r).map((v) => (v === null ? 'NULL' : String(v))));
}

async function columnTypes(wh: Warehouse, schema: string, table: string): Promise<string[]> {
  const found = await wh.all<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
  );
  return found.map((r) => `${r.column_name} ${r.data_type.toLowerCase()}`);
}

const failures = (results: RunResults) => JSON.stringify(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass'));

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`seeds on ${kind}`, () => {
    test('build: exact rows and column types, an empty seed, data tests, and a changed CSV replaces the table', async () => {
      const dir = folder({
        'seeds/accounts.csv': ACCOUNTS_CSV,
        'seeds/nothing_yet.csv': 'code,label\n',
        'props.yml': PROPS_YML,
        'gold_seats.sql': "{{ config(materialized='table') }} select account_id, seats from {{ ref('accounts') }} where tier = 'gold'",
      });
      const schema = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
      const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(folder({}), 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
      try {
        const settings = { targetSchema: schema, sources: { raw: 'raw' } };
        const first = await build(wh, await loadProject(dir, wh.dialect), { settings });
        assert.equal(first.success, true, failures(first));
        assert.deepEqual(
          first.results.map((r) => [r.node, r.status, r.rows, r.materialized]),
          [
            ['model.accounts', 'success', 3, 'seed'],
            ['test.unique_accounts_account_id', 'pass', 0, null],
            ['test.not_null_accounts_account_id', 'pass', 0, null],
            ['test.accepted_values_accounts_tier', 'pass', 0, null],
            ['model.gold_seats', 'success', 1, 'table'],
            ['model.nothing_yet', 'success', 0, 'seed'],
          ],
        );
        const table = wh.dialect.tableName(schema, 'accounts');
        assert.deepEqual(await rows(wh, table), [
          ['001A', 'Acme, Inc.', 'gold', '40', '9000000000', '0.75', 'true', '2025-06-30 10:00:00+00'],
          ['001B', 'Line one\r\nline two', 'silver', 'NULL', '12', 'NULL', 'false', 'NULL'],
          ['001C', 'Say "hi" \\ Zoë', 'bronze', '3', '-1', '-250', 'true', '2025-01-01 00:00:00+00'],
        ]);
        const expected =
          kind === 'duckdb'
            ? ['varchar', 'varchar', 'varchar', 'integer', 'bigint', 'double', 'boolean', 'timestamp with time zone']
            : ['text', 'text', 'text', 'integer', 'bigint', 'double precision', 'boolean', 'timestamp with time zone'];
        const names = ['account_id', 'name', 'tier', 'seats', 'calls_total', 'score', 'active', 'renews_at'];
        assert.deepEqual(await columnTypes(wh, schema, 'accounts'), names.map((n, i) => `${n} ${expected[i]}`));
        assert.deepEqual(await columnTypes(wh, schema, 'nothing_yet'), [`code ${expected[0]}`, `label ${expected[0]}`]);
        assert.deepEqual(await wh.all(`SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(schema, 'nothing_yet')}`).then((r) => Number(r[0]?.n)), 0);

        // A duplicate account: the new file replaces the table whole, its unique test fails, and what reads it is skipped.
        write(dir, { 'seeds/accounts.csv': 'account_id,name,tier,seats,calls_total,score,active,renews_at\n001Z,Zed,gold,1,1,1,true,\n001Z,Zed again,gold,2,2,2,false,\n' });
        const second = await build(wh, await loadProject(dir, wh.dialect), { settings });
        assert.deepEqual(
          second.results.filter((r) => r.status !== 'pass').map((r) => [r.node, r.status]),
          [['model.accounts', 'success'], ['test.unique_accounts_account_id', 'fail'], ['model.gold_seats', 'skipped'], ['model.nothing_yet', 'success']],
        );
        assert.deepEqual((await rows(wh, table)).map((r) => r.slice(0, 3)), [['001Z', 'Zed', 'gold'], ['001Z', 'Zed again', 'gold']]);
      } finally {
        if (kind === 'postgres') await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
        await wh.close();
      }
    });

    test('seed: only the selected seeds, and none of their tests', async () => {
      const dir = folder({ 'seeds/accounts.csv': ACCOUNTS_CSV, 'seeds/nothing_yet.csv': 'code,label\n', 'props.yml': PROPS_YML, 'reader.sql': "select * from {{ ref('accounts') }}" });
      const schema = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
      const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(folder({}), 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
      try {
        const project = await loadProject(dir, wh.dialect);
        const settings = { targetSchema: schema, sources: { raw: 'raw' } };
        const all = await seed(wh, project, { settings });
        assert.equal(all.command, 'seed');
        assert.deepEqual(all.results.map((r) => [r.node, r.status]), [['model.accounts', 'success'], ['model.nothing_yet', 'success']]);
        const upstream = await seed(wh, project, { settings, select: ['+reader'] });
        assert.deepEqual(upstream.results.map((r) => r.node), ['model.accounts'], '+reader selects the reader and its seed; seed builds the seed alone');
        assert.equal((await rows(wh, wh.dialect.tableName(schema, 'accounts'))).length, 3);
      } finally {
        if (kind === 'postgres') await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
        await wh.close();
      }
    });
  });
}

test('POST /seed in the server: the bundled seeds alone; a selection without a seed is refused before anything runs', async () => {
  const h = await startHarness({ config: { models: { schedule: 'off' } } });
  try {
    const response = await h.admin({ method: 'POST', url: '/seed', payload: {} });
    assert.equal(response.statusCode, 200);
    const results = JSON.parse(response.body.trim().split('\n').at(-1) as string) as RunResults;
    assert.equal(results.command, 'seed');
    assert.equal(results.success, true, failures(results));
    const nodes = results.results.map((r) => r.node);
    for (const name of ['model.account_tiers', 'model.vip_callers']) assert.ok(nodes.includes(name), `${name} in ${nodes.join(', ')}`);
    assert.deepEqual([...new Set(results.results.map((r) => r.materialized))], ['seed'], 'seeds only, no tests');
    const tiers = await h.query('SELECT tier, COUNT(*) AS n FROM analytics.account_tiers GROUP BY tier ORDER BY tier');
    assert.deepEqual(tiers.map((r) => [r.tier, Number(r.n)]), [['bronze', 1], ['gold', 1], ['platinum', 1], ['silver', 1]]);

    const refused = await h.admin({ method: 'POST', url: '/seed', payload: { select: ['calls'] } });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json(), { error: { code: 'SB_MODEL_NOTHING_SELECTED', message: 'Nothing to seed: --select calls selects no seed. Nothing ran; seeds are the CSV files under a models folder\'s seeds/.' } });
  } finally {
    await h.close();
  }
});
