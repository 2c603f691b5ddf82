/**
 * A seed's CSV values checked against their column's type and written in one canonical text
 * that DuckDB, Postgres, BigQuery and Snowflake all cast the same way, so a value that loads
 * never fails or changes in the warehouse.
 */
import type { SeedColumnType } from './model.js';

/**
 * The canonical text of `raw` as a value of `type`; null for an empty field (NULL); undefined
 * when it is not one. Text is kept as written; other types ignore spaces around the value.
 * - bigint, integer: whole numbers in 64 and 32 bits (`42`, `-7`, `+3`; not `1.0`).
 * - double: decimal or exponent notation (`1.5`, `-.5`, `2e-3`), finite.
 * - boolean: `true` or `false`, any case.
 * - timestamp: `2025-03-04`, `2025-03-04 10:02`, `2025-03-04T10:02:11.123456`, with an
 *   optional zone (`Z`, `+07:00`, `-0500`, `+03`); without one it is UTC. Fractions past the
 *   microsecond are cut, as core/normalize/time.ts cuts them.
 * @example seedValue(' 42 ', 'bigint') → '42'
 * @example seedValue('2025-03-04T17:02:11+07:00', 'timestamp') → '2025-03-04 10:02:11+00:00'
 * @example seedValue('', 'integer') → null
 */
export function seedValue(raw: string, type: SeedColumnType): string | null | undefined {
  if (raw === '') return null;
  if (type === 'text') return raw;
  const value = raw.trim();
  if (value === '') return null;
  switch (type) {
    case 'bigint':
      return wholeNumber(value, 63n);
    case 'integer':
      return wholeNumber(value, 31n);
    case 'double': {
      if (!/^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$/.test(value)) return undefined;
      const number = Number(value);
      return Number.isFinite(number) ? String(number) : undefined;
    }
    case 'boolean':
      return /^(true|false)$/i.test(value) ? value.toLowerCase() : undefined;
    case 'timestamp':
      return utcTimestamp(value);
  }
}

/** A whole number within ±2^bits (two's complement), without a leading `+` or zeros. */
function wholeNumber(value: string, bits: bigint): string | undefined {
  if (!/^[-+]?[0-9]+$/.test(value)) return undefined;
  const number = BigInt(value);
  return number >= -(2n ** bits) && number < 2n ** bits ? number.toString() : undefined;
}

const TIMESTAMP = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.]([0-9]{1,9}))?)?(?: ?(Z|[-+][0-9]{2}(?::?[0-9]{2})?))?)?$/i;

/** `YYYY-MM-DD HH:MM:SS[.ffffff]+00:00`, the instant in UTC; undefined for an impossible date or time. */
function utcTimestamp(value: string): string | undefined {
  const match = TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone] = match as unknown as [string, string, string, string, string?, string?, string?, string?, string?];
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // 2025-02-30
  date.setUTCHours(hour, minute, second, 0);
  const offset = zoneMinutes(zone);
  if (offset === undefined) return undefined;
  const utc = new Date(date.getTime() - offset * 60_000);
  if (utc.getUTCFullYear() < 1 || utc.getUTCFullYear() > 9999) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  const micros = fraction === undefined ? '' : `.${fraction.slice(0, 6)}`;
  return `${String(utc.getUTCFullYear()).padStart(4, '0')}-${two(utc.getUTCMonth() + 1)}-${two(utc.getUTCDate())} ${two(utc.getUTCHours())}:${two(utc.getUTCMinutes())}:${two(utc.getUTCSeconds())}${micros}+00:00`;
}

/** `Z` or none → 0; `+07:00`, `-0500`, `+03` → minutes east of UTC; undefined past ±15:59. */
function zoneMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 15 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
