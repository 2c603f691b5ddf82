/**
 * Values in and out of the fake: query parameters decoded to plain JS values, and result rows
 * encoded in BigQuery's `f`/`v` form.
 *
 * Parameters: QueryParameter `{ name?, parameterType: { type, arrayType?, structTypes? },
 * parameterValue: { value?, arrayValues?, structValues? } }`
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/QueryParameter). Decoded:
 * INT64 → number (bigint beyond 2^53), FLOAT64/FLOAT → number, BOOL → boolean, JSON → the parsed
 * value, BYTES → Buffer, ARRAY → array, STRUCT → object, RANGE → `{ start, end }`; TIMESTAMP,
 * DATE, DATETIME, TIME, NUMERIC, BIGNUMERIC, GEOGRAPHY and STRING stay the strings sent (a
 * TIMESTAMP keeps its microseconds that way); a NULL is `null`.
 *
 * Rows: TableRow `{ f: [TableCell { v }] }` in schema order
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/list#TableRow). Every scalar
 * is a string; a REPEATED field's `v` is an array of `{ v }`; a RECORD's `v` is a nested `{ f }`;
 * NULL is `v: null`. TIMESTAMP follows DataFormatOptions
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/DataFormatOptions):
 * `useInt64Timestamp=true` → microseconds since the epoch as an integer string; otherwise
 * seconds as a decimal string [? BigQuery writes these in E notation, e.g. `1.6725744E9`; the
 * docs leave the format open and the library reads both]; `timestampOutputFormat=ISO8601_STRING`
 * → an RFC 3339 string with microseconds.
 */

/** A result column, as in TableFieldSchema (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema). */
export interface SchemaField {
  name: string;
  /** INT64 (INTEGER), FLOAT64 (FLOAT), NUMERIC, BIGNUMERIC, BOOL (BOOLEAN), STRING, BYTES, TIMESTAMP, DATE, DATETIME, TIME, JSON, GEOGRAPHY, RECORD (STRUCT). */
  type: string;
  /** NULLABLE (default), REQUIRED or REPEATED. */
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  /** The sub-fields of a RECORD. */
  fields?: SchemaField[];
  description?: string;
}

export interface TimestampFormat {
  useInt64Timestamp: boolean;
  iso: boolean;
}

/** The query parameters of a job, decoded: by name for named parameters, in order for positional ones. */
export function decodeParameters(parameters: unknown): Record<string, unknown> | unknown[] {
  if (!Array.isArray(parameters)) return {};
  const decoded = parameters.map((p: { name?: string; parameterType?: ParameterType; parameterValue?: ParameterValue }) => ({
    name: p.name,
    value: decodeValue(p.parameterType ?? { type: 'STRING' }, p.parameterValue),
  }));
  if (decoded.some((p) => p.name === undefined)) return decoded.map((p) => p.value);
  return Object.fromEntries(decoded.map((p) => [p.name, p.value]));
}

interface ParameterType {
  type: string;
  arrayType?: ParameterType;
  structTypes?: Array<{ name?: string; type: ParameterType }>;
  rangeElementType?: ParameterType;
}
interface ParameterValue {
  value?: unknown;
  arrayValues?: ParameterValue[];
  structValues?: Record<string, ParameterValue>;
  rangeValue?: { start?: ParameterValue; end?: ParameterValue };
}

