/**
 * `switchboard_schema_drift_total{family,kind}`: drift found by this process since it started
 * (each new row of `schema_drift`, and each time a path goes missing again). Registered on the
 * server's registry (ingest/metrics.ts), served at GET /metrics.
 */
import { Counter, type Registry } from 'prom-client';
import type { DriftRecord } from './learner.js';

export function driftCounter(registry: Registry): (record: DriftRecord) => void {
  const counter = new Counter({
    name: 'switchboard_schema_drift_total',
    help: 'Schema drift found, by family (for destination_field: the destination) and kind (path_added, path_missing, type_changed, possible_rename, destination_field).',
    labelNames: ['family', 'kind'],
    registers: [registry],
  });
  return (record) => counter.inc({ family: record.family ?? '', kind: record.kind });
}
