/**
 * The fake's datasets and tables: metadata only (schema, partitioning, clustering, labels), plus
 * the rows streamed in with tabledata.insertAll. No SQL reads or writes them.
 *
 * Served (paths under `/bigquery/v2/projects/{projectId}/`):
 * - datasets.insert `POST datasets` → the Dataset; 409 duplicate when it exists
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/insert; the 409 is the
 *   error table's `duplicate`, https://cloud.google.com/bigquery/docs/error-messages).
 * - datasets.get / datasets.delete `datasets/{d}` (delete: 204; with tables it fails unless
 *   `deleteContents=true`, https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/delete
 *   [? the reason of that failure is open; the fake says resourceInUse]).
 * - datasets.list `GET datasets` with maxResults/pageToken → `{ kind, etag, datasets, nextPageToken }`
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets/list).
 * - tables.insert / tables.list `datasets/{d}/tables`, tables.get / patch / delete
 *   `datasets/{d}/tables/{t}` (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables).
 *   tables.list answers `{ kind, etag, tables, nextPageToken, totalItems }` without schemas, as the
 *   docs' list item has none. Lists are sorted by ID [? the docs leave the order open].
 * - tabledata.insertAll `datasets/{d}/tables/{t}/insertAll`
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/insertAll): rows land in
 *   the table's streaming buffer (`rows`); a row whose `insertId` the table has seen is not stored
 *   again (best-effort de-duplication, https://cloud.google.com/bigquery/docs/streaming-data-into-bigquery#dataconsistency);
 *   a row with a field the schema lacks is refused (`invalid`) unless `ignoreUnknownValues`;
 *   rejected rows answer HTTP 200 with `insertErrors: [{ index, errors }]`, and unless
 *   `skipInvalidRows` no row of the request is stored and the valid ones answer reason `stopped`
 *   (https://cloud.google.com/bigquery/docs/error-messages, `stopped`). Table.numRows leaves the
 *   streamed rows out ("excluding any data in the streaming buffer", Table resource); they show
 *   in `streamingBuffer.estimatedRows`.
 */
import { alreadyExists, BigQueryRequestError, notFound, type ErrorProto } from './errors.js';
import { pageOf } from './paging.js';
import type { SchemaField } from './values.js';

export interface FakeDataset {
  projectId: string;
  datasetId: string;
  /** The Dataset resource as served. */
  resource: Record<string, unknown>;
  tables: Map<string, FakeTable>;
}

export interface FakeTable {
  projectId: string;
  datasetId: string;
  tableId: string;
  /** The Table resource as served (schema, timePartitioning, clustering, labels, …). */
  resource: Record<string, unknown>;
  /** Rows streamed with insertAll, in arrival order, without the ones de-duplicated by insertId. */
  rows: Array<{ insertId?: string; json: Record<string, unknown> }>;
}

/** Table metadata a test sets up; the same fields tables.insert takes. */
export interface TableMetadata {
  schema?: SchemaField[] | { fields: SchemaField[] };
  timePartitioning?: { type: 'HOUR' | 'DAY' | 'MONTH' | 'YEAR'; field?: string; expirationMs?: string };
  clustering?: { fields: string[] };
  [field: string]: unknown;
}

/** Decides per streamed row: an ErrorProto refuses it, undefined accepts it. */
export type RowRejector = (row: { projectId: string; datasetId: string; tableId: string; index: number; insertId?: string; json: Record<string, unknown> }) => ErrorProto | undefined;

export interface CatalogRequest {
  method: string;
  projectId: string;
  /** Path segments after `projects/{projectId}/`, e.g. `['datasets', 'raw', 'tables']`. */
  parts: string[];
  search: URLSearchParams;
  body: Record<string, unknown>;
}

export class FakeCatalog {
  private readonly datasets = new Map<string, FakeDataset>();
  private rejector: RowRejector | undefined;

  constructor(
    private readonly defaultProject: string,
    private readonly defaultLocation: string,
    private readonly now: () => number,
  ) {}

  /** Creates a dataset, as datasets.insert does; throws 409 duplicate when it exists. */
  addDataset(datasetId: string, metadata: Record<string, unknown> = {}, projectId = this.defaultProject): FakeDataset {
    const key = `${projectId}:${datasetId}`;
    if (this.datasets.has(key)) throw alreadyExists(`Dataset ${key}`);
    const time = String(this.now());
    const dataset: FakeDataset = {
      projectId,
      datasetId,
      tables: new Map(),
      resource: {
        ...metadata,
        kind: 'bigquery#dataset',
        id: key,
        etag: etag(),
        datasetReference: { projectId, datasetId },
        location: (metadata.location as string | undefined) ?? this.defaultLocation,
        creationTime: time,
        lastModifiedTime: time,
      },
    };
    this.datasets.set(key, dataset);
    return dataset;
  }

