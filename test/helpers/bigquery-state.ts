/**
 * What a BigQuery project would hold in Switchboard's control tables, kept by the test from
 * the statements the driver sent, for tests that run the real CLI against the protocol fake
 * (fakes/bigquery/). The fake never runs SQL; this model knows only the few statements
 * Switchboard itself writes for its bookkeeping (the migrator's lock and version rows, job
 * leases), applies their effect the way BigQuery's DML would, and answers the reads that
 * follow them. Any other statement is left to the next responder (`undefined` = not mine).
 *
 * Rows written through `writeRows` (a MERGE whose source is `UNNEST(JSON_QUERY_ARRAY(@p1))`,
 * sql/write-rows.ts) are kept per target table as sent: at once outside a session (BigQuery
 * autocommits each DML job), at the session's `COMMIT TRANSACTION` inside one, and never if
 * the session rolls back or its COMMIT never comes (a kill). The pull cursor and spool
 * checkpoint reads are answered from them.
 * https://cloud.google.com/bigquery/docs/transactions (a transaction's changes are visible
 * only once it commits; an abandoned session's transaction is rolled back)
 */
import type { QueryJob, QueryResult } from '../../fakes/bigquery/index.js';

type LeaseRow = { holder: string; token: number; acquired_at: string | null; expires_at: string; last_tick: string | null };

export class BigQueryControlState {
  /** The migrator's lock row and version table (sql/migrations/). */
  private lock = { holder: '', expires_at: new Date(0).toISOString() };
  readonly versions = new Map<string, string>();
  /** Tables and views created and not dropped since, as `schema.name` → TABLE | VIEW (INFORMATION_SCHEMA.TABLES). */
  readonly tables = new Map<string, 'BASE TABLE' | 'VIEW'>();
  /** `<raw>._job_leases`, by job (server/jobs/leases.ts). */
  readonly leases = new Map<string, LeaseRow>();

  /** Committed JSON-row MERGEs, by target `schema.table`, in commit order. */
  private readonly committed = new Map<string, Array<Record<string, unknown>>>();
  /** Each open session's JSON-row MERGEs, applied at its COMMIT. */
  private readonly open = new Map<string, Array<{ table: string; rows: Array<Record<string, unknown>> }>>();
  /** Sessions that committed at least one JSON-row MERGE, each as the tables it wrote, in order. */
  readonly commits: string[][] = [];

  constructor(private readonly raw = 'raw') {}

  /** The answer to `job` if it is one of the control statements, else undefined. */
  respond(job: QueryJob): QueryResult | undefined {
    this.track(job);
    return this.catalog(job) ?? this.migration(job) ?? this.lease(job) ?? this.checkpoints(job) ?? undefined;
  }

  /** Every row committed into `table` (`schema.name`) through writeRows, oldest first. */
  merged(table: string): ReadonlyArray<Record<string, unknown>> {
    return this.committed.get(table) ?? [];
  }

