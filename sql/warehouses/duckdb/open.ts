/**
 * An embedded DuckDB warehouse: one DuckDBInstance and one connection per open().
 *
 * Everything runs on that one connection, so every statement takes the lock: a run() from
 * elsewhere in the app waits while a transaction is open instead of landing inside it.
 * Two exceptions have connections of their own: readOnlyQuery (below) and stream(), which
 * opens one per stream (stream.ts), because a stream would otherwise hold the lock for as
 * long as its caller iterates, and forever when abandoned. all(…, { signal }) cancels with
 * interrupt() on the shared connection, which the lock guarantees runs that query.
 * Docs: https://duckdb.org/docs/stable/connect/concurrency — one process may hold a
 * database file read-write, and then no other process can open it at all.
 *
 * Sandbox: once open, file system, network and extension access is switched off and the
 * configuration is locked (`enable_external_access = false`, `lock_configuration = true`),
 * for every connection of the instance. Nothing in Switchboard reads or writes files through
 * SQL (landing binds values; models are SELECTs), and json and icu are built in. So an
 * analyst's query (readOnlyQuery, on its own connection) cannot read /etc/passwd, COPY TO,
 * ATTACH, EXPORT DATABASE, INSTALL/LOAD, or SET memory_limit for everyone after it.
 * Docs: https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import './keep-bom.js';
import { SqlError } from '../../errors.js';
import { leadingKeyword, notReadOnly, READ_KEYWORDS, statementNamed } from '../../read-only-refusal.js';
import type { TableSpec } from '../../dialect.js';
import { introspectorOf } from '../../introspect.js';
import type { DryRunEstimate, Queryable, QueryOptions, ReadOnlyQueryOptions, ReadOnlyResult, SqlParam, SqlRow, StreamOptions, Warehouse, WriteRow, WriteRowsOptions } from '../../warehouse.js';
import { cancellable, unlessAborted } from '../cancel.js';
import { SerialLock } from '../serial-lock.js';
import { transactionHandle } from '../transaction-handle.js';
import { DuckDbDialect } from './dialect.js';
import { streamDuckDb } from './stream.js';
import { duckDbBinding, sqlRowFromDuckDb, sqlValueFromDuckDb } from './values.js';

/** How to open DuckDB. */
export interface DuckDbOptions {
  /**
   * The database file, e.g. `./data/switchboard.duckdb`; its directory is created if
   * missing. `:memory:` opens a private in-memory database (gone on close).
   */
  path: string;
  /**
   * Worker threads DuckDB may use. Default: one fewer than the machine's cores (at least
   * 1), so landing keeps a core for HTTP: on 2 cores, 1 thread cut DuckDB's CPU per landed
   * event by about a third (bench:ingest). Raise it for heavy analytical builds.
   */
  threads?: number | undefined;
  /**
   * WAL size that triggers a checkpoint, e.g. `256MB` (DuckDB's default is 16MB). Each
   * checkpoint recompresses the changed row groups; fewer, larger ones cost less CPU per
   * event, at the price of a longer WAL replay after a crash.
   */
  checkpointThreshold?: string | undefined;
  /** Fail fast (SB_SQL_REENTRANT_CALL) rather than deadlock on misuse; see SerialLock. */
  detectReentrancy?: boolean | undefined;
  /**
   * DuckDB's memory ceiling, e.g. `1GB`. DuckDB's own default is 80 % of RAM, far more than
   * a landing server sharing a machine should take. Default: `1GB`.
   */
  memoryLimit?: string | undefined;
}

/**
 * Opens (creating if needed) the DuckDB database at `options.path`.
 * @example const wh = await openDuckDb({ path: './data/switchboard.duckdb' })
 */
