/**
 * The diff of a sync, as one SELECT run inside the warehouse: the model's rows hashed over
 * their mapped columns, against what the destination last confirmed
 * (`switchboard_sync.snapshots`). Only what it returns leaves the warehouse.
 */
import type { SqlDialect } from '../sql/dialect.js';
import type { SyncDefinition } from './sync-run.js';
import { rejectionsTable, snapshotsTable, SYNC_SCHEMA } from './state.js';

/** The hash a planned delete carries (and a refused delete is remembered by). */
export const DELETED = '<deleted>';

/**
 * A diff limited to some keys: a replay of refused rows (`switchboard dlq replay`). Only
 * these keys are diffed, and their refusals do not hold them back: each is sent if the
 * destination does not have its current row yet (a key whose row left the model, or that
 * the destination already has, plans nothing).
 */
export interface DiffScope {
  keys: readonly string[];
}

/**
 * The diff as one SELECT: `sb_key, sb_action, sb_hash, sb_external_ref` and the mapped
 * columns. Exported for the compile tests and `--dry-run`.
 */
export function diffSql(d: SqlDialect, sync: SyncDefinition, modelsSchema: string, scope?: DiffScope): string {
  const source = sync.model !== undefined ? `SELECT * FROM ${d.tableName(modelsSchema, sync.model)}` : (sync.sql as string);
  const text = d.typeName('text');
  const columns = [...new Set(Object.values(sync.mapping))].sort();
  const q = (c: string) => d.quoteIdent(c);
  const name = d.stringLiteral(sync.name);
  // The row's content: every mapped column as text, NULL spelled out, in a fixed order.
  const content = columns.map((c) => `COALESCE(CAST(m.${q(c)} AS ${text}), '␀')`).join(` || '␟' || `);
  const key = `CAST(m.${q(sync.key)} AS ${text})`;
  const hash = d.sha256Hex(content);
  const snapshots = d.tableName(SYNC_SCHEMA, snapshotsTable.name);
  const rejections = d.tableName(SYNC_SCHEMA, rejectionsTable.name);
  const action =
    sync.mode === 'update'
      ? `'update'`
      : sync.mode === 'create'
        ? `CASE WHEN c.snap_key IS NULL THEN 'create' ELSE 'skip' END`
        : `CASE WHEN c.snap_key IS NULL THEN 'create' ELSE 'update' END`;
  // 1. Key and hash only, over every row (a key twice: the smaller hash, the same every
  //    time). Carrying the mapped columns through this step would hold all of them in memory.
  // A scoped diff (a replay): only its keys, refused or not.
  const inScope = (column: string): string =>
    scope === undefined ? '' : ` AND ${scope.keys.length === 0 ? '1 = 0' : `${column} IN (${scope.keys.map((k) => d.stringLiteral(k)).join(', ')})`}`;
  const notRefused = (keyColumn: string, hashValue: string): string =>
    scope !== undefined ? '' : ` AND NOT EXISTS (SELECT 1 FROM ${rejections} AS r WHERE r.sync_name = ${name} AND r.key = ${keyColumn} AND r.row_hash = ${hashValue})`;
  const keyed = `SELECT ${key} AS sb_key, MIN(${hash}) AS sb_hash FROM (${source}) AS m WHERE m.${q(sync.key)} IS NOT NULL${inScope(key)} GROUP BY ${key}`;
  // 2. Against the confirmed snapshot: what changed, less what was refused unchanged.
  const changedKeys =
    `SELECT k.sb_key, k.sb_hash, snap.key AS snap_key, snap.external_ref FROM (${keyed}) AS k ` +
    `LEFT JOIN ${snapshots} AS snap ON snap.sync_name = ${name} AND snap.key = k.sb_key ` +
    `WHERE (snap.key IS NULL OR snap.row_hash <> k.sb_hash)${notRefused('k.sb_key', 'k.sb_hash')}`;
  // 3. Only the changed rows' columns: joined back by key, their hash checked after the join.
  const rows =
    `SELECT c.sb_key, ${action} AS sb_action, c.sb_hash, c.external_ref AS sb_external_ref, ${columns.map((col) => `m.${q(col)}`).join(', ')} ` +
    `FROM (${changedKeys}) AS c JOIN (${source}) AS m ON ${key} = c.sb_key WHERE ${hash} = c.sb_hash`;
  // Identical duplicate rows: one of them. Wrapped, so the result is a plain SELECT of the
  // diff's columns whatever the dialect's form (QUALIFY, DISTINCT ON … ORDER BY, subquery).
  const outputs = ['sb_key', 'sb_action', 'sb_hash', 'sb_external_ref', ...columns].map(q).join(', ');
  const changed = `SELECT ${outputs} FROM (${d.firstRowPer(rows, 'sb_key', 'sb_hash')}) AS changed_rows`;
  if (sync.mode !== 'mirror') return changed;
  // Untyped NULLs take each column's type from the first branch of the UNION.
  const nulls = columns.map((c) => `NULL AS ${q(c)}`).join(', ');
  const deletes =
    `SELECT snap.key AS sb_key, 'delete' AS sb_action, '${DELETED}' AS sb_hash, snap.external_ref AS sb_external_ref, ${nulls} ` +
    `FROM ${snapshots} AS snap WHERE snap.sync_name = ${name}${inScope('snap.key')} ` +
    `AND NOT EXISTS (SELECT 1 FROM (${source}) AS m WHERE CAST(m.${q(sync.key)} AS ${text}) = snap.key)${notRefused('snap.key', `'${DELETED}'`)}`;
  return `${changed}\nUNION ALL\n${deletes}`;
}
