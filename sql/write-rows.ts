/**
 * The one bulk path into a warehouse: {@link Queryable.writeRows}. Landing (raw events,
 * rejections, the spool checkpoint), pulls, the sync checkpoint and run records, the model
 * engine's run results and phone lookup, and the Salesforce people snapshot all write rows
 * through it; nothing else batches INSERTs or upserts by hand.
 *
 * This file is the SQL way in, which every warehouse folder can use: where the dialect takes
 * rows as JSON (`supportsJsonRows`) the rows travel as ONE parameter holding a JSON array,
 * parsed by the engine (DuckDB `from_json`, Postgres `json_to_recordset`, BigQuery
 * `JSON_QUERY_ARRAY`), cut into statements of at most `maxJsonRowsBytes`; elsewhere as
 * bound VALUES under the parameter limit. A warehouse with a faster way in for large
 * batches overrides `writeRows` in its folder and falls back to this.
 */
import type { SqlDialect, TableSpec } from './dialect.js';
import { SqlError } from './errors.js';
import type { SqlParam, WriteRow, WriteRowsOptions } from './warehouse.js';

/** Rows serialised this many at a time, yielding to the event loop in between (landing keeps answering webhooks). */
const YIELD_EVERY = 100;
/** Most rows in one bound-VALUES statement, whatever the parameter limit allows: prepare time grows with it. */
const MAX_BOUND_ROWS = 1_000;

/**
 * Writes `rows` into `table` with SQL statements run by `run`, in order; see the file comment.
 * Keys must be unique within `rows` in upsert mode (see UpsertSpec).
 */
export async function writeRowsAsSql(
  run: (sql: string, params: readonly SqlParam[]) => Promise<void>,
  dialect: SqlDialect,
  table: TableSpec,
  rows: readonly WriteRow[],
  options: WriteRowsOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns = table.columns.map((c) => c.name);
  checkColumns(table, columns, rows);
  const append = options.mode === 'append';
  const spec = { table, columns, onMatch: options.onMatch ?? {}, ...(options.key === undefined ? {} : { key: options.key }) };
  if (dialect.capabilities.supportsJsonRows) {
    const sql = append ? dialect.insertJson({ table, columns }) : dialect.upsertJson(spec);
    for await (const json of jsonChunks(rows, columns, dialect.capabilities.maxJsonRowsBytes)) await run(sql, [json]);
    return;
  }
  const params = (row: WriteRow): SqlParam[] =>
    table.columns.map((c) => {
      const value = row[c.name];
      if (value === undefined || value === null) return null;
      return c.type === 'json' ? JSON.stringify(value, bigintAsNumber) : (value as SqlParam);
    });
  const perStatement = Math.max(1, Math.min(MAX_BOUND_ROWS, Math.floor(dialect.capabilities.maxParams / columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const sql = append ? dialect.insertValues({ table, columns, rowCount: chunk.length }) : dialect.upsert({ ...spec, rowCount: chunk.length });
    await run(sql, chunk.flatMap(params));
  }
}

/**
 * The rows as JSON arrays of at most `maxBytes` characters each (one row more only when a
 * single row is larger), serialised in slices that yield to the event loop. Every column is
 * present in every object (`null` when the row leaves it out), as the engines' JSON readers expect.
 */
async function* jsonChunks(rows: readonly WriteRow[], columns: readonly string[], maxBytes: number): AsyncGenerator<string> {
  let parts: string[] = [];
  let size = 2;
  for (let i = 0; i < rows.length; i += 1) {
    if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    const row = rows[i]!;
    const text = JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])), bigintAsNumber);
    if (parts.length > 0 && size + text.length + 1 > maxBytes) {
      yield `[${parts.join(',')}]`;
      parts = [];
      size = 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) yield `[${parts.join(',')}]`;
}

/** A key that is not a column would be dropped silently: a programming error, refused before any I/O. */
function checkColumns(table: TableSpec, columns: readonly string[], rows: readonly WriteRow[]): void {
  const known = new Set(columns);
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      if (!known.has(name)) {
        throw new SqlError('SB_SQL_INVALID_UPSERT', `writeRows into ${table.schema}.${table.name}: "${name}" is not a column of the table (columns: ${columns.join(', ')}).`);
      }
    }
  }
}

/** JSON has no bigint: a safe one becomes a number, a larger one its decimal digits. */
function bigintAsNumber(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}
