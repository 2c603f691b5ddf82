/**
 * Destination drift: what the syncs' own errors already say about a destination's schema,
 * as `destination_field` rows of `schema_drift` (path = the field, destination = the sync).
 * Nothing is asked of the destination; the syncer's tables are read (their specs come from
 * the caller: ingest does not import sync/).
 *
 * What counts, and where it is read:
 * - Salesforce, a whole call refused (a run's error, `switchboard_sync.runs`):
 *   `INVALID_FIELD: No such column 'X' on entity 'Task'` (REST), and Bulk API 2.0's
 *   `InvalidBatch : Field name not found : X` (a field removed or renamed, or never there);
 * - Salesforce, one record refused (`switchboard_sync.outcomes`, status `rejected`):
 *   `INVALID_FIELD` and `INVALID_FIELD_FOR_INSERT_UPDATE` (`Unable to create/update fields: X`:
 *   the field became read-only for the integration user), fields from the error's `fields`;
 * - Zendesk: `SB_SYNC_ZENDESK_UNKNOWN_FIELD` (a mapped field the ticket API does not have);
 * - Slack: `channel_not_found` and `is_archived` (the channel the sync posts to is gone),
 *   path `channel:<id>`.
 *
 * Both tables are read by time, up to `cutoff` (the run's settle time), from a watermark per
 * table; the same refusal read again never happens, so counts are not inflated.
 */
import type { SqlDialect, TableSpec } from '../../sql/dialect.js';
import type { Queryable } from '../../sql/warehouse.js';
import { driftId, DriftRecords } from './learner.js';
import type { Watermark } from './store.js';

/** The syncer's tables and what each configured sync writes to. */
export interface DestinationSources {
  /** `switchboard_sync.outcomes` (sync/state.ts). */
  outcomes: TableSpec;
  /** `switchboard_sync.runs` (sync/state.ts). */
  runs: TableSpec;
  /** Each configured sync by name: its destination (`salesforce`) and object (`Task`). */
  syncs: ReadonlyMap<string, { destination: string; object: string }>;
}

export const OUTCOMES_SOURCE = 'sync:outcomes';
export const RUNS_SOURCE = 'sync:runs';

/** Per-record codes that name a field the destination refused. */
const RECORD_CODES = ['INVALID_FIELD', 'INVALID_FIELD_FOR_INSERT_UPDATE'];

/** Most rows (runs with an error, or groups of refused records) read per table and run. */
const MAX_ROWS = 10_000;

/**
 * The fields (or channels) a destination's error names as missing or unwritable, each with
 * the destination's code; empty when the error is about something else.
 * @example fieldsIn("SB_SYNC_SALESFORCE_REQUEST_REFUSED: … INVALID_FIELD: No such column 'Bogus__c' on sobject of type Task")
 *   → [{ field: 'Bogus__c', code: 'INVALID_FIELD' }]
 */
