/**
 * Job leases in the warehouse: what keeps two `serve` processes on one warehouse from running
 * the same job at once, or the same cron tick twice.
 *
 * One row per job in `<rawSchema>._job_leases`. A process takes the lease with one
 * compare-and-set UPDATE: it wins only if the lease has expired (or was released), and, for
 * a scheduled run, only if no process has run this tick yet (`last_tick` < the tick). Each
 * win increments `token`, a fencing token: renewals and the release name it, so a process
 * that lost its lease (it stalled past the expiry and another took over) can neither renew
 * nor release the new holder's lease, and learns it lost at its next renewal.
 *
 * Why a lease row and not Postgres advisory locks: an advisory lock belongs to one database
 * session, so it needs a connection held for the whole run (the pool hands connections out
 * per query), it carries no fencing token, and it cannot say "this tick already ran" —
 * which two nodes whose cron fires a few milliseconds apart need, or both would run. A row
 * works the same on every warehouse that has an atomic conditional UPDATE (DuckDB, Postgres,
 * BigQuery DML, Snowflake), and on Postgres concurrent UPDATEs of one row serialise: the
 * loser re-reads the winner's row and its WHERE no longer matches.
 *
 * Expiry is compared with the clock of the process that asks, so the nodes' clocks must
 * agree to well under `jobs.leaseSeconds` (NTP does this; README › Operations).
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { TableSpec } from '../../sql/table-spec.js';
import type { SqlParam, Warehouse } from '../../sql/warehouse.js';

export function jobLeasesTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_job_leases',
    columns: [
      { name: 'job', type: 'text', nullable: false },
      { name: 'holder', type: 'text', nullable: true },
      { name: 'token', type: 'bigint', nullable: false },
      { name: 'acquired_at', type: 'timestamp', nullable: true },
      { name: 'expires_at', type: 'timestamp', nullable: false },
      { name: 'last_tick', type: 'timestamp', nullable: true },
    ],
    primaryKey: ['job'],
  };
}

/**
 * This process, as leases and run history name it: `<node name>:<pid namespace>:<pid>:<random>`,
 * e.g. `web-1:4026531836:4242:9f3a1c`. The node name is `jobs.nodeName`, by default the host
 * name. The pid namespace (Linux; `x` elsewhere) tells whether a pid means the same process
 * here: only then can a holder be seen to be dead (see {@link JobLeases.acquire}).
 */