export async function openDuckDb(options: DuckDbOptions): Promise<Warehouse> {
  if (options.path !== ':memory:') await mkdir(dirname(options.path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    instance = await DuckDBInstance.create(options.path, { threads: String(threads), memory_limit: sizeSetting(options.memoryLimit ?? '1GB', 'memoryLimit') });
  } catch (cause) {
    throw new SqlError(
      'SB_SQL_UNAVAILABLE',
      `Cannot open DuckDB at ${options.path}: ${(cause as Error).message}. If another process ` +
        'holds the file (DuckDB allows one writer process), stop it or point warehouse.path elsewhere.',
      { configKey: 'warehouse.path', cause },
    );
  }
  const connection = await instance.connect();
  // TimeZone is per connection and defaults to the process' TZ; it decides how strings
  // without an offset cast to TIMESTAMPTZ. It cannot be passed to create(): the ICU
  // extension that owns it loads only after the database is open.
  await connection.run(`SET TimeZone = 'UTC'`);
  // And for connections opened later (streams): once the configuration is locked, a new
  // connection can no longer SET it, so it must start in UTC.
  await connection.run(`SET GLOBAL TimeZone = 'UTC'`);
  await connection.run(`SET checkpoint_threshold = '${sizeSetting(options.checkpointThreshold ?? '256MB', 'checkpointThreshold')}'`);
  // The analysts' connection (readOnlyQuery): its own, so that interrupt() on a timeout
  // stops only that query and a long one does not hold the lock landing needs.
  const reader = await instance.connect();
  await reader.run(`SET TimeZone = 'UTC'`);
  // Last: after this no connection can change a setting or touch a file (see above).
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  return new DuckDbWarehouse(instance, connection, reader, options.detectReentrancy);
}

function timeoutError(timeoutMs: number, cause: unknown): SqlError {
  return new SqlError('SB_SQL_QUERY_TIMEOUT', `The query ran longer than ${timeoutMs} ms and was cancelled. Narrow it (a WHERE on a time column, a LIMIT), or run heavy analysis on a copy of the warehouse.`, { cause });
}

/** Checks a DuckDB size setting such as `256MB` (it is spliced into SQL). */
function sizeSetting(value: string, key: string): string {
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
    throw new SqlError('SB_SQL_INVALID_PARAM', `${key} must be a size like 256MB, not "${value}".`, { configKey: `warehouse.${key}` });
  }
  return value;
}

/** The statement types readOnlyQuery accepts: SELECT (also WITH … SELECT, FROM …, PRAGMA that read). */
const READ_ONLY_STATEMENTS: ReadonlySet<number> = new Set([StatementType.SELECT]);