  private track(job: QueryJob): void {
    const session = job.sessionId;
    const merge = /^MERGE INTO `([^`]+)`\.`([^`]+)` AS t\s+USING \(\s*SELECT [\s\S]*FROM UNNEST\(JSON_QUERY_ARRAY\(@p1\)\) AS _sb_row\s*\)/.exec(job.query);
    if (merge !== null) {
      const write = { table: `${merge[1]}.${merge[2]}`, rows: JSON.parse(String((job.params as Record<string, unknown>).p1)) as Array<Record<string, unknown>> };
      if (session === undefined) this.apply([write]);
      else this.open.set(session, [...(this.open.get(session) ?? []), write]);
    }
    if (session !== undefined && job.query === 'COMMIT TRANSACTION') this.apply(this.open.get(session) ?? []);
    if (session !== undefined && /^(COMMIT|ROLLBACK) TRANSACTION$/.test(job.query)) this.open.delete(session);
  }

  private apply(writes: ReadonlyArray<{ table: string; rows: Array<Record<string, unknown>> }>): void {
    if (writes.length > 0) this.commits.push(writes.map((w) => w.table));
    for (const { table, rows } of writes) this.committed.set(table, [...this.merged(table), ...rows]);
  }

  /** The newest committed row of `table` whose `column` is `value`. */
  private latest(table: string, column: string, value: unknown): Record<string, unknown> | undefined {
    return this.merged(table).filter((row) => row[column] === value).at(-1);
  }

  /** The pull cursor (ingest/pull) and the spool checkpoint (ingest/drain), from what committed. */
  private checkpoints(job: QueryJob): QueryResult | null {
    const p = job.params as Record<string, unknown>;
    if (job.query.startsWith(`SELECT cursor FROM ${this.table('_pull_cursors')} WHERE source = @p1`)) {
      const row = this.latest(`${this.raw}._pull_cursors`, 'source', p.p1);
      return { schema: [{ name: 'cursor', type: 'STRING' }], rows: row === undefined ? [] : [{ cursor: row.cursor }] };
    }
    if (job.query.startsWith(`SELECT segment, segment_offset FROM ${this.table('_spool_checkpoints')} WHERE spool_id = @p1`)) {
      const row = this.latest(`${this.raw}._spool_checkpoints`, 'spool_id', p.p1);
      return { schema: [{ name: 'segment', type: 'INT64' }, { name: 'segment_offset', type: 'INT64' }], rows: row === undefined ? [] : [{ segment: row.segment, segment_offset: row.segment_offset }] };
    }
    return null;
  }

  /**
   * DDL changes the catalog (and answers nothing); the introspector's INFORMATION_SCHEMA.TABLES
   * reads list it. DDL is seen whether or not it succeeds later: tests here make none fail.
   */
  /**
   * `schema.table` → its columns, as BigQuery's INFORMATION_SCHEMA.COLUMNS would list them once
   * the table exists (set by the test: the fake cannot work them out from the SQL).
   */
  readonly knownColumns = new Map<string, readonly string[]>();

  private catalog(job: QueryJob): QueryResult | null {
    const q = job.query;
    const created = /^CREATE (?:OR REPLACE )?(TABLE|VIEW)(?: IF NOT EXISTS)? `([^`]+)`\.`([^`]+)`/.exec(q);
    if (created !== null) {
      this.tables.set(`${created[2]}.${created[3]}`, created[1] === 'VIEW' ? 'VIEW' : 'BASE TABLE');
      return null; // DDL answers nothing; later responders still see it
    }
    const dropped = /^DROP (?:TABLE|VIEW)(?: IF EXISTS)? `([^`]+)`\.`([^`]+)`/.exec(q);
    if (dropped !== null) {
      this.tables.delete(`${dropped[1]}.${dropped[2]}`);
      return null;
    }
    if (/^SELECT column_name AS column_name, data_type AS data_type, is_nullable AS is_nullable, CAST\(ordinal_position AS INT64\) AS ordinal_position FROM /.test(q)) {
      // The fake runs no SQL, so it cannot know what columns a CREATE TABLE … AS SELECT made: a
      // test tells it (knownColumns) for the tables whose columns Switchboard reads back.
      const p = job.params as Record<string, unknown>;
      const columns = this.tables.has(`${String(p.p1)}.${String(p.p2)}`) ? (this.knownColumns.get(`${String(p.p1)}.${String(p.p2)}`) ?? []) : [];
      const rows = columns.map((column_name, i) => ({ column_name, data_type: 'STRING', is_nullable: 'YES', ordinal_position: i + 1 }));
      return { schema: [{ name: 'column_name', type: 'STRING' }, { name: 'data_type', type: 'STRING' }, { name: 'is_nullable', type: 'STRING' }, { name: 'ordinal_position', type: 'INT64' }], rows };
    }
    if (/^SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type FROM /.test(q)) {
      const schemas = new Set(Object.values(job.params as Record<string, unknown>).map(String));
      const rows = [...this.tables]
        .map(([name, table_type]) => ({ table_schema: name.split('.')[0]!, table_name: name.split('.')[1]!, table_type }))
        .filter((r) => schemas.has(r.table_schema));
      return { schema: ['table_schema', 'table_name', 'table_type'].map((name) => ({ name, type: 'STRING' })), rows };
    }
    return null;
  }

  private table(name: string): string {
    return `\`${this.raw}\`.\`${name}\``;
  }

  private migration(job: QueryJob): QueryResult | null {
    const p = job.params as Record<string, unknown>;
    const q = job.query;
    const lock = this.table('_schema_migrations_lock');
    if (q.startsWith(`UPDATE ${lock} SET holder = @p1, acquired_at = @p2`)) {
      if (String(this.lock.expires_at) <= String(p.p2)) this.lock = { holder: String(p.p1), expires_at: String(p.p3) };
      return {};
    }
    if (q.startsWith(`UPDATE ${lock} SET holder = '', expires_at = @p1 WHERE name = @p2 AND holder = @p3`)) {
      if (this.lock.holder === String(p.p3)) this.lock = { holder: '', expires_at: String(p.p1) };
      return {};
    }
    if (q.startsWith(`SELECT holder, expires_at FROM ${lock}`)) {
      return { schema: [{ name: 'holder', type: 'STRING' }, { name: 'expires_at', type: 'TIMESTAMP' }], rows: [this.lock] };
    }
    if (q.startsWith(`MERGE INTO ${this.table('_schema_migrations')} AS t`)) {
      this.versions.set(String(p.p1), String(p.p4));
      return {};
    }
    if (q.startsWith(`SELECT id, switchboard_version FROM ${this.table('_schema_migrations')}`)) {
      return { schema: [{ name: 'id', type: 'STRING' }, { name: 'switchboard_version', type: 'STRING' }], rows: [...this.versions].map(([id, switchboard_version]) => ({ id, switchboard_version })) };
    }
    return null;
  }

  /** server/jobs/leases.ts: the insert-if-missing row, the compare-and-set UPDATEs, and the reads. */
  private lease(job: QueryJob): QueryResult | null {
    const p = job.params as Record<string, unknown>;
    const q = job.query;
    const table = this.table('_job_leases');
    if (q.startsWith(`MERGE INTO ${table}`)) {
      const key = String(p.p1);
      if (!this.leases.has(key)) this.leases.set(key, { holder: String(p.p2), token: Number(p.p3), acquired_at: null, expires_at: String(p.p4), last_tick: null });
      return {};
    }
    const take = /^UPDATE \S+ SET holder = @p1, token = @p2, acquired_at = @p3, expires_at = @p4(, `last_tick` = @p(\d+))? WHERE job = @p5 AND token = @p6 AND (expires_at <= @p3|holder = @p7)/.exec(q);
    if (q.startsWith(`UPDATE ${table}`) && take !== null) {
      const row = this.leases.get(String(p.p5));
      const tick = take[2] === undefined ? undefined : String(p[`p${take[2]}`]);
      const free = take[3]!.startsWith('expires_at') ? ts(row?.expires_at) <= ts(p.p3) : row?.holder === String(p.p7);
      if (row !== undefined && row.token === Number(p.p6) && free && (tick === undefined || row.last_tick === null || ts(row.last_tick) < ts(tick))) {
        Object.assign(row, { holder: String(p.p1), token: Number(p.p2), acquired_at: String(p.p3), expires_at: String(p.p4) }, tick === undefined ? {} : { last_tick: tick });
      }
      return {};
    }
    if (q.startsWith(`UPDATE ${table} SET expires_at = @p1 WHERE job = @p2 AND holder = @p3 AND token = @p4`)) {
      const row = this.leases.get(String(p.p2));
      if (row !== undefined && row.holder === String(p.p3) && row.token === Number(p.p4)) row.expires_at = String(p.p1);
      return {};
    }
    if (q.startsWith(`UPDATE ${table} SET expires_at = @p1, holder = '' WHERE job = @p2 AND holder = @p3 AND token = @p4`)) {
      const row = this.leases.get(String(p.p2));
      if (row !== undefined && row.holder === String(p.p3) && row.token === Number(p.p4)) Object.assign(row, { expires_at: String(p.p1), holder: '' });
      return {};
    }
    const schema = [
      { name: 'job', type: 'STRING' },
      { name: 'holder', type: 'STRING' },
      { name: 'token', type: 'INT64' },
      { name: 'expires_at', type: 'TIMESTAMP' },
      { name: 'last_tick', type: 'TIMESTAMP' },
    ];
    if (q.startsWith(`SELECT holder, token, expires_at, last_tick FROM ${table} WHERE job = @p1`)) {
      const row = this.leases.get(String(p.p1));
      return { schema: schema.slice(1), rows: row === undefined ? [] : [row] };
    }
    if (q.startsWith(`SELECT job, holder, expires_at, last_tick FROM ${table}`)) {
      return { schema: schema.filter((f) => f.name !== 'token'), rows: [...this.leases].map(([job, row]) => ({ job, ...row })) };
    }
    return null;
  }
}

function ts(value: unknown): number {
  return value === null || value === undefined ? 0 : new Date(String(value).replace(' ', 'T')).getTime();
}
