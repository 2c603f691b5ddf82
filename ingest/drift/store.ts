/**
 * Reading and writing the drift tables (tables.ts): the learned paths of a type, the
 * watermarks, and drift rows. A drift row is upserted by its stable id: a new one is
 * inserted, a known one gains `count` and moves `last_seen_at` (its first sample is kept).
 */
import type { MergeRule, SqlDialect } from '../../sql/dialect.js';
import type { Queryable, SqlRow } from '../../sql/warehouse.js';
import type { DriftRecord, PathState } from './learner.js';
import { redactSample, type SamplePolicy } from './redact.js';
import { driftWatermarksTable, schemaDriftTable, schemaPathsTable } from './tables.js';

/** How far a source has been read: up to `at`, and at `at` up to `key`. */
export interface Watermark {
  at: Date;
  key: string;
}

/** Before anything: read from the start. */
export const START: Watermark = { at: new Date(0), key: '' };

const PATH_RULES: Readonly<Record<string, MergeRule>> = {
  last_seen_at: 'replace',
  seen_count: 'replace',
  last_event: 'replace',
  since_event: 'replace',
  seen_since: 'replace',
  drift_kind: 'replace',
  missing_since: 'replace',
};

const DRIFT_RULES: Readonly<Record<string, MergeRule>> = {
  first_seen_at: 'least',
  last_seen_at: 'greatest',
  count: 'add',
};

/** Where the drift tables are: `warehouse.rawSchema` and `models.schema`. */
export interface DriftSchemas {
  rawSchema: string;
  modelsSchema: string;
}

/** The learned rows of one type. */
export async function loadLearned(q: Queryable, d: SqlDialect, rawSchema: string, family: string, eventType: string): Promise<PathState[]> {
  const t = schemaPathsTable(rawSchema);
  const rows = await q.all(
    `SELECT path, type, first_seen_at, last_seen_at, seen_count, first_event, last_event, since_event, seen_since, drift_kind, missing_since FROM ${d.tableName(t.schema, t.name)} ` +
      `WHERE family = ${d.param(1)} AND event_type = ${d.param(2)}`,
    [family, eventType],
  );
  return rows.map((r) => ({
    path: String(r.path),
    type: String(r.type),
    firstSeenAt: new Date(String(r.first_seen_at)),
    lastSeenAt: new Date(String(r.last_seen_at)),
    seenCount: Number(r.seen_count),
    firstEvent: Number(r.first_event),
    lastEvent: Number(r.last_event),
    sinceEvent: Number(r.since_event),
    seenSince: Number(r.seen_since),
    driftKind: r.drift_kind === 'path_added' || r.drift_kind === 'type_changed' ? r.drift_kind : null,
    missingSince: r.missing_since === null ? null : new Date(String(r.missing_since)),
  }));
}

export async function readWatermark(q: Queryable, d: SqlDialect, rawSchema: string, source: string): Promise<Watermark> {
  const t = driftWatermarksTable(rawSchema);
  const [row] = await q.all(`SELECT read_to, last_key FROM ${d.tableName(t.schema, t.name)} WHERE source = ${d.param(1)}`, [source]);
  return row === undefined ? START : { at: new Date(String(row.read_to)), key: String(row.last_key) };
}

/** What one batch changed. */
export interface DriftBatch {
  paths: ReadonlyArray<{ family: string; eventType: string; state: PathState }>;
  drift: readonly DriftRecord[];
  watermarks: ReadonlyArray<{ source: string; to: Watermark }>;
}

/**
 * Saves a batch: learned rows, drift rows (samples redacted under `policy`) and watermarks.
 * Run it in one transaction (`tx`): the watermark moves only with what was learned up to it,
 * so a run that fails reads the same rows again and records nothing twice.
 */
export async function saveBatch(tx: Queryable, schemas: DriftSchemas, batch: DriftBatch, policy: SamplePolicy, now: Date): Promise<void> {
  await tx.writeRows(
    schemaPathsTable(schemas.rawSchema),
    batch.paths.map(({ family, eventType, state: s }) => ({
      family,
      event_type: eventType,
      path: s.path,
      type: s.type,
      first_seen_at: s.firstSeenAt,
      last_seen_at: s.lastSeenAt,
      seen_count: s.seenCount,
      first_event: s.firstEvent,
      last_event: s.lastEvent,
      since_event: s.sinceEvent,
      seen_since: s.seenSince,
      drift_kind: s.driftKind,
      missing_since: s.missingSince,
    })),
    { onMatch: PATH_RULES },
  );
  await tx.writeRows(schemaDriftTable(schemas.modelsSchema), batch.drift.map((r) => driftRow(r, policy)), { onMatch: DRIFT_RULES });
  await tx.writeRows(
    driftWatermarksTable(schemas.rawSchema),
    batch.watermarks.map(({ source, to }) => ({ source, read_to: to.at, last_key: to.key, updated_at: now })),
    { onMatch: { read_to: 'replace', last_key: 'replace', updated_at: 'replace' } },
  );
}

/** A drift record as a row, its sample redacted. */
export function driftRow(r: DriftRecord, policy: SamplePolicy): Record<string, string | number | Date | null> {
  return {
    drift_id: r.driftId,
    family: r.family,
    event_type: r.eventType,
    kind: r.kind,
    path: r.path,
    old_type: r.oldType,
    new_type: r.newType,
    renamed_from: r.renamedFrom,
    first_seen_at: r.firstSeenAt,
    last_seen_at: r.lastSeenAt,
    count: r.count,
    sample: r.sample ?? (r.value === undefined ? null : redactSample(r.value, policy)),
    destination: r.destination,
  };
}

/** A row of `schema_drift` as GET /drift returns it (timestamps as ISO strings). */
export interface DriftRow {
  drift_id: string;
  family: string | null;
  event_type: string | null;
  kind: string;
  path: string | null;
  old_type: string | null;
  new_type: string | null;
  renamed_from: string | null;
  first_seen_at: string;
  last_seen_at: string;
  count: number;
  sample: string | null;
  destination: string | null;
}

/**
 * Drift rows seen since `since` (by `last_seen_at`), newest first (by `first_seen_at`).
 * @example await listDrift(wh, wh.dialect, 'analytics', { since: new Date(Date.now() - 86_400_000) })
 */
export async function listDrift(
  q: Queryable,
  d: SqlDialect,
  modelsSchema: string,
  filter: { since?: Date; family?: string; kind?: string; limit?: number } = {},
): Promise<DriftRow[]> {
  const t = schemaDriftTable(modelsSchema);
  const where: string[] = [];
  const params: Array<string | Date> = [];
  if (filter.since !== undefined) where.push(`last_seen_at >= ${d.typedParam(params.push(filter.since), 'timestamp')}`);
  if (filter.family !== undefined) where.push(`family = ${d.param(params.push(filter.family))}`);
  if (filter.kind !== undefined) where.push(`kind = ${d.param(params.push(filter.kind))}`);
  const limit = Math.max(1, Math.min(filter.limit ?? 500, 10_000));
  const rows: SqlRow[] = await q.all(
    `SELECT ${t.columns.map((c) => d.quoteIdent(c.name)).join(', ')} FROM ${d.tableName(t.schema, t.name)}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY first_seen_at DESC, drift_id LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => ({ ...r, count: Number(r.count) }) as unknown as DriftRow);
}
