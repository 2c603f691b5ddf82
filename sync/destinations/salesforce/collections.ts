/**
 * sObject Collections (reference §1.4): up to 200 records per call, allOrNone false, one
 * result per record in request order, in an HTTP 200 even when some records failed.
 *
 * - upsert: `PATCH composite/sobjects/{object}/{externalIdField}` (API ≥ 46);
 * - insert: `POST composite/sobjects`; update: `PATCH composite/sobjects` (records with Id);
 * - delete: `DELETE composite/sobjects?ids=…`.
 *
 * Calls run one after another: Salesforce counts every call against the org's limits, and
 * a rate-limited org gains nothing from parallel calls.
 */
import type { ChangeRecord, RecordOutcome } from '../../destination.js';
import { outcomeOf, type DmlOperation, type SaveResult } from './results.js';
import type { SalesforceSession } from './session.js';

/** Salesforce's maximum per Collections call. */
export const COLLECTION_SIZE = 200;

export interface DmlTarget {
  session: SalesforceSession;
  /** The sObject, e.g. `Task`. */
  object: string;
  externalIdField: string;
  /** key → record Id, for updates and deletes. */
  ids: ReadonlyMap<string, string>;
  signal: AbortSignal;
}

/** The record Salesforce gets: the mapped fields, and the key in the external-ID field. */
export function salesforceRecord(record: ChangeRecord, externalIdField: string): Record<string, string | number | boolean | null> {
  return { ...record.fields, [externalIdField]: record.key };
}

/** Sends `records` for `op` in calls of 200; each call's outcomes go into `done` as soon as it returns. */
export async function sendCollections(target: DmlTarget, op: DmlOperation, records: readonly ChangeRecord[], done: Map<string, RecordOutcome>): Promise<void> {
  const { session, object, externalIdField, ids, signal } = target;
  for (let i = 0; i < records.length; i += COLLECTION_SIZE) {
    signal.throwIfAborted();
    const chunk = records.slice(i, i + COLLECTION_SIZE);
    const where = `${op} of ${chunk.length} ${object} (sObject Collections)`;
    const idOf = (r: ChangeRecord) => ids.get(r.key) as string;
    let results: SaveResult[];
    switch (op) {
      case 'upsert':
        results = await session.call(where, (conn) =>
          conn.sobject(object).upsert(chunk.map((r) => salesforceRecord(r, externalIdField)), externalIdField, { allOrNone: false }) as Promise<SaveResult[]>,
        );
        break;
      case 'insert':
        results = await session.call(where, (conn) => conn.sobject(object).create(chunk.map((r) => salesforceRecord(r, externalIdField)), { allOrNone: false }) as Promise<SaveResult[]>);
        break;
      case 'update':
        results = await session.call(where, (conn) => conn.sobject(object).update(chunk.map((r) => ({ ...r.fields, Id: idOf(r) })), { allOrNone: false }) as Promise<SaveResult[]>);
        break;
      case 'delete': {
        // Through request() rather than sobject().destroy(): jsforce would retry a DELETE on its own.
        const query = `ids=${chunk.map((r) => encodeURIComponent(idOf(r))).join(',')}&allOrNone=false`;
        results = await session.request<SaveResult[]>(where, { method: 'DELETE', url: `/composite/sobjects?${query}` });
        break;
      }
    }
    if (!Array.isArray(results) || results.length !== chunk.length) {
      // Should not happen; the engine retries records that get no outcome.
      continue;
    }
    chunk.forEach((record, j) => done.set(record.key, outcomeOf(record, results[j] as SaveResult, op, externalIdField, ids.get(record.key) ?? null)));
  }
}