function decodeValue(type: ParameterType, value: ParameterValue | undefined): unknown {
  switch (type.type) {
    case 'ARRAY':
      return value?.arrayValues === undefined ? (value?.value === null ? null : []) : value.arrayValues.map((v) => decodeValue(type.arrayType ?? { type: 'STRING' }, v));
    case 'STRUCT': {
      if (value?.structValues === undefined) return null;
      const fields = value.structValues;
      return Object.fromEntries((type.structTypes ?? []).map((t) => [t.name ?? '', decodeValue(t.type, fields[t.name ?? ''])]));
    }
    case 'RANGE': {
      const element = type.rangeElementType ?? { type: 'DATE' };
      return value?.rangeValue === undefined ? null : { start: decodeValue(element, value.rangeValue.start), end: decodeValue(element, value.rangeValue.end) };
    }
  }
  const raw = value?.value;
  if (raw === null || raw === undefined) return null;
  switch (type.type) {
    case 'INT64':
    case 'INTEGER': {
      const n = Number(raw);
      return Number.isSafeInteger(n) ? n : BigInt(String(raw));
    }
    case 'FLOAT64':
    case 'FLOAT':
      return Number(raw);
    case 'BOOL':
    case 'BOOLEAN':
      return raw === true || String(raw).toLowerCase() === 'true';
    case 'JSON':
      return typeof raw === 'string' ? JSON.parse(raw) : raw;
    case 'BYTES':
      return Buffer.from(String(raw), 'base64');
    default:
      return typeof raw === 'string' ? raw : String(raw);
  }
}

/** One result row in the `f`/`v` form, in the schema's column order; a column missing from `row` is NULL. */
export function encodeRow(fields: SchemaField[], row: Record<string, unknown>, format: TimestampFormat): { f: Array<{ v: unknown }> } {
  return { f: fields.map((field) => ({ v: encodeField(field, row[field.name], format) })) };
}

function encodeField(field: SchemaField, value: unknown, format: TimestampFormat): unknown {
  if (value === null || value === undefined) return field.mode === 'REPEATED' ? [] : null;
  if (field.mode === 'REPEATED') {
    if (!Array.isArray(value)) throw new Error(`the fake's result row has a non-array value for REPEATED column ${field.name}`);
    return value.map((item) => ({ v: encodeField({ ...field, mode: 'NULLABLE' }, item, format) }));
  }
  const type = field.type.toUpperCase();
  if (type === 'RECORD' || type === 'STRUCT') return encodeRow(field.fields ?? [], value as Record<string, unknown>, format);
  return encodeScalar(type, value, format);
}

function encodeScalar(type: string, value: unknown, format: TimestampFormat): string {
  switch (type) {
    case 'BOOL':
    case 'BOOLEAN':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'FLOAT64':
    case 'FLOAT':
      return String(Number(value));
    case 'JSON':
      // The JSON column's value is the JSON text (the library parses it only with parseJSON).
      return JSON.stringify(value);
    case 'BYTES':
      return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
    case 'TIMESTAMP': {
      const micros = toMicros(value);
      if (format.iso) return isoWithMicros(micros);
      if (format.useInt64Timestamp) return micros.toString();
      const seconds = micros / 1_000_000n;
      const fraction = (micros % 1_000_000n + 1_000_000n) % 1_000_000n;
      return fraction === 0n ? `${seconds}` : `${seconds}.${fraction.toString().padStart(6, '0')}`;
    }
    case 'DATE':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'DATETIME':
      return value instanceof Date ? value.toISOString().slice(0, 23) : String(value);
    default:
      return typeof value === 'bigint' ? value.toString() : String(value);
  }
}

/** Microseconds since the epoch of a Date, epoch milliseconds, or an RFC 3339 string (keeping up to 6 fraction digits). */
export function toMicros(value: unknown): bigint {
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  if (typeof value === 'number') return BigInt(Math.round(value * 1000));
  if (typeof value === 'bigint') return value;
  const text = String(value);
  const match = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(text.replace(' ', 'T'));
  if (match === null) throw new Error(`the fake cannot read ${JSON.stringify(text)} as a TIMESTAMP`);
  const whole = Date.parse(`${match[1]}${match[3] ?? 'Z'}`);
  if (Number.isNaN(whole)) throw new Error(`the fake cannot read ${JSON.stringify(text)} as a TIMESTAMP`);
  const fraction = BigInt((match[2] ?? '').slice(0, 6).padEnd(6, '0'));
  return BigInt(whole) * 1000n + fraction;
}

function isoWithMicros(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = (micros % 1000n + 1000n) % 1000n;
  return new Date(Number(millis)).toISOString().replace('Z', `${rest.toString().padStart(3, '0')}Z`);
}
