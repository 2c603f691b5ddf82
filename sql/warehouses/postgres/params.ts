/** Switchboard's SqlParam values as pg binds them. */
import type { SqlParam } from '../../warehouse.js';
import { epochMillisParam } from '../values.js';

/**
 * Parameters as pg should send them: Dates as ISO UTC (pg would use the process' local
 * offset and drop nothing, but ISO is unambiguous in logs), bigints as decimal text.
 */
export function pgParams(params: readonly SqlParam[]): unknown[] | undefined {
  // No values → pg uses the simple protocol, which also runs `a; b` scripts, as on DuckDB.
  if (params.length === 0) return undefined;
  return params.map((p) => (p instanceof Date ? new Date(epochMillisParam(p)).toISOString() : typeof p === 'bigint' ? p.toString() : p));
}