class DuckDbWarehouse implements Warehouse {
  readonly dialect = new DuckDbDialect();
  readonly introspector = introspectorOf(this, () => this.dialect);
  private readonly lock: SerialLock;
  /** The connections of streams not yet ended (stream.ts): close() closes them. */
  private readonly streams = new Set<DuckDBConnection>();
  /** One analyst's query at a time on the reader connection. */
  private readonly readerLock = new SerialLock(false);
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    detectReentrancy: boolean | undefined,
  ) {
    this.lock = new SerialLock(detectReentrancy);
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    return this.lock.run(() => this.execute(sql, params));
  }

  all<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    const { signal } = options;
    if (signal === undefined) return this.lock.run(() => this.query<T>(sql, params));
    // interrupt() stops whatever the shared connection runs; the lock makes that this query.
    // https://duckdb.org/docs/stable/clients/c/api#duckdb_interrupt
    return unlessAborted(signal, this.lock.run(() => cancellable(signal, () => this.query<T>(sql, params), () => this.connection.interrupt())));
  }

  /** On a connection of its own; see stream.ts. */
  stream(sql: string, params: readonly SqlParam[] = [], options: StreamOptions = {}): AsyncIterable<SqlRow[]> {
    return streamDuckDb(
      {
        assertOpen: () => this.assertOpen(),
        connect: () => this.instance.connect(),
        track: (connection) => {
          this.streams.add(connection);
          return () => this.streams.delete(connection);
        },
      },
      sql,
      params,
      options,
    );
  }

  /** In one transaction, so a batch cut into several statements lands whole or not at all. */
  writeRows(table: TableSpec, rows: readonly WriteRow[], options?: WriteRowsOptions): Promise<void> {
    return this.transaction((tx) => tx.writeRows(table, rows, options));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      // tx bypasses the lock: this transaction already holds it.
      const { tx, end } = transactionHandle(
        (sql, params) => this.execute(sql, params),
        (sql, params) => this.query(sql, params),
        this.dialect,
      );
      await this.execute('BEGIN TRANSACTION', []);
      try {
        const result = await fn(tx);
        end();
        await this.execute('COMMIT', []);
        return result;
      } catch (error) {
        end();
        // After a failed statement (or a failed COMMIT) DuckDB still needs ROLLBACK to leave
        // the aborted transaction; if there is none left, ROLLBACK's own error is noise.
        await this.execute('ROLLBACK', []).catch(() => undefined);
        throw error;
      }
    });
  }

  readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<ReadOnlyResult> {
    return this.readerLock.run(async () => {
      this.assertOpen();
      // The node API splits the text the way DuckDB's parser does, so `SELECT 1; DELETE …`
      // is two statements whatever quoting or comments hide the semicolon in.
      const statements = await this.reader.extractStatements(sql);
      if (statements.count !== 1) throw notReadOnly(statements.count === 0 ? 'empty' : `${statements.count} statements`);
      let prepared: Awaited<ReturnType<typeof statements.prepare>>;
      try {
        prepared = await statements.prepare(0);
      } catch (error) {
        // Preparing binds names, so `DELETE FROM a_missing_table` fails here, before its type
        // is known: a write is still refused as one, not reported as a missing table.
        const first = leadingKeyword(sql);
        if (!READ_KEYWORDS.has(first)) throw notReadOnly(statementNamed(first), error);
        throw error;
      }
      if (!READ_ONLY_STATEMENTS.has(prepared.statementType)) throw notReadOnly(statementNamed(StatementType[prepared.statementType] ?? ''));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.reader.interrupt();
      }, options.timeoutMs);
      // In a transaction that is rolled back as well: a SELECT cannot write, but nextval() can.
      await this.reader.run('BEGIN TRANSACTION');
      try {
        const result = await prepared.stream();
        const names = result.columnNames();
        const typeIds = names.map((_, index) => result.columnTypeId(index));
        const rows: SqlRow[] = [];
        // Chunk by chunk (2048 rows each), stopping once one row more than asked is known.
        while (rows.length <= options.maxRows) {
          const chunk = await result.fetchChunk();
          if (chunk === null || chunk.rowCount === 0) break;
          for (const row of chunk.getRows()) {
            const record: SqlRow = {};
            row.forEach((value, index) => {
              record[names[index]!] = sqlValueFromDuckDb(typeIds[index]!, value);
            });
            rows.push(record);
            if (rows.length > options.maxRows) break;
          }
        }
        return { columns: names, rows: rows.slice(0, options.maxRows), truncated: rows.length > options.maxRows };
      } catch (error) {
        if (timedOut) throw timeoutError(options.timeoutMs, error);
        throw error;
      } finally {
        clearTimeout(timer);
        await this.reader.run('ROLLBACK').catch(() => undefined);
      }
    });
  }

  /**
   * Prepares the statement on the reader connection and drops it: preparing parses and binds
   * (an unknown table or column fails here) and executes nothing, and DuckDB refuses to
   * prepare two statements at once ("Cannot prepare multiple statements at once!").
   * https://duckdb.org/docs/stable/sql/query_syntax/prepared_statements. DuckDB estimates
   * rows, not bytes, so there is no byte estimate; parameters are not needed to bind.
   */
  dryRun(sql: string): Promise<DryRunEstimate> {
    return this.readerLock.run(async () => {
      this.assertOpen();
      const prepared = await this.reader.prepare(sql);
      const type = StatementType[prepared.statementType];
      prepared.destroySync();
      return { bytesProcessed: null, ...(type === undefined ? {} : { statementType: type }) };
    });
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    // Waits for queued work, then closes connection before instance so the WAL is
    // checkpointed into the database file.
    this.closing ??= this.lock.run(async () => {
      this.closed = true;
      await this.readerLock.run(async () => undefined); // an analyst's query in flight
      // Streams still open (abandoned, or not yet read to their end) end here.
      for (const stream of this.streams) stream.closeSync();
      this.streams.clear();
      this.reader.closeSync();
      this.connection.closeSync();
      this.instance.closeSync();
    });
    return this.closing;
  }

  private async execute(sql: string, params: readonly SqlParam[]): Promise<void> {
    this.assertOpen();
    if (params.length === 0) {
      // Without values the driver runs the text directly (no prepare), which also allows
      // several statements separated by semicolons.
      await this.connection.run(sql);
      return;
    }
    const { values, types } = duckDbBinding(params);
    await this.connection.run(sql, values, types);
  }

  private async query<T extends SqlRow>(sql: string, params: readonly SqlParam[]): Promise<T[]> {
    this.assertOpen();
    const binding = params.length === 0 ? undefined : duckDbBinding(params);
    const reader = await this.connection.runAndReadAll(sql, binding?.values, binding?.types);
    const names = reader.columnNames();
    const typeIds = names.map((_, index) => reader.columnTypeId(index));
    return reader.getRows().map((row) => sqlRowFromDuckDb(names, typeIds, row) as T);
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError('SB_SQL_CLOSED', 'This DuckDB warehouse is closed; open a new one.');
  }
}
