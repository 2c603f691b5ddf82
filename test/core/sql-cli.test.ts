/**
 * `switchboard sql` only reads: DELETE, UPDATE, INSERT, CREATE and DROP all exit 1 with the
 * one SB_SQL_NOT_READ_ONLY message, never a count, and change nothing — through a running
 * server (POST /sql) and directly when none runs, on DuckDB and on Postgres. Through the real
 * CLI process, as an operator types it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { openWarehouse, type WarehouseConfig } from '../../sql/warehouses/index.js';

const WRITES: ReadonlyArray<[string, (raw: string) => string]> = [
  ['a DELETE', (raw) => `DELETE FROM ${raw}.notes`],
  ['an UPDATE', (raw) => `UPDATE ${raw}.notes SET note = 'changed'`],
  ['an INSERT', (raw) => `INSERT INTO ${raw}.notes (note) VALUES ('added')`],
  ['a CREATE', (raw) => `CREATE TABLE ${raw}.made AS SELECT 1 AS one`],
  ['a DROP', (raw) => `DROP TABLE ${raw}.notes`],
  // Not there: refused as the write it is, not reported as a missing table.
  ['a DELETE', (raw) => `DELETE FROM ${raw}.no_such_table`],
];

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`switchboard sql refuses writes, on ${warehouse}`, () => {
    const home = mkdtempSync(join(tmpdir(), 'switchboard-sql-cli-'));
    const raw = warehouse === 'postgres' ? uniqueSchema() : 'raw';
    const modelsSchema = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const where: WarehouseConfig = warehouse === 'postgres' ? { type: 'postgres', url: TEST_POSTGRES_URL } : { type: 'duckdb', path: join(home, 'data', 'warehouse.duckdb') };
    let server: ServerProcess | undefined;

    before(async () => {
      const settings = warehouse === 'postgres' ? `  type: postgres\n  url: ${TEST_POSTGRES_URL}\n` : '  type: duckdb\n  path: ./data/warehouse.duckdb\n';
      writeFileSync(join(home, 'switchboard.yaml'), `log:\n  level: warn\nwarehouse:\n${settings}  rawSchema: ${raw}\nmodels:\n  schema: ${modelsSchema}\n  schedule: "off"\n`);
      await withWarehouse(async (wh) => {
        await wh.run(`CREATE SCHEMA IF NOT EXISTS ${raw}`);
        await wh.run(`CREATE TABLE ${raw}.notes (note TEXT)`);
        await wh.run(`INSERT INTO ${raw}.notes (note) VALUES ('kept')`);
      });
    });
    after(async () => {
      await server?.kill('SIGTERM');
      if (warehouse === 'postgres') {
        await withWarehouse(async (wh) => {
          for (const schema of [raw, modelsSchema]) await wh.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        });
      }
      rmSync(home, { recursive: true, force: true }); // the warehouse, the spool and the admin token files
    });

    async function withWarehouse(work: (wh: Awaited<ReturnType<typeof openWarehouse>>) => Promise<void>): Promise<void> {
      const wh = await openWarehouse(where);
      try {
        await work(wh);
      } finally {
        await wh.close();
      }
    }

    /** Each write exits 1 with the one message and prints nothing on stdout; the table is as it was. */
    async function assertRefused(via: string[]): Promise<void> {
      for (const [what, write] of WRITES) {
        const query = write(raw);
        const res = await runCli(['sql', query, ...via], home);
        assert.equal(res.code, 1, `${query}: exit status`);
        assert.equal(res.stdout, '', `${query}: no rows, no count`);
        assert.equal(
          res.stderr.trim(),
          `error SB_SQL_NOT_READ_ONLY: switchboard sql only reads, and this query is ${what}: refused, nothing was changed. Give one SELECT (or WITH … SELECT, VALUES). ` +
            'Writes belong in models (the .sql files in models.dir, built by switchboard build), settings in the config.',
          query,
        );
      }
      const still = await runCli(['sql', `SELECT note FROM ${raw}.notes`, '--format', 'csv', ...via], home);
      assert.equal(still.stdout, 'note\nkept\n', still.stderr);
      const made = await runCli(['sql', `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'made'`, '--format', 'csv', ...via], home);
      assert.equal(made.stdout, 'n\n0\n', made.stderr);
    }

    test('through a running server (POST /sql)', async () => {
      server = await startServerProcess(join(home, 'switchboard.yaml'), {}, home);
      await assertRefused(['--admin-url', server.adminUrl]);
      await server.kill('SIGTERM');
      server = undefined;
    });

    test('directly, when no server runs', async () => {
      await assertRefused(['--admin-url', 'http://127.0.0.1:9']);
    });
  });
}