  /** Creates a table, as tables.insert does (creating its dataset when a test has not). */
  addTable(datasetId: string, tableId: string, metadata: TableMetadata = {}, projectId = this.defaultProject): FakeTable {
    const dataset = this.dataset(datasetId, projectId) ?? this.addDataset(datasetId, {}, projectId);
    return this.createTable(dataset, tableId, metadata);
  }

  dataset(datasetId: string, projectId = this.defaultProject): FakeDataset | undefined {
    return this.datasets.get(`${projectId}:${datasetId}`);
  }

  table(datasetId: string, tableId: string, projectId = this.defaultProject): FakeTable | undefined {
    return this.dataset(datasetId, projectId)?.tables.get(tableId);
  }

  /** Every dataset, sorted by project and ID. */
  list(): FakeDataset[] {
    return [...this.datasets.values()].sort((a, b) => (a.resource.id as string).localeCompare(b.resource.id as string));
  }

  /** Sets (or with undefined clears) the per-row verdict of insertAll. */
  rejectRows(rejector: RowRejector | undefined): void {
    this.rejector = rejector;
  }

  /** Answers a datasets / tables / tabledata call; undefined when the path is not one of them. */
  handle(request: CatalogRequest, defaultPageSize: number): { status: number; body?: unknown } | undefined {
    const { method, projectId, parts, search, body } = request;
    if (parts[0] !== 'datasets' || parts.length > 5) return undefined;
    const [, datasetId, tablesPart, tableId, action] = parts;
    if (datasetId === undefined) {
      if (method === 'POST') {
        const reference = (body.datasetReference ?? {}) as { datasetId?: string; projectId?: string };
        if (!reference.datasetId) throw new BigQueryRequestError('invalid', 'Required parameter is missing: datasetReference.datasetId');
        const { datasetReference: _ignored, ...metadata } = body;
        return { status: 200, body: this.addDataset(reference.datasetId, metadata, reference.projectId ?? projectId).resource };
      }
      if (method !== 'GET') return undefined;
      const all = this.list().filter((d) => d.projectId === projectId);
      const page = pageOf(all, `datasets:${projectId}`, { maxResults: search.get('maxResults'), pageToken: search.get('pageToken'), defaultPageSize });
      return {
        status: 200,
        body: {
          kind: 'bigquery#datasetList',
          etag: etag(),
          ...(page.items.length === 0 ? {} : { datasets: page.items.map((d) => pick(d.resource, ['kind', 'id', 'datasetReference', 'labels', 'friendlyName', 'location'])) }),
          ...(page.next === undefined ? {} : { nextPageToken: page.next }),
        },
      };
    }
    const dataset = this.dataset(datasetId, projectId);
    if (tablesPart === undefined) {
      if (dataset === undefined) throw notFound(`Dataset ${projectId}:${datasetId}`);
      if (method === 'GET') return { status: 200, body: dataset.resource };
      if (method === 'DELETE') {
        if (dataset.tables.size > 0 && search.get('deleteContents') !== 'true') {
          throw new BigQueryRequestError('resourceInUse', `Dataset ${projectId}:${datasetId} is still in use`);
        }
        this.datasets.delete(`${projectId}:${datasetId}`);
        return { status: 204 };
      }
      return undefined;
    }
    if (tablesPart !== 'tables') return undefined;
    if (dataset === undefined) throw notFound(`Dataset ${projectId}:${datasetId}`);
    if (tableId === undefined) {
      if (method === 'POST') {
        const reference = (body.tableReference ?? {}) as { tableId?: string };
        if (!reference.tableId) throw new BigQueryRequestError('invalid', 'Required parameter is missing: tableReference.tableId');
        const { tableReference: _ignored, ...metadata } = body;
        return { status: 200, body: this.createTable(dataset, reference.tableId, metadata as TableMetadata).resource };
      }
      if (method !== 'GET') return undefined;
      const all = [...dataset.tables.values()].sort((a, b) => a.tableId.localeCompare(b.tableId));
      const page = pageOf(all, `tables:${projectId}:${datasetId}`, { maxResults: search.get('maxResults'), pageToken: search.get('pageToken'), defaultPageSize });
      return {
        status: 200,
        body: {
          kind: 'bigquery#tableList',
          etag: etag(),
          totalItems: all.length,
          ...(page.items.length === 0 ? {} : { tables: page.items.map((t) => pick(t.resource, ['kind', 'id', 'tableReference', 'type', 'timePartitioning', 'clustering', 'labels', 'friendlyName', 'creationTime', 'expirationTime'])) }),
          ...(page.next === undefined ? {} : { nextPageToken: page.next }),
        },
      };
    }
    const table = dataset.tables.get(tableId);
    if (table === undefined) throw notFound(`Table ${projectId}:${datasetId}.${tableId}`);
    if (action === 'insertAll' && method === 'POST') return { status: 200, body: this.insertAll(table, body) };
    if (action !== undefined) return undefined;
    if (method === 'GET') return { status: 200, body: this.served(table) };
    if (method === 'DELETE') {
      dataset.tables.delete(tableId);
      return { status: 204 };
    }
    if (method === 'PATCH' || method === 'PUT') {
      // tables.patch replaces the fields it is given; tables.update replaces the whole resource.
      const { tableReference: _r, kind: _k, id: _i, etag: _e, ...changes } = body;
      const kept = method === 'PUT' ? pick(table.resource, ['kind', 'id', 'tableReference', 'type', 'creationTime', 'location']) : table.resource;
      table.resource = { ...kept, ...normalise(changes as TableMetadata), etag: etag(), lastModifiedTime: String(this.now()) };
      return { status: 200, body: this.served(table) };
    }
    return undefined;
  }

