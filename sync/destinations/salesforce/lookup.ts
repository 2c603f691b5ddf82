/**
 * Finds record Ids by external ID with SOQL, for the calls that need an Id: updates of an
 * update-only sync and deletes, when the engine has no Id from an earlier send.
 */
import type { SalesforceSession } from './session.js';

/** Keys per query: 200 external IDs keep the GET URL well under Salesforce's 16 KB URI limit. */
const KEYS_PER_QUERY = 200;

/** An API name Switchboard may put into SOQL: `Task`, `Switchboard_Call_Id__c`. */
export const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/**
 * A SOQL string literal, escaped as the SOQL reference documents
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
 * @example soqlString("O'Brien\\") → "'O\\'Brien\\\\'"
 */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' })[c] as string);
  return `'${escaped}'`;
}

interface QueryPage {
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

/**
 * External ID → record Id for the live records of `object` that have one of `keys`.
 * Missing keys are absent from the map. Sequential, one query per 200 keys.
 */
export async function findIds(session: SalesforceSession, object: string, externalIdField: string, keys: readonly string[], signal: AbortSignal): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    signal.throwIfAborted();
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    const soql = `SELECT Id, ${externalIdField} FROM ${object} WHERE ${externalIdField} IN (${chunk.map(soqlString).join(', ')})`;
    let url: string | undefined = `/query?q=${encodeURIComponent(soql)}`;
    while (url !== undefined) {
      const page: QueryPage = await session.request<QueryPage>(`lookup of ${chunk.length} ${object} by ${externalIdField}`, { method: 'GET', url });
      for (const record of page.records) {
        // Salesforce spells the field as its schema does, whatever the query's case.
        const name = Object.keys(record).find((k) => k.toLowerCase() === externalIdField.toLowerCase()) ?? externalIdField;
        const key = record[name];
        if (typeof key === 'string' && typeof record.Id === 'string' && !found.has(key)) found.set(key, record.Id);
      }
      url = page.done ? undefined : page.nextRecordsUrl;
    }
  }
  return found;
}
