/**
 * A throwaway project folder and warehouse for engine tests: files in a temp folder, and a
 * DuckDB file or a Postgres connection with schemas of its own, all removed when the test ends.
 */
import { after, type TestContext } from 'node:test';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { TEST_POSTGRES_URL, uniqueSchema } from './postgres.js';
import { tempFolder } from './project-files.js';

/** A folder of `files` (path → text), removed when the test that makes it ends. */
export const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-scratch-');

/**
 * A warehouse with a raw schema (created) and a target schema of its own: `raw` and
 * `analytics` in a fresh DuckDB file, random names on the shared Postgres (dropped after).
 */
export async function scratchWarehouse(t: TestContext, kind: 'duckdb' | 'postgres'): Promise<{ wh: Warehouse; raw: string; schema: string }> {
  const raw = kind === 'duckdb' ? 'raw' : uniqueSchema('raw');
  const schema = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
  const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(folder({}), 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
  t.after(async () => {
    if (kind === 'postgres') for (const s of [raw, schema]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(s)} CASCADE`);
    await wh.close();
  });
  await wh.run(wh.dialect.createSchema(raw));
  return { wh, raw, schema };
}
