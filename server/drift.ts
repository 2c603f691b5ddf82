/**
 * Schema drift as `serve` wires it (ingest/drift/): what it learns from (every raw event
 * table that exists), how samples are redacted (`models.pii` and its hash salt), the syncs whose errors
 * are destination drift, and the Prometheus counter. Kept out of the composition root so that
 * it stays a list of parts.
 */
import type { Registry } from 'prom-client';
import type { ConfigFile } from '../core/config-schema.js';
import { driftCounter } from '../ingest/drift/metrics.js';
import { FAMILY_TABLES } from '../ingest/families/family.js';
import { PULL_ONLY_TABLES } from '../ingest/raw-tables.js';
import { SchemaDrift } from '../ingest/drift/schema-drift.js';
import { listDrift, type DriftRow } from '../ingest/drift/store.js';
import { PII_SALT_ENV } from '../sql/engine/from-config.js';
import type { Warehouse } from '../sql/warehouse.js';
import { outcomesTable, runsTable } from '../sync/state.js';

export interface SchemaDriftParts {
  /** The job's work; null when drift.enabled is false or drift.schedule is off. */
  job: SchemaDrift | null;
  /** GET /drift's reader (answers whether or not the job runs: rows recorded before stay). */
  list: (filter: { since?: Date; family?: string; kind?: string; limit?: number }) => Promise<DriftRow[]>;
}

export function schemaDriftFor(file: ConfigFile, warehouse: Warehouse, env: NodeJS.ProcessEnv, registry: Registry): SchemaDriftParts {
  const schemas = { rawSchema: file.warehouse.rawSchema, modelsSchema: file.models.schema };
  const list: SchemaDriftParts['list'] = (filter) => listDrift(warehouse, warehouse.dialect, schemas.modelsSchema, filter);
  const onFound = driftCounter(registry); // on /metrics (at 0) even when the job is off
  if (!file.drift.enabled || file.drift.schedule === 'off') return { job: null, list };
  const job = new SchemaDrift({
    warehouse,
    schemas,
    // Every raw event table a version has made (a disabled family's rows stay learnable); missing ones are skipped.
    tables: [...new Set([...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES])],
    settings: file.drift,
    policy: { phone: file.models.pii.phone, body: file.models.pii.body, hashSalt: env[PII_SALT_ENV] ?? '' },
    destinations: {
      outcomes: outcomesTable,
      runs: runsTable,
      syncs: new Map(file.syncs.map((s) => [s.name, { destination: s.destination, object: s.object }])),
    },
    onFound,
  });
  return { job, list };
}
