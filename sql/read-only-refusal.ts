/**
 * How Warehouse.readOnlyQuery (`switchboard sql`, the operator API's POST /sql) refuses what
 * is not one read: one code, SB_SQL_NOT_READ_ONLY, and one wording on every warehouse, so an
 * analyst who types `DELETE …` learns the same thing wherever it runs: nothing was changed,
 * and where writes go instead. Each warehouse decides *whether* a query reads (DuckDB by the
 * parsed statement type, Postgres inside a cursor); this file only says it.
 */
import { SqlError } from './errors.js';

/**
 * @param what what the query is, e.g. `a DELETE`, `2 statements`
 * @example throw notReadOnly('a DELETE')
 *   → SB_SQL_NOT_READ_ONLY: switchboard sql only reads, and this query is a DELETE: refused, nothing was changed. …
 */
export function notReadOnly(what: string, cause?: unknown): SqlError {
  return new SqlError(
    'SB_SQL_NOT_READ_ONLY',
    `switchboard sql only reads, and this query is ${what}: refused, nothing was changed. Give one SELECT (or WITH … SELECT, VALUES). ` +
      'Writes belong in models (the .sql files in models.dir, built by switchboard build), settings in the config.',
    cause === undefined ? {} : { cause },
  );
}

/** The first keyword of `sql`, lower-cased, past comments and opening parentheses: `select`, `delete`, … ('' for none). */
export function leadingKeyword(sql: string): string {
  return /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*([a-z]*)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
}

/** Keywords a read may start with, on some warehouse (`from` and `pivot`: DuckDB's FROM-first syntax). */
export const READ_KEYWORDS: ReadonlySet<string> = new Set(['select', 'with', 'values', 'table', 'from', 'pivot', 'unpivot']);

/** `a DELETE`, `an INSERT`: the statement named by its keyword. */
export function statementNamed(keyword: string): string {
  if (keyword === '') return 'not a statement that reads';
  const upper = keyword.toUpperCase().replaceAll('_', ' ');
  return `${/^[AEIOU]/.test(upper) ? 'an' : 'a'} ${upper}`;
}
