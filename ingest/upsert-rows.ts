/**
 * Writing raw rows, shared by the drainer (webhooks) and the pulls (8x8's APIs), so that an
 * event landed either way merges into the same row by the same rules.
 */
import { createHash } from 'node:crypto';
import type { MergeRule, SqlDialect, TableSpec } from '../sql/dialect.js';
import type { Queryable, SqlParam } from '../sql/warehouse.js';
import { modelBodyCopy } from './parse-event.js';

/** One row keyed by column name: timestamps as Date, json columns as the value itself. */
export type Row = Record<string, SqlParam | Record<string, unknown>>;

/** How a raw event row merges with one already landed: retries only widen its span and count. */
export const RAW_EVENT_RULES: Readonly<Record<string, MergeRule>> = {
  first_received_at: 'least',
  last_received_at: 'greatest',
  delivery_count: 'add',
};

/**
 * The body columns of a raw row: the exact text, its digest, and the copy models parse
 * when the text holds escapes a warehouse's JSON type refuses, or is XML (its JSON rendering).
 */
export function rawBodyColumns(body: string): { body: string; body_sha256: string; body_json: string | null } {
  return { body, body_sha256: bodySha256(body), body_json: modelBodyCopy(body) };
}

/** Hex SHA-256 of the text's UTF-8 bytes (for a landed body: the bytes as received). */
export function bodySha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Rows serialised this many at a time, yielding to the event loop in between. */
export const YIELD_EVERY = 100;

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Upserts rows. Where the dialect takes rows as JSON, the whole batch is one parameter;
 * otherwise it is chunked under the parameter limit. Keys must be unique within `rows`.
 */
export async function upsertRows(
  tx: Queryable,
  dialect: SqlDialect,
  table: TableSpec,
  rows: readonly Row[],
  onMatch: Readonly<Record<string, MergeRule>>,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = table.columns.map((c) => c.name);
  if (dialect.capabilities.supportsJsonRows) {
    await tx.run(dialect.upsertJson({ table, columns, onMatch }), [await stringifyInSlices(rows)]);
    return;
  }
  const params = (row: Row): SqlParam[] =>
    table.columns.map((c) => (c.type === 'json' ? JSON.stringify(row[c.name]) : ((row[c.name] ?? null) as SqlParam)));
  const perStatement = Math.max(1, Math.min(500, Math.floor(dialect.capabilities.maxParams / columns.length)));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.run(dialect.upsert({ table, columns, rowCount: chunk.length, onMatch }), chunk.flatMap(params));
  }
}

async function stringifyInSlices(rows: readonly Row[]): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i += YIELD_EVERY) {
    if (i > 0) await yieldToEventLoop();
    parts.push(JSON.stringify(rows.slice(i, i + YIELD_EVERY)).slice(1, -1));
  }
  return `[${parts.join(',')}]`;
}
