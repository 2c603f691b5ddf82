/**
 * The migration lock: one row in `<rawSchema>._schema_migrations_lock` that a migrator takes
 * with a compare-and-set UPDATE before it runs anything, so that two processes starting
 * together (two `serve` on one Postgres, a `serve` and a `switchboard build`) never both run
 * a migration. The same technique as the job leases (server/jobs/leases.ts), and for the
 * same reason: it needs nothing but an atomic conditional UPDATE, which DuckDB, Postgres,
 * BigQuery DML and Snowflake all have, where an advisory lock would be Postgres' alone.
 *
 * The UPDATE succeeds only when the lock has expired (or was released); the holder then reads
 * the row back and finds its own name there. The name is unique per attempt, so two winners
 * are impossible (on Postgres, concurrent UPDATEs of one row serialise and the loser's WHERE
 * no longer matches). The lock expires after `ttlMs` unless renewed, so a migrator killed
 * with SIGKILL blocks the others for at most that long.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { SqlDialect, TableSpec } from '../dialect.js';
import type { Queryable } from '../warehouse.js';

/** The lock's only row. */
const LOCK_NAME = 'migrate';

export function migrationLockTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_schema_migrations_lock',
    columns: [
      { name: 'name', type: 'text', nullable: false },
      /** Who holds it, e.g. `web-1:4242:9f3a1c`; `''` when released. */
      { name: 'holder', type: 'text', nullable: false },
      { name: 'acquired_at', type: 'timestamp' },
      /** Free from this time on (the epoch when never taken, the release time when released). */
      { name: 'expires_at', type: 'timestamp', nullable: false },
    ],
    primaryKey: ['name'],
  };
}

/** A name for this attempt: `<host>:<pid>:<random>`, unique across processes and attempts. */
export function migratorName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export interface LockHolder {
  holder: string;
  expiresAt: Date;
}

export class MigrationLock {
  private readonly table: string;

  constructor(
    private readonly q: Queryable,
    private readonly d: SqlDialect,
    rawSchema: string,
    private readonly options: { holder: string; ttlMs: number; now: () => Date },
  ) {
    this.table = d.tableName(rawSchema, '_schema_migrations_lock');
  }

  /** Inserts the released row if it is missing; two processes doing it at once is harmless. */
  async prepare(rawSchema: string): Promise<void> {
    const table = migrationLockTable(rawSchema);
    await this.q.run(this.d.upsert({ table, columns: ['name', 'holder', 'expires_at'], rowCount: 1, onMatch: {} }), [LOCK_NAME, '', new Date(0)]);
  }

  /** Takes the lock if it is free or expired; otherwise says who holds it. */
  async tryAcquire(): Promise<{ acquired: true } | { acquired: false; holder: LockHolder | null }> {
    const { holder, ttlMs } = this.options;
    const now = this.options.now();
    const p = (n: number): string => this.d.param(n);
    await this.q.run(
      `UPDATE ${this.table} SET holder = ${p(1)}, acquired_at = ${p(2)}, expires_at = ${p(3)} WHERE name = ${p(4)} AND expires_at <= ${p(2)}`,
      [holder, now, new Date(now.getTime() + ttlMs), LOCK_NAME],
    );
    const current = await this.current();
    return current?.holder === holder ? { acquired: true } : { acquired: false, holder: current };
  }

  /** Extends the lock; false when it is no longer ours (it expired and another took it). */
  async renew(): Promise<boolean> {
    const { holder, ttlMs } = this.options;
    const p = (n: number): string => this.d.param(n);
    await this.q.run(`UPDATE ${this.table} SET expires_at = ${p(1)} WHERE name = ${p(2)} AND holder = ${p(3)}`, [
      new Date(this.options.now().getTime() + ttlMs),
      LOCK_NAME,
      holder,
    ]);
    return (await this.current())?.holder === holder;
  }

  /** Frees the lock at once, if it is still ours. */
  async release(): Promise<void> {
    const p = (n: number): string => this.d.param(n);
    await this.q.run(`UPDATE ${this.table} SET holder = ${this.d.stringLiteral('')}, expires_at = ${p(1)} WHERE name = ${p(2)} AND holder = ${p(3)}`, [
      this.options.now(),
      LOCK_NAME,
      this.options.holder,
    ]);
  }

  private async current(): Promise<LockHolder | null> {
    const rows = await this.q.all<{ holder: string; expires_at: string }>(`SELECT holder, expires_at FROM ${this.table} WHERE name = ${this.d.param(1)}`, [LOCK_NAME]);
    const row = rows[0];
    return row === undefined ? null : { holder: row.holder, expiresAt: new Date(row.expires_at) };
  }
}
