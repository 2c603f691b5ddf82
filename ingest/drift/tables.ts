/**
 * The tables of schema drift, created by migration `ingest/0004_schema_drift`:
 *
 * - `<rawSchema>._schema_paths`: what has been learned, one row per (family, event type,
 *   path, type). The row of path `$` counts the events learned of the type.
 * - `<rawSchema>._schema_drift_watermarks`: how far each source has been read (each raw event
 *   table by `landed_at` and `dedupe_key`; the syncs' outcomes and runs by their time).
 * - `<models.schema>.schema_drift` (`analytics.schema_drift`): the drift itself, for analysts,
 *   alerts and the console, next to the models' `sb_run_results`.
 */
import type { TableSpec } from '../../sql/dialect.js';

/** What a drift row records. */
export type DriftKind = 'path_added' | 'path_missing' | 'type_changed' | 'possible_rename' | 'destination_field';

export const DRIFT_KINDS: readonly DriftKind[] = ['path_added', 'path_missing', 'type_changed', 'possible_rename', 'destination_field'];

export function schemaPathsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_schema_paths',
    primaryKey: ['family', 'event_type', 'path', 'type'],
    columns: [
      { name: 'family', type: 'text', nullable: false },
      { name: 'event_type', type: 'text', nullable: false },
      /** e.g. `$.participants[].name` (ingest/drift/flatten.ts) */
      { name: 'path', type: 'text', nullable: false },
      /** string, number, boolean, object, array or null */
      { name: 'type', type: 'text', nullable: false },
      /** `landed_at` of the first and last learned event that had it. */
      { name: 'first_seen_at', type: 'timestamp', nullable: false },
      { name: 'last_seen_at', type: 'timestamp', nullable: false },
      /** Learned events that had it. */
      { name: 'seen_count', type: 'bigint', nullable: false },
      /** Ordinal (1, 2, …) among the learned events of its type of the first and last event that had it. */
      { name: 'first_event', type: 'bigint', nullable: false },
      { name: 'last_event', type: 'bigint', nullable: false },
      /**
       * Where its current presence began (its first event, or the event it came back in after
       * it was recorded missing), and in how many events it has been seen since: how regular
       * it is, for path_missing.
       */
      { name: 'since_event', type: 'bigint', nullable: false },
      { name: 'seen_since', type: 'bigint', nullable: false },
      /** `path_added` or `type_changed` when its arrival was recorded as drift (later events add to that row's count); else NULL. */
      { name: 'drift_kind', type: 'text' },
      /** When it was recorded missing (path_missing or possible_rename); NULL again once it reappears. */
      { name: 'missing_since', type: 'timestamp' },
    ],
  };
}

export function driftWatermarksTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_schema_drift_watermarks',
    primaryKey: ['source'],
    columns: [
      /** A raw event table (`meetings_events`), or `sync:outcomes` / `sync:runs`. */
      { name: 'source', type: 'text', nullable: false },
      /** Everything up to this time (and, at it, up to `last_key`) has been read. */
      { name: 'read_to', type: 'timestamp', nullable: false },
      { name: 'last_key', type: 'text', nullable: false },
      { name: 'updated_at', type: 'timestamp', nullable: false },
    ],
  };
}

export function schemaDriftTable(modelsSchema: string): TableSpec {
  return {
    schema: modelsSchema,
    name: 'schema_drift',
    primaryKey: ['drift_id'],
    columns: [
      /** Stable: the same drift found again (a rerun, a path that goes missing twice) is the same row. */
      { name: 'drift_id', type: 'text', nullable: false },
      /** The 8x8 family; for destination_field, the destination (`salesforce`, `zendesk`, `slack`). */
      { name: 'family', type: 'text' },
      /** The event type; for destination_field, the sync's object (`Task`, `tickets`, a channel). */
      { name: 'event_type', type: 'text' },
      /** path_added | path_missing | type_changed | possible_rename | destination_field */
      { name: 'kind', type: 'text', nullable: false },
      /** The JSON path (the new one, for a rename); for destination_field, the field the destination refused. */
      { name: 'path', type: 'text' },
      { name: 'old_type', type: 'text' },
      { name: 'new_type', type: 'text' },
      /** possible_rename: the path that stopped appearing. */
      { name: 'renamed_from', type: 'text' },
      { name: 'first_seen_at', type: 'timestamp', nullable: false },
      { name: 'last_seen_at', type: 'timestamp', nullable: false },
      { name: 'count', type: 'bigint', nullable: false },
      /** One value, redacted (ingest/drift/redact.ts); for destination_field, the destination's code. */
      { name: 'sample', type: 'text' },
      /** destination_field: the sync's name. */
      { name: 'destination', type: 'text' },
    ],
  };
}