export function nodeId(nodeName: string = hostname()): string {
  return `${nodeName}:${pidNamespace()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'x';
  } catch {
    return 'x';
  }
}

/**
 * Whether `holder` was a process of this node, in this pid namespace, that no longer exists
 * (killed, crashed): its lease can be taken at once instead of after the expiry. A pid reused
 * by another process reads as alive, which only means waiting for the expiry.
 */
export function deadLocalHolder(holder: string, self: string): boolean {
  const theirs = holder.split(':');
  const ours = self.split(':');
  if (theirs.length !== 4 || ours.length !== 4) return false;
  const [name, ns, pid] = theirs;
  if (name !== ours[0] || ns !== ours[1] || ns === 'x' || pid === ours[2]) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A lease this process holds. */
export interface Lease {
  job: string;
  token: number;
  expiresAt: Date;
  /** The holder this lease took over from when the previous one had expired unreleased (a crash). */
  tookOverFrom: string | null;
}

/** Who holds a job's lease right now, for refusals and status. */
export interface LeaseHolder {
  holder: string;
  expiresAt: Date;
  lastTick: Date | null;
}

export type AcquireResult =
  | { acquired: true; lease: Lease }
  | { acquired: false; reason: 'held'; holder: LeaseHolder }
  | { acquired: false; reason: 'tick-done'; holder: LeaseHolder | null };

export interface JobLeasesOptions {
  warehouse: Warehouse;
  rawSchema: string;
  /** This process (see {@link nodeId}). */
  node: string;
  /** How long a lease lasts without renewal (jobs.leaseSeconds). */
  ttlMs: number;
  now?: () => Date;
}

export class JobLeases {
  private readonly rows = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly options: JobLeasesOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get node(): string {
    return this.options.node;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /**
   * Takes `job`'s lease if it is free. With `tick` (a scheduled run's cron time), also only
   * if no process has run that tick or a later one.
   */
  async acquire(job: string, tick?: Date): Promise<AcquireResult> {
    return this.serialised(job, () => this.tryAcquire(job, tick));
  }

  private async tryAcquire(job: string, tick?: Date): Promise<AcquireResult> {
    await this.ensure(job);
    const { ttlMs, node } = this.options;
    const before = await this.row(job);
    const now = this.now();
    const expires = new Date(now.getTime() + ttlMs);
    if (before !== null && (await this.take(job, before.token, { now, expires, tick, free: true }))) {
      const tookOver = before.holder !== '' && before.expiresAt.getTime() > 0 ? before.holder : null;
      return { acquired: true, lease: { job, token: before.token + 1, expiresAt: expires, tookOverFrom: tookOver } };
    }
    const current = await this.row(job);
    if (current !== null && current.expiresAt.getTime() > now.getTime()) {
      // Its holder died on this node (a restart after a kill): no need to wait for the expiry.
      if (current.holder !== '' && deadLocalHolder(current.holder, node) && (await this.take(job, current.token, { now, expires, tick, free: false, holder: current.holder }))) {
        return { acquired: true, lease: { job, token: current.token + 1, expiresAt: expires, tookOverFrom: current.holder } };
      }
      return { acquired: false, reason: 'held', holder: current };
    }
    return { acquired: false, reason: 'tick-done', holder: current };
  }

  /**
   * The compare-and-set: moves `job`'s row from `token` to `token + 1` held by this process,
   * if it still has `token` and is free (expired or released) or still held by `holder`, and
   * (with `tick`) no process ran that tick yet. Whether this write won is read back rather than
   * taken from `UPDATE … RETURNING`, which BigQuery and Snowflake lack: a row at `token + 1`
   * names the one process whose UPDATE matched, and this process sends one write per job at a
   * time ({@link serialised}).
   */
  private async take(job: string, token: number, at: { now: Date; expires: Date; tick: Date | undefined; free: boolean; holder?: string }): Promise<boolean> {
    const { warehouse, node } = this.options;
    const d = warehouse.dialect;
    const p = (n: number): string => d.param(n);
    const params: SqlParam[] = [node, token + 1, at.now, at.expires, job, token];
    const guard = at.free ? `expires_at <= ${p(3)}` : `holder = ${p(params.push(at.holder ?? ''))}`;
    let tickSet = '';
    let tickClause = '';
    if (at.tick !== undefined) {
      const n = params.push(at.tick);
      tickSet = `, ${d.quoteIdent('last_tick')} = ${p(n)}`;
      tickClause = ` AND (${d.quoteIdent('last_tick')} IS NULL OR ${d.quoteIdent('last_tick')} < ${p(n)})`;
    }
    await warehouse.run(
      `UPDATE ${this.table()} SET holder = ${p(1)}, token = ${p(2)}, acquired_at = ${p(3)}, expires_at = ${p(4)}${tickSet} ` +
        `WHERE job = ${p(5)} AND token = ${p(6)} AND ${guard}${tickClause}`,
      params,
    );
    const after = await this.row(job);
    return after !== null && after.token === token + 1 && after.holder === node;
  }

  /** Extends a lease this process holds; false when it was lost (expired and taken by another). */
  async renew(lease: Lease): Promise<boolean> {
    return this.serialised(lease.job, async () => {
      const { warehouse, node, ttlMs } = this.options;
      const d = warehouse.dialect;
      const expires = new Date(this.now().getTime() + ttlMs);
      await warehouse.run(
        `UPDATE ${this.table()} SET expires_at = ${d.param(1)} WHERE job = ${d.param(2)} AND holder = ${d.param(3)} AND token = ${d.param(4)}`,
        [expires, lease.job, node, lease.token],
      );
      // Still ours at this token means the UPDATE matched: a takeover moves the token, a release clears the holder.
      const row = await this.row(lease.job);
      if (row === null || row.token !== lease.token || row.holder !== node) return false;
      lease.expiresAt = expires;
      return true;
    });
  }

  /**
   * Gives the lease up at once, so that another process may run the job (a later tick, or
   * a manual run) without waiting for the expiry. A lost lease is left alone.
   */
  async release(lease: Lease): Promise<void> {
    const { warehouse, node } = this.options;
    const d = warehouse.dialect;
    await warehouse.run(
      `UPDATE ${this.table()} SET expires_at = ${d.param(1)}, holder = ${d.stringLiteral('')} WHERE job = ${d.param(2)} AND holder = ${d.param(3)} AND token = ${d.param(4)}`,
      [this.now(), lease.job, node, lease.token],
    );
  }

  /** Every job's lease row (for status); holder '' means released. */
  async all(): Promise<Map<string, LeaseHolder>> {
    const { warehouse } = this.options;
    const out = new Map<string, LeaseHolder>();
    try {
      const rows = await warehouse.all<{ job: string; holder: string | null; expires_at: string; last_tick: string | null }>(
        `SELECT job, holder, expires_at, last_tick FROM ${this.table()}`,
      );
      for (const r of rows) out.set(r.job, { holder: r.holder ?? '', expiresAt: new Date(r.expires_at), lastTick: r.last_tick === null ? null : new Date(r.last_tick) });
    } catch {
      // No table yet (nothing ever ran), or the warehouse is down: no leases to show.
    }
    return out;
  }

  /** `job`'s row: holder ('' when released), fencing token, expiry and last tick. */
  private async row(job: string): Promise<(LeaseHolder & { token: number }) | null> {
    const { warehouse } = this.options;
    const rows = await warehouse.all<{ holder: string | null; token: number | string; expires_at: string; last_tick: string | null }>(
      `SELECT holder, token, expires_at, last_tick FROM ${this.table()} WHERE job = ${warehouse.dialect.param(1)}`,
      [job],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return { holder: row.holder ?? '', token: Number(row.token), expiresAt: new Date(row.expires_at), lastTick: row.last_tick === null ? null : new Date(row.last_tick) };
  }

  /** Runs `fn` after this process's earlier lease writes for `job` have settled. */
  private serialised<T>(job: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(job) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(() => undefined, () => undefined);
    this.queues.set(job, settled);
    void settled.then(() => {
      if (this.queues.get(job) === settled) this.queues.delete(job);
    });
    return next;
  }

  private table(): string {
    return this.options.warehouse.dialect.tableName(this.options.rawSchema, '_job_leases');
  }

  /**
   * A released row for `job` (insert-if-missing: two creators are harmless). The table comes
   * from the numbered migrations (server/migrations.ts), applied at start-up.
   */
  private async ensure(job: string): Promise<void> {
    const { warehouse, rawSchema } = this.options;
    const d = warehouse.dialect;
    if (this.rows.has(job)) return;
    await warehouse.run(
      d.upsert({ table: jobLeasesTable(rawSchema), columns: ['job', 'holder', 'token', 'expires_at'], rowCount: 1, onMatch: {} }),
      [job, '', 0, new Date(0)],
    );
    this.rows.add(job);
  }
}
