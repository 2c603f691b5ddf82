/**
 * How result text from Postgres becomes a {@link SqlValue}. Installed per pool (never on
 * pg's global `types`, which other code in the process may rely on).
 *
 * pg's defaults differ from the contract: int8 and numeric arrive as strings, timestamps
 * as local-time Dates, json/jsonb parsed into objects, arrays as JS arrays. Here:
 * - int8/numeric → number when exact, else decimal digits (as DuckDB's BIGINT/HUGEINT);
 * - timestamptz/timestamp → ISO UTC with ms (the session runs with TimeZone=UTC, and the
 *   text is parsed here rather than by `new Date`, which cannot take microseconds or BC);
 * - json/jsonb → the text the server sent, as is. For jsonb that text is Postgres'
 *   normalised form (`{"a": 1}`, keys sorted by length then bytes), not the bytes inserted;
 *   re-serialising a parsed object would add a second, JavaScript-specific normalisation;
 * - bool, int2, int4, oid, float4, float8 → pg's own parsers (boolean / number);
 * - everything else (date, uuid, arrays, …) → the server's text.
 */
import pg from 'pg';
import type { SqlValue } from '../../warehouse.js';
import { decimalValue, integerValue } from '../values.js';

/** Type OIDs, from `SELECT oid, typname FROM pg_type` (stable across versions). */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

// Text output with DateStyle=ISO: `2025-03-04 09:15:27.412345+00`, `0044-03-15 12:00:00+00 BC`.
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/**
 * Postgres timestamp text → `2025-03-04T09:15:27.412Z`; fractions beyond ms are dropped
 * (floor, as on DuckDB); `infinity`/`-infinity` and anything unexpected pass through.
 * @example isoFromPostgresTimestamp('2025-03-04 09:15:27.412345+00') === '2025-03-04T09:15:27.412Z'
 */
export function isoFromPostgresTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh = '0', om = '0', os = '0', bc] = m;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(bc ? 1 - Number(y) : Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  const offsetSeconds = (Number(oh) * 60 + Number(om)) * 60 + Number(os);
  const utc = date.getTime() - (sign === '-' ? -1 : 1) * offsetSeconds * 1000;
  return Number.isNaN(utc) ? text : new Date(utc).toISOString();
}

const identity = (text: string): string => text;

const PARSERS: ReadonlyMap<number, (text: string) => SqlValue> = new Map<number, (text: string) => SqlValue>([
  [OID.int8, integerValue],
  [OID.numeric, decimalValue],
  [OID.timestamp, isoFromPostgresTimestamp],
  [OID.timestamptz, isoFromPostgresTimestamp],
  [OID.json, identity],
  [OID.jsonb, identity],
  ...[OID.bool, OID.int2, OID.int4, OID.oid, OID.float4, OID.float8].map(
    (oid) => [oid, pg.types.getTypeParser(oid, 'text') as (text: string) => SqlValue] as const,
  ),
]);

/** The `types` option for a pg Pool that yields {@link SqlValue}s. */
export const sqlValueTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : (PARSERS.get(oid) ?? identity)) as pg.CustomTypesConfig['getTypeParser'],
};
