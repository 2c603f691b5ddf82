/**
 * The MERGE of an incremental model's staged rows into its table (dbt's merge strategy), in
 * the spelling DuckDB (>= 1.4), Postgres (>= 15), BigQuery and Snowflake all accept. See
 * `DialectBase.mergeStaged` (sql/dialect-base.ts).
 */

/** @param q quotes an identifier as the dialect does */
export function mergeStagedSql(q: (name: string) => string, target: string, staged: string, key: readonly string[], columns: readonly string[], windowColumn?: string): string {
  const on = key.map((k) => `t.${q(k)} = s.${q(k)}`);
  if (windowColumn !== undefined) on.push(`t.${q(windowColumn)} >= (SELECT MIN(${q(windowColumn)}) FROM ${staged})`);
  const updates = columns.filter((c) => !key.includes(c));
  // A table of key columns only has nothing to update: a staged key already there is done.
  const matched = updates.length === 0 ? '' : `WHEN MATCHED THEN UPDATE SET\n  ${updates.map((c) => `${q(c)} = s.${q(c)}`).join(',\n  ')}\n`;
  return (
    `MERGE INTO ${target} AS t\nUSING ${staged} AS s\nON ${on.join(' AND ')}\n${matched}` +
    `WHEN NOT MATCHED THEN INSERT (${columns.map(q).join(', ')}) VALUES (${columns.map((c) => `s.${q(c)}`).join(', ')})`
  );
}
