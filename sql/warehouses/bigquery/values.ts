/**
 * Values in and out of BigQuery, normalised to the warehouse contract (sql/warehouse.ts).
 *
 * In: every parameter is bound with an explicit type, because BigQuery needs a type for a
 * NULL and would otherwise guess FLOAT64 for a whole number:
 * https://cloud.google.com/bigquery/docs/parameterized-queries (and the library's `types`).
 * Out: rows are read unparsed (`skipParsing`) in the REST API's `f`/`v` encoding, typed by the
 * result schema: https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults
 * (TIMESTAMP as int64 microseconds, because the library asks for `formatOptions.useInt64Timestamp`).
 */
import { BigQuery } from '@google-cloud/bigquery';
import { SqlError } from '../../errors.js';
import type { SqlParam, SqlRow, SqlValue } from '../../warehouse.js';

export interface BoundParams {
  params: Record<string, unknown>;
  types: Record<string, string>;
}

/** `[v1, v2]` as `{ p1: v1, p2: v2 }` with their types, for the dialect's `@p1`, `@p2`. */
export function bindParams(values: readonly SqlParam[]): BoundParams {
  const params: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  values.forEach((value, i) => {
    const name = `p${i + 1}`;
    if (value === null) {
      params[name] = null;
      types[name] = 'STRING';
    } else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new SqlError('SB_SQL_INVALID_PARAM', `parameter ${i + 1} is an invalid Date.`);
      // The library binds a TIMESTAMP from its own wrapper (a plain string would bind as NULL).
      params[name] = BigQuery.timestamp(value);
      types[name] = 'TIMESTAMP';
    } else if (typeof value === 'bigint') {
      params[name] = value.toString();
      types[name] = 'INT64';
    } else if (typeof value === 'number') {
      params[name] = value;
      types[name] = Number.isInteger(value) ? 'INT64' : 'FLOAT64';
    } else if (typeof value === 'boolean') {
      params[name] = value;
      types[name] = 'BOOL';
    } else {
      params[name] = value;
      types[name] = 'STRING';
    }
  });
  return { params, types };
}

/** A field of a result schema, as jobs.getQueryResults returns it. */
export interface SchemaField {
  name: string;
  type: string;
  mode?: string;
}

/** One row in the REST encoding: `{ f: [{ v: '1' }, { v: null }] }`. */
export interface RestRow {
  f: { v: unknown }[];
}

/** REST rows as contract rows: column names as the query spelled them, values normalised. */
export function rowsFromRest(fields: readonly SchemaField[], rows: readonly RestRow[]): SqlRow[] {
  return rows.map((row) => {
    const out: SqlRow = {};
    fields.forEach((field, i) => {
      out[field.name] = valueFromRest(field, row.f[i]?.v ?? null);
    });
    return out;
  });
}

function valueFromRest(field: SchemaField, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  // REPEATED and RECORD values are returned as their JSON text, as the contract does for json.
  if (field.mode === 'REPEATED' || field.type === 'RECORD' || field.type === 'STRUCT') return JSON.stringify(value);
  const text = String(value);
  switch (field.type) {
    case 'INTEGER':
    case 'INT64': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'FLOAT':
    case 'FLOAT64':
      return Number(text);
    case 'BOOLEAN':
    case 'BOOL':
      return text.toLowerCase() === 'true';
    case 'TIMESTAMP':
      return timestampText(text);
    default:
      // STRING, JSON (its text), NUMERIC/BIGNUMERIC (decimal digits), DATE, DATETIME, TIME.
      return text;
  }
}

/** int64 microseconds, float seconds, or ISO text → ISO-8601 UTC with milliseconds. */
function timestampText(text: string): string {
  if (/^-?\d+$/.test(text)) return new Date(Number(BigInt(text) / 1000n)).toISOString();
  if (/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text)) return new Date(Math.floor(Number(text) * 1000)).toISOString();
  return new Date(text).toISOString();
}
