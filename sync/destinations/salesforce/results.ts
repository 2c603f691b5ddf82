/**
 * One Salesforce result per record → the engine's RecordOutcome. sObject Collections answer
 * HTTP 200 with an array of SaveResults in request order, failures included
 * (`{"success":false,"errors":[{"statusCode":"…","message":"…","fields":[…]}]}`); Bulk API 2.0
 * writes the same errors as `sf__Error` text, `CODE:message:fields --` (reference §1.4, §1.5).
 */
import type { ChangeRecord, RecordOutcome } from '../../destination.js';
import type { Operation } from './plan.js';

export type DmlOperation = Exclude<Operation, 'skip'>;

export interface RecordError {
  /** Collections and Bulk write `statusCode`; single-record REST calls write `errorCode`. */
  statusCode?: string;
  errorCode?: string;
  message: string;
  fields?: string[];
}

export interface SaveResult {
  id?: string | null;
  success: boolean;
  errors: RecordError[];
  created?: boolean;
}

/** Per-record failures that clear on their own: the engine retries them. */
const RETRY_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG', 'ALL_OR_NONE_OPERATION_ROLLED_BACK']);

/** What Salesforce says when the record an Id names is gone (deleted, or never existed) [?: which one depends on the call]. */
const GONE_CODES = new Set(['ENTITY_IS_DELETED', 'INVALID_ID_FIELD', 'NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY']);

/**
 * @param externalRef the Id the call used (updates, deletes), kept when the result has none.
 * @example outcomeOf(record, { success: false, errors: [{ statusCode: 'STRING_TOO_LONG', message: 'Subject: data value too large', fields: ['Subject'] }] }, 'upsert', 'Call_Id__c')
 *   → { key, status: 'rejected', code: 'STRING_TOO_LONG', reason: 'Subject: data value too large (Subject)' }
 */
export function outcomeOf(record: ChangeRecord, result: SaveResult, op: DmlOperation, externalIdField: string, externalRef: string | null = null): RecordOutcome {
  const ref = result.id ?? externalRef ?? record.externalRef;
  if (result.success) return { key: record.key, status: 'sent', externalRef: ref };
  const first = result.errors[0];
  const code = first?.statusCode ?? first?.errorCode ?? 'UNKNOWN_EXCEPTION';
  const reason = result.errors.length === 0 ? 'Salesforce refused the record without saying why' : result.errors.map(describe).join('; ');
  if (RETRY_CODES.has(code)) return { key: record.key, status: 'retry', code, reason };
  // The record itself is gone when the error names no field other than its Id (a deleted
  // WhoId also says ENTITY_IS_DELETED, but names the field).
  const gone = GONE_CODES.has(code) && (first?.fields ?? []).every((f) => f.toLowerCase() === 'id');
  if (gone && op === 'delete') return { key: record.key, status: 'sent', externalRef: ref };
  if (gone && op === 'update') return { key: record.key, status: 'skipped', code, reason: `${reason} (an update-only sync does not create records)` };
  if (op === 'insert' && code === 'DUPLICATE_VALUE' && first?.message.includes(externalIdField) === true) {
    // A create-only sync met a record that exists (e.g. sent before a crash): leave it as it is.
    const existing = /record with id: ([a-zA-Z0-9]{15,18})/.exec(first.message)?.[1] ?? null;
    return { key: record.key, status: 'skipped', code, reason, externalRef: existing };
  }
  return { key: record.key, status: 'rejected', code, reason };
}

function describe(error: RecordError): string {
  const fields = (error.fields ?? []).filter((f) => f !== '');
  return fields.length === 0 ? error.message : `${error.message} (${fields.join(', ')})`;
}

/**
 * A Bulk API 2.0 `sf__Error` as a RecordError.
 * @example parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [Subject]:Subject --')
 *   → { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Subject]', fields: ['Subject'] }
 */
export function parseBulkError(text: string): RecordError {
  const colon = text.indexOf(':');
  if (colon < 0) return { statusCode: 'UNKNOWN_EXCEPTION', message: text };
  const statusCode = text.slice(0, colon);
  let rest = text.slice(colon + 1);
  let fields: string[] = [];
  const tail = /:([A-Za-z0-9_, ]*) --$/.exec(rest);
  if (tail !== null) {
    fields = (tail[1] as string).split(',').map((f) => f.trim()).filter((f) => f !== '');
    rest = rest.slice(0, tail.index);
  } else {
    rest = rest.replace(/ --$/, '');
  }
  return { statusCode, message: rest, fields };
}
