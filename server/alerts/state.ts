/**
 * The alerts' state, in `<rawSchema>._alerts`: one row per alert, keyed by its dedupe key
 * `<rule>:<pipeline>` (e.g. `authFailures:meetings`), which is also PagerDuty's `dedup_key`.
 * A row is `pending` while its condition holds for less than the rule's `forMinutes`,
 * `firing` once it fired, `resolved` when the condition cleared; the same key firing again
 * later reuses the row (a new occurrence: the counters start over).
 *
 * `deliveries` keeps, per route, what that route has confirmed for the current occurrence
 * and where the message is (Slack's channel and ts, so that the resolve edits it; the
 * email's Message-ID, so that the resolved notice replies to it).
 *
 * The table comes from the numbered migration `server/0003_alerts` (server/migrations.ts).
 */
import type { AlertRouteName, AlertSeverity } from '../../core/config-alerts.js';
import type { TableSpec } from '../../sql/table-spec.js';
import type { SqlRow, Warehouse, WriteRow } from '../../sql/warehouse.js';
import type { AlertRuleId } from './rule.js';

export type AlertStatus = 'pending' | 'firing' | 'resolved';

/** What one route has done for the current occurrence of an alert. */
export interface Delivery {
  /** `fired`: the route announced it (so a resolve is owed); `resolved`: the resolve went out too; `none`: not announced yet. */
  state: 'none' | 'fired' | 'resolved';
  /** When the route last delivered something for it (ISO). */
  lastSentAt: string | null;
  /** The route's handle on what it sent, e.g. `{ channel: 'C0ALERTS', ts: '1700000000.000100' }`, `{ messageId: '<…>' }`. */
  ref: Record<string, string>;
  /** The last failure, while one is outstanding, e.g. `SB_ALERT_ROUTE_FAILED: pagerduty answered 500`. */
  error: string | null;
  /** Failed attempts since the last success. */
  failures: number;
}

export interface AlertRow {
  /** `<rule>:<pipeline>`, e.g. `authFailures:meetings`. */
  key: string;
  rule: AlertRuleId;
  pipeline: string;
  status: AlertStatus;
  severity: AlertSeverity;
  summary: string;
  details: Record<string, unknown>;
  /** Since when the condition holds (the `forMinutes` clock); null once resolved. */
  pendingSince: Date | null;
  firstFiredAt: Date | null;
  lastNotifiedAt: Date | null;
  resolvedAt: Date | null;
  /** How often it was announced in this occurrence: the fire, then each re-notification. */
  notifyCount: number;
  deliveries: Partial<Record<AlertRouteName, Delivery>>;
  updatedAt: Date;
}

/** The dedupe key of rule `rule`'s alert about `pipeline`. */
export function alertKey(rule: string, pipeline: string): string {
  return `${rule}:${pipeline}`;
}

export function alertsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_alerts',
    columns: [
      { name: 'alert_key', type: 'text', nullable: false },
      { name: 'rule', type: 'text', nullable: false },
      { name: 'pipeline', type: 'text', nullable: false },
      /** pending | firing | resolved */
      { name: 'status', type: 'text', nullable: false },
      /** critical | error | warning | info */
      { name: 'severity', type: 'text', nullable: false },
      { name: 'summary', type: 'text', nullable: false },
      { name: 'details', type: 'json', nullable: true },
      { name: 'pending_since', type: 'timestamp', nullable: true },
      { name: 'first_fired_at', type: 'timestamp', nullable: true },
      { name: 'last_notified_at', type: 'timestamp', nullable: true },
      { name: 'resolved_at', type: 'timestamp', nullable: true },
      { name: 'notify_count', type: 'bigint', nullable: false },
      /** Per route: { state, lastSentAt, ref, error, failures } (see Delivery). */
      { name: 'deliveries', type: 'json', nullable: true },
      { name: 'updated_at', type: 'timestamp', nullable: false },
    ],
    primaryKey: ['alert_key'],
  };
}