export function fieldsIn(text: string, code: string | null = null): Array<{ field: string; code: string }> {
  const found: Array<{ field: string; code: string }> = [];
  for (const m of text.matchAll(/No such column '([^']+)'/g)) found.push({ field: m[1] as string, code: 'INVALID_FIELD' });
  for (const m of text.matchAll(/Field name not found\s*:\s*([A-Za-z0-9_]+)/g)) found.push({ field: m[1] as string, code: 'InvalidBatch' });
  const unwritable = /Unable to create\/update fields: ([^.]+)\./.exec(text);
  if (unwritable !== null) for (const f of split(unwritable[1] as string)) found.push({ field: f, code: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
  const zendesk = /mapping names (.+?), which (?:is|are) not a Zendesk ticket field/.exec(text);
  if (zendesk !== null) for (const f of split(zendesk[1] as string)) found.push({ field: f, code: 'SB_SYNC_ZENDESK_UNKNOWN_FIELD' });
  for (const m of text.matchAll(/ in ([A-Z0-9]+): (channel_not_found|is_archived)\b/g)) found.push({ field: `channel:${m[1] as string}`, code: m[2] as string });
  if (found.length === 0 && code !== null && RECORD_CODES.includes(code)) {
    // A record's error: Salesforce's `fields`, which sync/destinations/salesforce/results.ts appends as `(A, B)`.
    const fields = /\(([A-Za-z0-9_, ]+)\)\s*$/.exec(text);
    for (const f of fields === null ? [] : split(fields[1] as string)) found.push({ field: f, code });
  }
  return found.filter((f, i) => found.findIndex((g) => g.field === f.field && g.code === f.code) === i);
}

function split(list: string): string[] {
  return list
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/**
 * Reads what the syncs recorded after the watermarks, up to `cutoff`, into `out`.
 * @returns the new watermarks; none when nothing was read
 */
export async function readDestinationDrift(
  q: Queryable,
  d: SqlDialect,
  sources: DestinationSources,
  marks: { outcomes: Watermark; runs: Watermark },
  cutoff: Date,
  out: DriftRecords,
): Promise<Array<{ source: string; to: Watermark }>> {
  const ts = (i: number): string => d.typedParam(i, 'timestamp');
  const add = (sync: string, destination: string | null, found: { field: string; code: string }, n: number, first: Date, last: Date): void => {
    const known = sources.syncs.get(sync);
    out.add({
      driftId: driftId(['destination_field', sync, found.field]),
      family: known?.destination ?? destination,
      eventType: known?.object ?? null,
      kind: 'destination_field',
      path: found.field,
      oldType: null,
      newType: null,
      renamedFrom: null,
      firstSeenAt: first,
      lastSeenAt: last,
      count: n,
      // The destination's code, not a value of any record: nothing to redact.
      sample: found.code,
      destination: sync,
      found: true,
    });
  };

  const runs = sources.runs;
  const failed = await q.all(
    `SELECT sync_name, destination, error_code, error, finished_at FROM ${d.tableName(runs.schema, runs.name)} ` +
      `WHERE error IS NOT NULL AND finished_at > ${ts(1)} AND finished_at <= ${ts(2)} ORDER BY finished_at LIMIT ${MAX_ROWS}`,
    [marks.runs.at, cutoff],
  );
  for (const r of failed) {
    const at = new Date(String(r.finished_at));
    for (const found of fieldsIn(String(r.error), r.error_code === null ? null : String(r.error_code))) add(String(r.sync_name), String(r.destination), found, 1, at, at);
  }

  const outcomes = sources.outcomes;
  const codes = RECORD_CODES.map((_, i) => d.param(i + 3)).join(', ');
  const refused = await q.all(
    `SELECT sync_name, code, reason, COUNT(*) AS n, MIN(recorded_at) AS first_at, MAX(recorded_at) AS last_at FROM ${d.tableName(outcomes.schema, outcomes.name)} ` +
      `WHERE status = 'rejected' AND recorded_at > ${ts(1)} AND recorded_at <= ${ts(2)} AND code IN (${codes}) ` +
      `GROUP BY sync_name, code, reason ORDER BY MIN(recorded_at) LIMIT ${MAX_ROWS}`,
    [marks.outcomes.at, cutoff, ...RECORD_CODES],
  );
  for (const r of refused) {
    for (const found of fieldsIn(String(r.reason ?? ''), String(r.code))) {
      add(String(r.sync_name), null, found, Number(r.n), new Date(String(r.first_at)), new Date(String(r.last_at)));
    }
  }
  // Nothing read: the watermarks stay (the next run reads from them again, finding only newer rows), so an idle run writes nothing.
  if (failed.length === 0 && refused.length === 0) return [];
  const to: Watermark = { at: cutoff, key: '' };
  return [
    { source: RUNS_SOURCE, to },
    { source: OUTCOMES_SOURCE, to },
  ];
}
