/**
 * The operator API's audit trail: one row per request that reached the operator listener,
 * allowed or refused, in `<rawSchema>._admin_audit`. Readable with
 * `switchboard sql "SELECT * FROM raw._admin_audit ORDER BY at DESC LIMIT 20"`.
 *
 * Rows are queued in memory and written in small batches off the request path, so a
 * request never waits behind the drainer's transactions; a failed write is logged and the
 * batch dropped (the server's own log has each request too). A token's id is recorded,
 * never its value. The table comes from the numbered migrations (server/migrations.ts).
 */
import type { Logger } from 'pino';
import type { TableSpec } from '../sql/dialect.js';
import type { SqlParam, Warehouse } from '../sql/warehouse.js';

export interface AuditEntry {
  requestedAt: Date;
  /** The token's id (`env`, `bootstrap`, `t_…`), or `none` when no valid token was presented. */
  tokenId: string;
  /** The token's role, or `none`. */
  role: string;
  method: string;
  /** The path without its query string, e.g. `/sql`. */
  route: string;
  /** What was asked, short: the SQL (up to 1000 characters), the sync names, the filter. */
  summary: string;
  sourceIp: string;
  status: number;
  /** `ok`, or the error code the response carried (e.g. SB_ADMIN_UNAUTHORIZED). */
  outcome: string;
}

export function auditTable(schema: string): TableSpec {
  return {
    schema,
    name: '_admin_audit',
    primaryKey: [],
    columns: [
      { name: 'requested_at', type: 'timestamp', nullable: false },
      { name: 'token_id', type: 'text', nullable: false },
      { name: 'role', type: 'text', nullable: false },
      { name: 'method', type: 'text', nullable: false },
      { name: 'route', type: 'text', nullable: false },
      { name: 'summary', type: 'text', nullable: false },
      { name: 'source_ip', type: 'text', nullable: false },
      { name: 'status', type: 'integer', nullable: false },
      { name: 'outcome', type: 'text', nullable: false },
    ],
  };
}

/** At most this many rows per INSERT. */
const BATCH = 100;
/** Past this many waiting rows (the warehouse is down), the oldest are dropped and counted. */
const MAX_QUEUED = 10_000;

export class AdminAudit {
  private readonly table: TableSpec;
  private queue: AuditEntry[] = [];
  private writing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly warehouse: Warehouse,
    rawSchema: string,
    private readonly logger: Logger,
  ) {
    this.table = auditTable(rawSchema);
  }

  /** Queues a row; it is written shortly, off the request path. */
  record(entry: AuditEntry): void {
    this.queue.push(entry);
    if (this.queue.length > MAX_QUEUED) {
      this.dropped += this.queue.length - MAX_QUEUED;
      this.queue = this.queue.slice(-MAX_QUEUED);
    }
    this.writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeAll());
  }

  /** Resolves once every row queued so far is written (or its write failed and was logged). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH);
        try {
          await this.write(batch);
        } catch (error) {
          this.logger.error({ err: error, rows: batch.length }, 'could not write operator audit rows; they are lost (each request is also in this log)');
        }
      }
      if (this.dropped > 0) {
        this.logger.error({ rows: this.dropped }, 'operator audit rows dropped while the warehouse did not answer');
        this.dropped = 0;
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(batch: readonly AuditEntry[]): Promise<void> {
    const wh = this.warehouse;
    const d = wh.dialect;
    const params: SqlParam[] = [];
    const tuples = batch.map((e) => {
      const values: SqlParam[] = [e.requestedAt, e.tokenId, e.role, e.method, e.route, e.summary, e.sourceIp, e.status, e.outcome];
      const placeholders = values.map((value) => {
        params.push(value);
        return d.param(params.length);
      });
      return `(${placeholders.join(', ')})`;
    });
    const columns = this.table.columns.map((c) => d.quoteIdent(c.name)).join(', ');
    await wh.run(`INSERT INTO ${d.tableName(this.table.schema, this.table.name)} (${columns}) VALUES ${tuples.join(', ')}`, params);
  }
}