const ALL_COLUMNS = alertsTable('raw').columns.map((c) => c.name);
const REPLACE_ALL = Object.fromEntries(ALL_COLUMNS.filter((c) => c !== 'alert_key').map((c) => [c, 'replace' as const]));

/** Reads and writes `_alerts`. Only the alert job writes it (it holds the job's lease). */
export class AlertStore {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly rawSchema: string,
  ) {}

  /** Every row (one per rule and pipeline that ever alerted: a small table). */
  async load(signal?: AbortSignal): Promise<AlertRow[]> {
    const d = this.warehouse.dialect;
    const rows = await this.warehouse.all(`SELECT ${ALL_COLUMNS.join(', ')} FROM ${d.tableName(this.rawSchema, '_alerts')}`, [], { signal });
    return rows.map(rowOf);
  }

  /** Rows for GET /alerts: firing first, then the most recently changed. */
  async list(status: 'firing' | 'resolved' | 'pending' | 'all', limit: number): Promise<AlertRow[]> {
    const d = this.warehouse.dialect;
    const where = status === 'all' ? `WHERE status <> 'pending'` : `WHERE status = ${d.param(1)}`;
    const rows = await this.warehouse.all(
      `SELECT ${ALL_COLUMNS.join(', ')} FROM ${d.tableName(this.rawSchema, '_alerts')} ${where} ` +
        `ORDER BY CASE WHEN status = 'firing' THEN 0 ELSE 1 END, updated_at DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
      status === 'all' ? [] : [status],
    );
    return rows.map(rowOf);
  }

  /** Writes `rows` (insert or replace) and deletes `removed` (pending alerts whose condition cleared). */
  async save(rows: readonly AlertRow[], removed: readonly string[]): Promise<void> {
    if (rows.length === 0 && removed.length === 0) return;
    const d = this.warehouse.dialect;
    await this.warehouse.transaction(async (tx) => {
      if (removed.length > 0) {
        await tx.run(`DELETE FROM ${d.tableName(this.rawSchema, '_alerts')} WHERE alert_key IN (${removed.map((_, i) => d.param(i + 1)).join(', ')})`, [...removed]);
      }
      if (rows.length > 0) await tx.writeRows(alertsTable(this.rawSchema), rows.map(writeRowOf), { onMatch: REPLACE_ALL });
    });
  }
}

/** `row` as `<rawSchema>._alerts` holds it, column by column (also GET /alerts's row, dates as ISO text once serialised). */
export function writeRowOf(row: AlertRow): WriteRow {
  return {
    alert_key: row.key,
    rule: row.rule,
    pipeline: row.pipeline,
    status: row.status,
    severity: row.severity,
    summary: row.summary,
    details: row.details,
    pending_since: row.pendingSince,
    first_fired_at: row.firstFiredAt,
    last_notified_at: row.lastNotifiedAt,
    resolved_at: row.resolvedAt,
    notify_count: row.notifyCount,
    deliveries: row.deliveries,
    updated_at: row.updatedAt,
  };
}

function rowOf(row: SqlRow): AlertRow {
  const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v)));
  return {
    key: String(row.alert_key),
    rule: String(row.rule) as AlertRuleId,
    pipeline: String(row.pipeline),
    status: String(row.status) as AlertStatus,
    severity: String(row.severity) as AlertSeverity,
    summary: String(row.summary),
    details: parseObject(row.details),
    pendingSince: date(row.pending_since),
    firstFiredAt: date(row.first_fired_at),
    lastNotifiedAt: date(row.last_notified_at),
    resolvedAt: date(row.resolved_at),
    notifyCount: Number(row.notify_count ?? 0),
    deliveries: parseObject(row.deliveries) as AlertRow['deliveries'],
    updatedAt: date(row.updated_at) ?? new Date(0),
  };
}

/** A JSON object read back from a text column ({} when it is not one). */
export function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
