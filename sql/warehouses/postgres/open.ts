/**
 * A Postgres warehouse over a `pg.Pool`. Plain run()/all() take any pooled client;
 * transaction() takes one client for BEGIN … COMMIT and is serialised by a lock, as the
 * Warehouse contract promises (so batches land in order, one at a time).
 */
import pg from 'pg';
import { SqlError } from '../../errors.js';
import type { TableSpec } from '../../dialect.js';
import { introspectorOf } from '../../introspect.js';
import type { DryRunEstimate, Queryable, QueryOptions, ReadOnlyQueryOptions, ReadOnlyResult, SqlParam, SqlRow, StreamOptions, Warehouse, WriteRow, WriteRowsOptions } from '../../warehouse.js';
import { cancellable, unlessAborted } from '../cancel.js';
import { pgParams } from './params.js';
import { PostgresReader } from './reader.js';
import { backendPid, cancelBackend, streamPostgres } from './stream.js';
import { SerialLock } from '../serial-lock.js';
import { transactionHandle } from '../transaction-handle.js';
import { PostgresDialect } from './dialect.js';
import { sqlValueTypes } from './type-parsers.js';

/** How to reach Postgres. */
export interface PostgresOptions {
  /** e.g. `postgres://switchboard@db.internal:5432/analytics`; the password comes from PGPASSWORD. */
  url: string;
  /** Prepended to every schema name, e.g. `ci_7f3a_` (see DialectOptions). Default: none. */
  schemaPrefix?: string;
  /** Most pooled connections, e.g. 4. Default: 10 (pg's default). */
  poolSize?: number;
  /** Fail fast (SB_SQL_REENTRANT_CALL) rather than deadlock on misuse; see SerialLock. */
  detectReentrancy?: boolean | undefined;
}

/**
 * Opens a pool and resolves once the server answers; rejects with `SB_SQL_UNAVAILABLE`.
 * @example const wh = await openPostgres({ url: 'postgres://postgres@127.0.0.1:5432/postgres' })
 */
