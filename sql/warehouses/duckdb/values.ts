/**
 * Converting between Switchboard's SqlParam/SqlValue and @duckdb/node-api's values.
 * The driver's own JSON conversion (`getRowObjectsJson`) renders timestamps in the process'
 * local offset and bigints always as strings, so rows are converted here from raw values.
 */
import {
  BIGINT,
  DOUBLE,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { SqlParam, SqlRow, SqlValue } from '../../warehouse.js';
import { decimalValue, epochMillisParam, integerValue, isoFromEpochMillis } from '../values.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Bound values and their DuckDB types, index for index. */
export interface DuckDbBinding {
  values: DuckDBValue[];
  /**
   * `undefined` entries let the driver infer the type from the JS value; the driver's
   * typings say `DuckDBType[]` but its bind() reads each entry on its own
   * (DuckDBPreparedStatement.bind → bindValue(i, value, types[i])).
   */
  types: DuckDBType[];
}

/**
 * Converts parameters for `connection.run(sql, values, types)`.
 * The driver infers INTEGER/BIGINT for any integral number and HUGEINT for any bigint, so
 * 1e20 would fail ("bigint out of int64 range") and 5n would be a HUGEINT; pin those here.
 * Dates become TIMESTAMPTZ at microsecond precision.
 */
export function duckDbBinding(params: readonly SqlParam[]): DuckDbBinding {
  const values: DuckDBValue[] = [];
  const types: (DuckDBType | undefined)[] = [];
  for (const param of params) {
    if (param instanceof Date) {
      values.push(new DuckDBTimestampTZValue(BigInt(epochMillisParam(param)) * 1000n));
      types.push(undefined);
    } else if (typeof param === 'number' && Number.isInteger(param) && !Number.isSafeInteger(param)) {
      values.push(param);
      types.push(DOUBLE);
    } else if (typeof param === 'bigint' && param >= INT64_MIN && param <= INT64_MAX) {
      values.push(param);
      types.push(BIGINT);
    } else {
      values.push(param);
      types.push(undefined);
    }
  }
  return { values, types: types as DuckDBType[] };
}

/** Floor division, so instants before 1970 round towards the past as they do elsewhere. */
function floorDiv(value: bigint, divisor: bigint): number {
  const quotient = value / divisor;
  return Number(value % divisor < 0n ? quotient - 1n : quotient);
}

/** An instant as ISO UTC with milliseconds, or `infinity` / `-infinity` like Postgres. */
function instant(ticks: bigint, perMilli: bigint, multiplier = 1): string {
  const iso = isoFromEpochMillis(floorDiv(ticks, perMilli) * multiplier);
  return iso ?? (ticks > 0n ? 'infinity' : '-infinity');
}

/**
 * Converts one value read from a column of type `typeId` to a {@link SqlValue}.
 * Types outside the contract (DATE, UUID, LIST, …) come back as DuckDB's own text.
 * @example sqlValueFromDuckDb(DuckDBTypeId.BIGINT, 42n) === 42
 */
export function sqlValueFromDuckDb(typeId: DuckDBTypeId, value: DuckDBValue): SqlValue {
  if (value === null) return null;
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return value as boolean;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return value as number;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return integerValue(value as bigint);
    case DuckDBTypeId.DECIMAL:
      return decimalValue((value as DuckDBDecimalValue).toString());
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return instant((value as { micros: bigint }).micros, 1000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return instant((value as { millis: bigint }).millis, 1n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return instant((value as { nanos: bigint }).nanos, 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_S:
      return instant((value as { seconds: bigint }).seconds, 1n, 1000);
    default:
      // VARCHAR and JSON (a VARCHAR alias) arrive as JS strings; the rest stringify.
      return typeof value === 'string' ? value : String(value);
  }
}

/**
 * One row as {@link SqlRow}: each value converted by its column's type (sqlValueFromDuckDb).
 * `names` and `typeIds` are the result's, index for index.
 */
export function sqlRowFromDuckDb(names: readonly string[], typeIds: readonly DuckDBTypeId[], row: readonly DuckDBValue[]): SqlRow {
  const record: SqlRow = {};
  row.forEach((value, index) => {
    record[names[index]!] = sqlValueFromDuckDb(typeIds[index]!, value);
  });
  return record;
}
