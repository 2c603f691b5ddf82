/**
 * Postgres' readOnlyQuery: an analyst's query runs as a dedicated LOGIN role that is not a
 * superuser, on its own small pool, in `BEGIN READ ONLY … ROLLBACK`.
 *
 * Why a role of its own: a superuser session can always become superuser again
 * (`RESET ROLE`, `set_config('role', …)`), so `SET ROLE` alone would not stop
 * `pg_read_file`, `COPY … TO` or `COPY … FROM PROGRAM`. The role `switchboard_sql_reader` is
 * NOSUPERUSER NOCREATEDB NOCREATEROLE, has USAGE on the readable schemas and SELECT on their
 * tables (and on tables created there later: ALTER DEFAULT PRIVILEGES), and nothing else.
 * Its password is set anew at each start (ALTER ROLE), so password auth works as well as
 * trust; a second process that resets it makes this one reset it again on its next connect.
 *
 * The query is sent with the extended protocol, which refuses more than one statement
 * (`SELECT 1; COMMIT; DELETE …`), inside `DECLARE … CURSOR FOR`, which accepts only a
 * SELECT or VALUES (no data-modifying WITH), and rows are fetched maxRows + 1 at most.
 * `SET LOCAL statement_timeout` bounds it; the rollback reverts any `set_config`.
 *
 * When the configured user cannot create the role (no CREATEROLE), the configured user runs
 * the query itself, but only if it is not a superuser and not a member of
 * pg_read_server_files, pg_write_server_files or pg_execute_server_program; else
 * SB_SQL_READER_UNAVAILABLE says what to do.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SqlError } from '../../errors.js';
import { leadingKeyword, notReadOnly, statementNamed } from '../../read-only-refusal.js';
import type { ReadOnlyQueryOptions, ReadOnlyResult, SqlRow } from '../../warehouse.js';
import { SerialLock } from '../serial-lock.js';
import { sqlValueTypes } from './type-parsers.js';

export const READER_ROLE = 'switchboard_sql_reader';

/** Serialises the role's set-up across every process sharing the database (tests run many). */
const SETUP_LOCK_KEY = 7_362_915_004;

export class PostgresReader {
  private pool: pg.Pool | null = null;
  private readonly setupLock = new SerialLock(false);
  /** Schemas (as named in the database) already granted in this process. */
  private readonly granted = new Set<string>();

  constructor(
    private readonly url: string,
    /** The warehouse's own pool: the configured user, who sets the role up. */
    private readonly admin: pg.Pool,
    private readonly schemaName: (schema: string) => string,
  ) {}

  async query(sql: string, options: ReadOnlyQueryOptions): Promise<ReadOnlyResult> {
    const first = leadingKeyword(sql);
    if (!['select', 'with', 'values', 'table'].includes(first)) throw notReadOnly(statementNamed(first));
    const pool = await this.ready(options.schemas);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      // Another process reset the role's password: set a new one and connect again.
      if ((error as { code?: string }).code !== '28P01' || pool === this.admin) throw error;
      await this.reset();
      client = await (await this.ready(options.schemas)).connect();
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
      await client.query({ text: `DECLARE switchboard_read NO SCROLL CURSOR FOR ${sql}\n`, queryMode: 'extended' } as pg.QueryConfig);
      const result = await client.query(`FETCH FORWARD ${options.maxRows + 1} FROM switchboard_read`);
      const rows = result.rows as SqlRow[];
      return { columns: result.fields.map((f) => f.name), rows: rows.slice(0, options.maxRows), truncated: rows.length > options.maxRows };
    } catch (error) {
      throw translate(error, options.timeoutMs);
    } finally {
      await client.query('ROLLBACK').catch((error: Error) => {
        broken = error;
      });
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.setupLock.run(async () => {
      const pool = this.pool;
      this.pool = null;
      if (pool !== null && pool !== this.admin) await pool.end();
    });
  }

  private async reset(): Promise<void> {
    await this.close();
    this.granted.clear();
  }