export async function openPostgres(options: PostgresOptions): Promise<Warehouse> {
  const connection: pg.ClientConfig = {
    connectionString: options.url,
    application_name: 'switchboard',
    // Session settings the type parsers rely on: timestamps printed in UTC, ISO style.
    options: '-c TimeZone=UTC -c DateStyle=ISO',
    types: sqlValueTypes,
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle client losing its connection emits 'error' on the pool, and an unhandled
  // 'error' event kills the process. The pool drops that client; the next query reconnects.
  pool.on('error', () => undefined);
  const dialect = new PostgresDialect({ schemaPrefix: options.schemaPrefix });
  const reader = new PostgresReader(options.url, pool, (schema) => dialect.schemaPrefix + schema);
  const warehouse = new PostgresWarehouse(pool, dialect, reader, options.detectReentrancy, { ...connection, application_name: 'switchboard-cancel' });
  try {
    await warehouse.ping();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    if ((cause as { code?: string }).code === INVALID_CATALOG_NAME) throw missingDatabase(options.url, cause);
    throw new SqlError(
      'SB_SQL_UNAVAILABLE',
      `Cannot reach Postgres at ${redact(options.url)}: ${(cause as Error).message}. ` +
        'Check warehouse.url, that the server is running, and PGPASSWORD.',
      { configKey: 'warehouse.url', cause },
    );
  }
  return warehouse;
}

/** SQLSTATE 3D000: the database named in the connection does not exist. */
const INVALID_CATALOG_NAME = '3D000';

/**
 * The server answers, but has no database by the name `url` gives. That is set-up, not an
 * outage, so the message says how to create it (README › Configuration › Postgres).
 */
function missingDatabase(url: string, cause: unknown): SqlError {
  const parsed = new URL(url);
  // Postgres names it in its own words (`database "x" does not exist`), defaults included.
  const name = /database "(.*)" does not exist/.exec((cause as Error).message)?.[1] ?? decodeURIComponent(parsed.pathname.slice(1));
  const user = decodeURIComponent(parsed.username);
  const host = parsed.hostname || 'localhost';
  const port = parsed.port || '5432';
  const plain = /^[a-z_][a-z0-9_]*$/.test(name);
  const database = plain ? name : `"${name.replaceAll('"', '""')}"`;
  const role = user === '' ? '<the user in warehouse.url>' : /^[a-z_][a-z0-9_]*$/.test(user) ? user : `"${user.replaceAll('"', '""')}"`;
  return new SqlError(
    'SB_SQL_DATABASE_MISSING',
    `The Postgres server at ${host}:${port} has no database "${name}" (warehouse.url). ` +
      `Create it as a superuser: run createdb -h ${host} -p ${port} -U postgres ${plain ? name : `'${name.replaceAll("'", "'\\''")}'`}, ` +
      `or in psql CREATE DATABASE ${database}; then GRANT CREATE ON DATABASE ${database} TO ${role}; so that Switchboard can create its schemas there ` +
      '(README › Configuration › Postgres). Or correct the database name in warehouse.url.',
    { configKey: 'warehouse.url', cause },
  );
}

/** The URL without any password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

type Client = Pick<pg.PoolClient, 'query'>;

async function runOn(client: Client, sql: string, params: readonly SqlParam[]): Promise<void> {
  await client.query(sql, pgParams(params));
}

async function allOn<T extends SqlRow>(client: Client, sql: string, params: readonly SqlParam[]): Promise<T[]> {
  const result = (await client.query(sql, pgParams(params))) as pg.QueryResult | pg.QueryResult[];
  // A multi-statement script returns one result per statement; the last one is the answer.
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return (last?.rows ?? []) as T[];
}

class PostgresWarehouse implements Warehouse {
  readonly introspector = introspectorOf(this, () => this.dialect);
  private readonly lock: SerialLock;
  private closing: Promise<void> | undefined;
  /** How to end each stream not yet ended (stream.ts): close() does, so pool.end() can finish. */
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly pool: pg.Pool,
    readonly dialect: PostgresDialect,
    private readonly reader: PostgresReader,
    detectReentrancy: boolean | undefined,
    /** For the connection that sends a cancel (stream.ts › cancelBackend). */
    private readonly cancelConnection: pg.ClientConfig,
  ) {
    this.lock = new SerialLock(detectReentrancy);
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    this.assertOpen();
    await runOn(this.pool, sql, params);
  }

  async all<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    this.assertOpen();
    const { signal } = options;
    if (signal === undefined) return allOn<T>(this.pool, sql, params);
    // A client of its own, to know which backend to cancel; destroyed after a cancel (stream.ts).
    return unlessAborted(
      signal,
      (async () => {
        const client = await this.pool.connect();
        try {
          return await cancellable(signal, () => allOn<T>(client, sql, params), () => cancelBackend(this.cancelConnection, backendPid(client)));
        } finally {
          client.release(signal.aborted);
        }
      })(),
    );
  }

  /** Through a cursor on a pooled client of its own; see stream.ts. */
  stream(sql: string, params: readonly SqlParam[] = [], options: StreamOptions = {}): AsyncIterable<SqlRow[]> {
    return streamPostgres(
      {
        assertOpen: () => this.assertOpen(),
        pool: this.pool,
        cancel: (pid) => cancelBackend(this.cancelConnection, pid),
        track: (end) => {
          this.streams.add(end);
          return () => this.streams.delete(end);
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

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // Checked at call time: transactions queued before close() still run, before the pool ends.
    this.assertOpen();
    return this.lock.run(async () => {
      const client = await this.pool.connect();
      const { tx, end } = transactionHandle(
        (sql, params) => runOn(client, sql, params),
        (sql, params) => allOn(client, sql, params),
        this.dialect,
      );
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        end();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        end();
        // ROLLBACK after a failed COMMIT is harmless (a warning). If ROLLBACK itself fails the
        // connection is in an unknown state, so it is destroyed rather than returned.
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  /** As the reader role, on its own pool, in BEGIN READ ONLY … ROLLBACK: see reader.ts. */
  async readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<ReadOnlyResult> {
    this.assertOpen();
    return this.reader.query(sql, options);
  }

  /**
   * `EXPLAIN (ANALYZE false)`: Postgres parses, binds and plans the statement and runs none of
   * it (https://www.postgresql.org/docs/current/sql-explain.html: "the statement is planned
   * but not executed" unless ANALYZE). ANALYZE is spelled out as false so that text starting
   * `ANALYZE …` or `(ANALYZE) …` cannot turn the EXPLAIN into one that executes, and the
   * extended protocol refuses a second statement (`SELECT 1; DELETE …`) instead of running
   * it. The plan's cost is in Postgres' own units, not bytes, so there is no estimate.
   */
  async dryRun(sql: string, params: readonly SqlParam[] = []): Promise<DryRunEstimate> {
    this.assertOpen();
    const values = pgParams(params);
    await this.pool.query({ text: `EXPLAIN (ANALYZE false) ${sql}\n`, queryMode: 'extended', ...(values === undefined ? {} : { values }) } as pg.QueryConfig);
    return { bytesProcessed: null };
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    // Waits for a running transaction to finish; pool.end() then waits for idle clients.
    this.closing ??= this.lock.run(async () => {
      for (const end of this.streams) end();
      this.streams.clear();
      await this.reader.close();
      await this.pool.end();
    });
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new SqlError('SB_SQL_CLOSED', 'This Postgres warehouse is closed; open a new one.');
  }
}
