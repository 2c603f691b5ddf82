/**
 * Conversions every driver shares, so that all warehouses return the same {@link SqlValue}
 * for the same data (see the contract in ../warehouse.ts).
 */
import { SqlError } from '../errors.js';

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * An integer as a `number` when it is exactly representable, else its decimal digits.
 * @example integerValue(42n) === 42; integerValue('9007199254740993') === '9007199254740993'
 */
export function integerValue(value: bigint | string): number | string {
  const big = typeof value === 'bigint' ? value : BigInt(value);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/**
 * A decimal (NUMERIC/DECIMAL) as an integer when it has no fraction (`sum()` of a bigint
 * column is one on Postgres, HUGEINT on DuckDB), else as a floating-point number.
 * @example decimalValue('12') === 12; decimalValue('2.50') === 2.5
 */
export function decimalValue(text: string): number | string {
  if (INTEGER_TEXT.test(text)) return integerValue(text);
  const fraction = /^([+-]?\d+)\.0*$/.exec(text);
  return fraction ? integerValue(fraction[1]!) : Number(text);
}

/**
 * Milliseconds since the epoch as `2025-03-04T09:15:27.412Z`. Finer precision has been
 * dropped by the caller by flooring (so 09:15:27.412999 reads as .412 on every engine).
 * Out-of-range instants (`infinity`) return undefined for the caller to spell.
 */
export function isoFromEpochMillis(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A Date parameter's epoch milliseconds; an invalid Date is a bug upstream, never bound.
 * @example epochMillisParam(new Date('2025-03-04T09:15:27.412Z')) === 1741079727412
 */
export function epochMillisParam(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) {
    throw new SqlError('SB_SQL_INVALID_PARAM', 'An invalid Date was bound as a parameter; check where it was parsed.');
  }
  return ms;
}

/**
 * `StreamOptions.batchRows` checked: a positive integer, 1000 when unset.
 * @example streamBatchRows(undefined) === 1000
 */
export function streamBatchRows(batchRows: number | undefined): number {
  const size = batchRows ?? 1000;
  if (!Number.isInteger(size) || size < 1) throw new SqlError('SB_SQL_INVALID_PARAM', `stream(): batchRows must be a positive integer, not ${size}.`);
  return size;
}