  /** The pool to read on, after granting what `schemas` needs (once per schema per process). */
  private ready(schemas: readonly string[]): Promise<pg.Pool> {
    return this.setupLock.run(async () => {
      const names = schemas.map((s) => this.schemaName(s)).filter((s) => !this.granted.has(s));
      if (this.pool !== null && (names.length === 0 || this.pool === this.admin)) return this.pool;
      const client = await this.admin.connect();
      try {
        const password = this.pool === null ? randomBytes(24).toString('hex') : null;
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY]);
        const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READER_ROLE])).rowCount === 1;
        if (!exists) await client.query(`CREATE ROLE ${READER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION`);
        if (password !== null) await client.query(`ALTER ROLE ${READER_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`);
        await client.query(`ALTER ROLE ${READER_ROLE} SET default_transaction_read_only = on`);
        const present: string[] = [];
        for (const name of names) {
          // A schema not created yet (the models' before the first build) is granted next time.
          const there = (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rowCount === 1;
          if (!there) continue;
          present.push(name);
          const quoted = `"${name.replaceAll('"', '""')}"`;
          // A schema the configured user does not own (and may not grant on) stays unreadable:
          // queries on it then fail with Postgres' own "permission denied for schema".
          await client.query('SAVEPOINT switchboard_grant');
          try {
            await client.query(`GRANT USAGE ON SCHEMA ${quoted} TO ${READER_ROLE}`);
            await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${quoted} TO ${READER_ROLE}`);
            await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${quoted} GRANT SELECT ON TABLES TO ${READER_ROLE}`);
          } catch (error) {
            if ((error as { code?: string }).code !== '42501') throw error;
            await client.query('ROLLBACK TO SAVEPOINT switchboard_grant');
          }
        }
        await client.query('COMMIT');
        for (const name of present) this.granted.add(name);
        if (password !== null) this.pool = this.readerPool(password);
        return this.pool!;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code !== '42501') throw error;
        // No CREATEROLE: the configured user may read itself if it cannot reach files or programs.
        if (await unprivileged(client)) {
          this.pool = this.admin;
          return this.admin;
        }
        throw new SqlError(
          'SB_SQL_READER_UNAVAILABLE',
          `The configured Postgres user cannot create the role ${READER_ROLE} (${(error as Error).message}), and it is a superuser or may read or write server files, so it cannot run ad-hoc queries safely. ` +
            `Create the role once as a superuser (CREATE ROLE ${READER_ROLE} LOGIN NOSUPERUSER; GRANT ${READER_ROLE} TO <configured user> WITH ADMIN OPTION), or grant the configured user CREATEROLE.`,
          { configKey: 'warehouse.url', cause: error },
        );
      } finally {
        client.release();
      }
    });
  }

  private readerPool(password: string): pg.Pool {
    const url = new URL(this.url);
    url.username = READER_ROLE;
    url.password = password;
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: 2,
      idleTimeoutMillis: 30_000,
      application_name: 'switchboard-sql',
      options: '-c TimeZone=UTC -c DateStyle=ISO',
      types: sqlValueTypes,
    });
    pool.on('error', () => undefined); // an idle client lost: the next query reconnects
    return pool;
  }
}

async function unprivileged(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ safe: boolean }>(
    `SELECT NOT r.rolsuper
        AND NOT pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')
        AND NOT pg_has_role(current_user, 'pg_write_server_files', 'MEMBER')
        AND NOT pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER') AS safe
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  return rows[0]?.safe === true;
}

function translate(error: unknown, timeoutMs: number): unknown {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  if (code === '57014') {
    return new SqlError('SB_SQL_QUERY_TIMEOUT', `The query ran longer than ${timeoutMs} ms and was cancelled. Narrow it (a WHERE on a time column, a LIMIT), or use psql for heavy analysis.`, { cause: error });
  }
  if (code === '42601' && /multiple commands/i.test(message)) {
    return notReadOnly('several statements', error);
  }
  if (code === '0A000' && /data-modifying/i.test(message)) {
    // DECLARE … CURSOR FOR refuses a WITH that deletes, inserts or updates.
    return notReadOnly(`a WITH that writes (${message})`, error);
  }
  return error;
}
