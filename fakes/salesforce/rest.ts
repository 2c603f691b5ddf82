/**
 * The REST resources of the fake Salesforce (reference §1.3–§1.5), answered from its
 * FakeOrg: SOQL query and queryMore, sObject Collections, single records, Bulk API 2.0
 * ingest. The server (index.ts) authenticates, rate-limits and counts calls first.
 *
 * Each handler returns the reply instead of writing it, so the resources stay plain code.
 * A RequestError thrown here becomes Salesforce's `[{ message, errorCode }]` with its status.
 *
 * Sources (docs corpus, REST API Developer Guide):
 * - Query and queryMore: "Execute a SOQL Query" and "Query"
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm,
 *   …/resources_query.htm): up to 2,000 records a page, `done`, `totalSize`, `nextRecordsUrl`
 *   `/services/data/vXX.X/query/<locator>-<offset>`; an invalid query is MALFORMED_QUERY.
 * - sObject Collections: "Upsert Records Using sObject Collections"
 *   (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html):
 *   200 records per call, API 46.0 or later for upsert, HTTP 200 with one SaveResult per record
 *   in request order, `allOrNone` rolling back with ALL_OR_NONE_OPERATION_ROLLED_BACK.
 *   The code for more than 200 records (EXCEEDED_ID_LIMIT here) is [?] (reference §1.4).
 * - Single-record upsert by external ID: "Insert or Update (Upsert) a Record Using an External
 *   ID" (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm):
 *   201 created, 200 updated (204 on older versions [?]), 300 for several matches (not modelled).
 * - Describe: resources_sobject_describe.htm (schema.ts).
 * - Error bodies and codes: "Status Codes and Error Responses"
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 * - Limits: `GET limits` → `DailyApiRequests { Max, Remaining }` (resources_limits.htm,
 *   reference §1.6); the server (index.ts) keeps the rolling window.
 */
import { BulkIngest, type BulkOptions } from './bulk.js';
import { RequestError, type FakeOrg, type FieldValue, type SObjectType } from './org.js';
import { conditionFields, matches, parseSoql, SoqlSyntaxError } from './soql.js';

/** One REST call below `/services/data/vNN.0/`. */
export interface RestCall {
  method: string;
  /** The path after the version, split: `['composite', 'sobjects', 'Task', 'Ext__c']`. */
  parts: string[];
  /** `62.0` */
  version: string;
  search: URLSearchParams;
  /** The request body as text. */
  text: string;
  /** The rolling 24-hour allocation, for `limits`. */
  apiUsage: { used: number; max: number };
}

/** A JSON body (objects, arrays), a CSV string (Bulk results), or none (204). */
export interface Reply {
  status: number;
  body?: unknown;
}

/** Salesforce's limit for one sObject Collections call. */
const COLLECTION_LIMIT = 200;

type Cursor = { type: SObjectType; rows: Array<Record<string, unknown>>; total: number };

const reply = (status: number, body?: unknown): Reply => ({ status, body });
const fail = (status: number, errorCode: string, message: string): Reply => ({ status, body: [{ message, errorCode }] });

/** Answers one REST call; `bulk` is the Bulk API 2.0 side, for scripted job failures. */
export type RestApi = ((call: RestCall) => Reply) & { bulk: BulkIngest };

/**
 * @param pageSize records per query page (Salesforce: 2000).
 * @param bulkOptions the Bulk API 2.0 side's limits and pace (bulk.ts).
 */
