/**
 * Validates an {@link UpsertSpec} once, before any dialect writes SQL for it, and resolves
 * its defaults (the key, `keep` for columns without a rule). Dialects then only format.
 *
 * Checks live here rather than in each warehouse because a bad spec is a programming
 * error that should fail the same way — and before any I/O — on every warehouse.
 */
import type { ColumnSpec, MergeRule, TableSpec, UpsertSpec } from './table-spec.js';
import { SqlError } from './errors.js';

/** A column update applied on a key match; `keep` columns are simply absent. */
export interface ColumnUpdate {
  /** The supplied column, e.g. `delivery_count`. */
  column: ColumnSpec;
  /** How the existing and incoming values combine, e.g. `add`. */
  rule: Exclude<MergeRule, 'keep'>;
}

/** An upsert spec with its defaults resolved and its references checked. */
export interface UpsertPlan {
  /** The target table, e.g. `raw.messaging_events`. */
  table: TableSpec;
  /** The supplied columns in parameter order, e.g. `[dedupe_key, payload, received_at]`. */
  columns: readonly ColumnSpec[];
  /** The conflict key (spec.key, else the primary key), e.g. `['dedupe_key']`. */
  key: readonly string[];
  /** Non-key columns whose rule is not `keep`; empty means "insert if absent" only. */
  updates: readonly ColumnUpdate[];
  /** Rows bound, row-major: parameter `r * columns.length + c + 1` is row r, column c. */
  rowCount: number;
}

const RULES: ReadonlySet<string> = new Set<MergeRule>(['replace', 'keep', 'add', 'greatest', 'least']);
const NUMERIC: ReadonlySet<string> = new Set(['bigint', 'integer', 'double']);

/**
 * Resolves and checks `spec`; throws `SB_SQL_INVALID_UPSERT` or `SB_SQL_TOO_MANY_PARAMS`.
 * @example planUpsert({ table, columns: ['id', 'n'], rowCount: 2, onMatch: { n: 'add' } }, 65535)
 */
export function planUpsert(spec: UpsertSpec, maxParams: number): UpsertPlan {
  const { table } = spec;
  const where = `upsert into ${table.schema}.${table.name}`;
  const fail = (message: string): never => {
    throw new SqlError('SB_SQL_INVALID_UPSERT', `${where}: ${message}`);
  };

  if (!Number.isInteger(spec.rowCount) || spec.rowCount < 1) {
    fail(`rowCount must be a positive integer, got ${spec.rowCount}; skip the statement when there are no rows.`);
  }
  if (spec.columns.length === 0) fail('columns is empty; list the columns each row supplies.');

  const byName = new Map(table.columns.map((column) => [column.name, column]));
  const seen = new Set<string>();
  const columns = spec.columns.map((name) => {
    const column = byName.get(name) ?? fail(`column "${name}" is not a column of the table.`);
    if (seen.has(name)) fail(`column "${name}" is listed twice.`);
    seen.add(name);
    return column;
  });

  const key = spec.key ?? table.primaryKey;
  if (key.length === 0) fail('there is no conflict key; give `key` or a table primary key.');
  for (const name of key) {
    if (!seen.has(name)) fail(`key column "${name}" is not among the supplied columns.`);
  }

  const updates: ColumnUpdate[] = [];
  for (const [name, rule] of Object.entries(spec.onMatch)) {
    if (!RULES.has(rule)) fail(`column "${name}" has unknown merge rule "${String(rule)}".`);
    const column = byName.get(name);
    if (column === undefined || !seen.has(name)) fail(`onMatch names "${name}", which is not a supplied column.`);
    if (rule === 'keep') continue;
    if (key.includes(name)) fail(`key column "${name}" cannot have rule "${rule}"; keys never change on a match.`);
    if (rule === 'add' && !NUMERIC.has(column!.type)) fail(`rule "add" needs a numeric column; "${name}" is ${column!.type}.`);
    // JSON has no order on BigQuery or Snowflake, so GREATEST/LEAST over it cannot be portable.
    if ((rule === 'greatest' || rule === 'least') && column!.type === 'json') fail(`rule "${rule}" cannot compare json column "${name}".`);
    updates.push({ column: column!, rule: rule as ColumnUpdate['rule'] });
  }
  // Emit updates in column order, not object-key order, so the SQL text is stable.
  updates.sort((a, b) => spec.columns.indexOf(a.column.name) - spec.columns.indexOf(b.column.name));

  const params = spec.rowCount * columns.length;
  if (params > maxParams) {
    const maxRows = Math.floor(maxParams / columns.length);
    throw new SqlError(
      'SB_SQL_TOO_MANY_PARAMS',
      `${where}: ${spec.rowCount} rows × ${columns.length} columns = ${params} parameters, over this ` +
        `warehouse's limit of ${maxParams}; split the batch into statements of at most ${maxRows} rows.`,
    );
  }
  return { table, columns, key, updates, rowCount: spec.rowCount };
}