  private createTable(dataset: FakeDataset, tableId: string, metadata: TableMetadata): FakeTable {
    const { projectId, datasetId } = dataset;
    if (dataset.tables.has(tableId)) throw alreadyExists(`Table ${projectId}:${datasetId}.${tableId}`);
    const time = String(this.now());
    const table: FakeTable = {
      projectId,
      datasetId,
      tableId,
      rows: [],
      resource: {
        ...normalise(metadata),
        kind: 'bigquery#table',
        id: `${projectId}:${datasetId}.${tableId}`,
        etag: etag(),
        tableReference: { projectId, datasetId, tableId },
        type: metadata.view === undefined ? 'TABLE' : 'VIEW',
        location: dataset.resource.location,
        creationTime: time,
        lastModifiedTime: time,
      },
    };
    dataset.tables.set(tableId, table);
    return table;
  }

  private served(table: FakeTable): Record<string, unknown> {
    const streamed = table.rows.length;
    return {
      ...table.resource,
      numRows: '0',
      numBytes: '0',
      ...(streamed === 0 ? {} : { streamingBuffer: { estimatedRows: String(streamed), estimatedBytes: String(JSON.stringify(table.rows).length), oldestEntryTime: String(this.now()) } }),
    };
  }

  private insertAll(table: FakeTable, body: Record<string, unknown>): Record<string, unknown> {
    const rows = Array.isArray(body.rows) ? (body.rows as Array<{ insertId?: string; json?: Record<string, unknown> }>) : [];
    if (rows.length === 0) throw new BigQueryRequestError('invalid', 'No rows present in the request.');
    const schema = ((table.resource.schema as { fields?: SchemaField[] } | undefined)?.fields ?? []).map((f) => f.name);
    const verdicts = rows.map((row, index): ErrorProto | undefined => {
      const json = row.json ?? {};
      const unknown = body.ignoreUnknownValues === true || schema.length === 0 ? undefined : Object.keys(json).find((k) => !schema.includes(k));
      if (unknown !== undefined) return { reason: 'invalid', location: unknown, message: `no such field: ${unknown}.` };
      return this.rejector?.({ projectId: table.projectId, datasetId: table.datasetId, tableId: table.tableId, index, json, ...(row.insertId === undefined ? {} : { insertId: row.insertId }) });
    });
    const refused = verdicts.some((v) => v !== undefined);
    const skipInvalid = body.skipInvalidRows === true;
    if (!refused || skipInvalid) {
      const seen = new Set(table.rows.map((r) => r.insertId).filter((id) => id !== undefined));
      rows.forEach((row, index) => {
        if (verdicts[index] !== undefined) return;
        if (row.insertId !== undefined && seen.has(row.insertId)) return;
        if (row.insertId !== undefined) seen.add(row.insertId);
        table.rows.push({ ...(row.insertId === undefined ? {} : { insertId: row.insertId }), json: row.json ?? {} });
      });
    }
    if (!refused) return { kind: 'bigquery#tableDataInsertAllResponse' };
    const insertErrors = verdicts.flatMap((verdict, index): Array<{ index: number; errors: ErrorProto[] }> => {
      if (verdict !== undefined) return [{ index, errors: [{ domain: 'global', ...verdict }] }];
      return skipInvalid ? [] : [{ index, errors: [{ reason: 'stopped', location: '', message: '' }] }];
    });
    return { kind: 'bigquery#tableDataInsertAllResponse', insertErrors };
  }
}

/** The library's Table.create sends `schema` as `{ fields }`; tests may give the array. */
function normalise(metadata: TableMetadata): Record<string, unknown> {
  const { schema, ...rest } = metadata;
  if (schema === undefined) return rest;
  return { ...rest, schema: Array.isArray(schema) ? { fields: schema } : schema };
}

function pick(resource: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => resource[k] !== undefined).map((k) => [k, resource[k]]));
}

let etags = 0;
function etag(): string {
  etags += 1;
  return Buffer.from(`etag-${etags}`).toString('base64');
}