export function restApi(org: FakeOrg, pageSize: number, bulkOptions: BulkOptions): RestApi {
  const bulk = new BulkIngest(org, bulkOptions);
  const cursors = new Map<string, Cursor>();
  let cursorCount = 0;

  const query = (version: string, soql: string, all: boolean): Reply => {
    let parsed;
    try {
      parsed = parseSoql(soql);
    } catch (e) {
      if (e instanceof SoqlSyntaxError) return fail(400, 'MALFORMED_QUERY', `unexpected token: ${e.message}`);
      throw e;
    }
    const type = parsed.object;
    if (!org.isType(type)) return fail(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    const names = [...parsed.fields, ...conditionFields(parsed.where), ...(parsed.orderBy === null ? [] : [parsed.orderBy.field])];
    for (const name of names) {
      if (org.field(type, name) === undefined) return fail(400, 'INVALID_FIELD', `No such column '${name}' on entity '${type}'.`);
    }
    const selected = parsed.fields.map((f) => org.field(type, f) as string);
    let rows = [...org.records[type].values()].filter(
      (r) => (all || r.IsDeleted !== true) && matches(parsed.where, (f) => r[org.field(type, f) as string] ?? null),
    );
    if (parsed.orderBy !== null) {
      const field = org.field(type, parsed.orderBy.field) as string;
      const sign = parsed.orderBy.descending ? -1 : 1;
      rows.sort((a, b) => sign * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
    }
    if (parsed.limit !== null) rows = rows.slice(0, parsed.limit);
    const shaped = rows.map((r) => ({
      attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${r.Id}` },
      ...Object.fromEntries(selected.map((f) => [f, r[f] ?? null])),
    }));
    return page(version, { type, rows: shaped, total: shaped.length }, 0);
  };

  const page = (version: string, cursor: Cursor, offset: number): Reply => {
    const records = cursor.rows.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    if (next >= cursor.rows.length) return reply(200, { totalSize: cursor.total, done: true, records });
    cursorCount += 1;
    const locator = `01gFAKE${String(cursorCount).padStart(10, '0')}-${next}`;
    cursors.set(locator, cursor);
    return reply(200, { totalSize: cursor.total, done: false, nextRecordsUrl: `/services/data/v${version}/query/${locator}`, records });
  };

  const collection = (method: string, parts: string[], body: Record<string, unknown> | null, search: URLSearchParams): Reply => {
    const allOrNone = body?.allOrNone === true || search.get('allOrNone') === 'true';
    if (method === 'DELETE') {
      const ids = (search.get('ids') ?? '').split(',').filter((id) => id !== '');
      if (ids.length > COLLECTION_LIMIT) return fail(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
      if (ids.length === 0) return fail(400, 'MISSING_ARGUMENT', 'ids parameter is required');
      return reply(200, org.many(ids, allOrNone, (id) => ({ id, ...org.delete(id) })));
    }
    const records = body?.records;
    if (!Array.isArray(records)) return fail(400, 'JSON_PARSER_ERROR', 'records: an array is required');
    if (records.length > COLLECTION_LIMIT) return fail(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const typed = (record: Record<string, unknown>, urlType?: string): SObjectType => {
      const type = (record.attributes as { type?: string } | undefined)?.type;
      if (type === undefined) throw new RequestError('INVALID_TYPE', 'Must send a concrete entity type.');
      if (!org.isType(type) || (urlType !== undefined && type !== urlType)) throw new RequestError('INVALID_TYPE', `sObject type '${type}' is not supported.`);
      return type;
    };
    const input = records as Array<Record<string, unknown>>;
    if (method === 'PATCH' && parts[2] !== undefined) {
      // Upsert by external ID: PATCH composite/sobjects/{type}/{field}.
      const urlType = parts[2];
      if (!org.isType(urlType)) return fail(404, 'NOT_FOUND', `The requested resource does not exist`);
      const extField = org.field(urlType, parts[3] ?? '');
      if (extField === undefined || !org.externalIdFields.includes(extField)) {
        return fail(400, 'INVALID_FIELD', `Field name provided, ${parts[3] ?? ''} is not an External ID or indexed field for ${urlType}`);
      }
      const prepared = input.map((r) => ({ type: typed(r, urlType), fields: org.canonical(urlType, r) }));
      const seen = new Map<FieldValue | undefined, number>();
      for (const p of prepared) seen.set(p.fields[extField], (seen.get(p.fields[extField]) ?? 0) + 1);
      return reply(
        200,
        org.many(prepared, allOrNone, (p) =>
          (seen.get(p.fields[extField]) ?? 0) > 1
            ? { success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `Duplicate external id specified: ${String(p.fields[extField])}`, fields: [extField] }] }
            : org.upsert(p.type, extField, p.fields),
        ),
      );
    }
    if (method === 'POST') {
      const prepared = input.map((r) => {
        const type = typed(r);
        return { type, fields: org.canonical(type, r) };
      });
      return reply(200, org.many(prepared, allOrNone, (p) => org.insert(p.type, p.fields)));
    }
    if (method === 'PATCH') {
      const prepared = input.map((r) => {
        const type = typed(r);
        const fields = org.canonical(type, r);
        const { Id: id, ...rest } = fields;
        return { type, id: String(id ?? ''), fields: rest };
      });
      return reply(200, org.many(prepared, allOrNone, (p) => org.update(p.type, p.id, p.fields)));
    }
    return fail(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are POST,PATCH,DELETE`);
  };

  const sobject = (method: string, parts: string[], body: Record<string, unknown> | null): Reply => {
    const [, type, second, third] = parts;
    if (type === undefined || !org.isType(type)) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    // GET sobjects/{type}/describe (resources_sobject_describe.htm): field metadata, e.g.
    // TaskSubtype createable but not updateable.
    if (second === 'describe' && parts.length === 3 && method === 'GET') return reply(200, org.describe(type));
    if (parts.length === 4) {
      // PATCH sobjects/{type}/{field}/{value}: upsert one record; the value is in the path (reference §1.3).
      const extField = org.field(type, second ?? '');
      if (method !== 'PATCH' || extField === undefined || !org.externalIdFields.includes(extField)) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
      const fields = { ...org.canonical(type, body ?? {}), [extField]: decodeURIComponent(third ?? '') };
      const result = org.upsert(type, extField, fields);
      if (!result.success) return reply(400, result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
      return reply(result.created === true ? 201 : 200, result);
    }
    if (method === 'POST' && second === undefined) {
      const result = org.insert(type, org.canonical(type, body ?? {}));
      if (!result.success) return reply(400, result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
      return reply(201, result);
    }
    const record = second === undefined ? undefined : org.find(second);
    if (record === undefined || record.IsDeleted === true) {
      return record === undefined ? fail(404, 'NOT_FOUND', 'The requested resource does not exist') : fail(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    }
    if (method === 'GET') return reply(200, { attributes: { type, url: `/sobjects/${type}/${record.Id}` }, ...record });
    if (method === 'DELETE') {
      org.delete(record.Id);
      return reply(204, undefined);
    }
    if (method === 'PATCH') {
      const result = org.update(type, record.Id, org.canonical(type, body ?? {}));
      if (!result.success) return reply(400, result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
      return reply(204, undefined);
    }
    return fail(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed.`);
  };

  const ingest = (method: string, parts: string[], text: string, version: string): Reply => {
    const [, , id, sub] = parts;
    const json = () => (text === '' ? {} : (JSON.parse(text) as Record<string, unknown>));
    if (id === undefined && method === 'POST') return reply(200, bulk.create(json(), Number(version)));
    if (id === undefined) return fail(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed.`);
    if (sub === 'batches' && method === 'PUT') {
      bulk.upload(id, text);
      return reply(201, undefined);
    }
    if (sub === 'successfulResults' || sub === 'failedResults' || sub === 'unprocessedrecords') return reply(200, bulk.results(id, sub));
    if (sub !== undefined) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (method === 'PATCH') return reply(200, bulk.setState(id, String(json().state ?? '')));
    if (method === 'GET') return reply(200, bulk.status(id));
    if (method === 'DELETE') {
      bulk.delete(id);
      return reply(204, undefined);
    }
    return fail(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed.`);
  };


  /** Answers one REST call that passed authentication, limits and scripted failures. */
  const answer = (call: RestCall): Reply => {
    const { method, parts, version, search, text } = call;
    const [first] = parts;
    if (Number(version) < 42) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (first === 'query' || first === 'queryAll') {
      if (parts.length === 1) return query(version, search.get('q') ?? '', first === 'queryAll');
      const locator = parts[1] as string;
      const cursor = cursors.get(locator);
      if (cursor === undefined) return fail(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      cursors.delete(locator);
      return page(version, cursor, Number(locator.split('-')[1]));
    }
    if (first === 'limits') return reply(200, { DailyApiRequests: { Max: call.apiUsage.max, Remaining: call.apiUsage.max - call.apiUsage.used } });
    const body = (): Record<string, unknown> | null => {
      if (text === '') return null;
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new RequestError('JSON_PARSER_ERROR', 'Unexpected character in the request body');
      }
    };
    if (first === 'composite' && parts[1] === 'sobjects') {
      if (method === 'PATCH' && parts[2] !== undefined && Number(version) < 46) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
      return collection(method, parts, body(), search);
    }
    if (first === 'sobjects') return sobject(method, parts, body());
    if (first === 'jobs' && parts[1] === 'ingest') return ingest(method, parts, text, version);
    return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
  };
  return Object.assign(answer, { bulk });
}
