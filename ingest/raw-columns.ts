/**
 * The columns and merge rules of raw rows, shared by the drainer (webhooks) and the pulls
 * (8x8's APIs), so that an event landed either way merges into the same row by the same
 * rules. Rows are written with `Queryable.writeRows` (sql/write-rows.ts).
 */
import { createHash } from 'node:crypto';
import type { MergeRule } from '../sql/dialect.js';
import type { SqlParam } from '../sql/warehouse.js';
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
