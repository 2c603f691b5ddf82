/** A job runner over one warehouse, as serve builds it (server/switchboard-server.ts), for tests of single jobs. */
import pino, { type Logger } from 'pino';
import type { Warehouse } from '../../sql/warehouse.js';
import { JobRunner, type JobDefinition } from '../../server/jobs/runner.js';
import { JobLeases, nodeId } from '../../server/jobs/leases.js';
import { JobHistory } from '../../server/jobs/history.js';

export function jobRunner<R>(
  warehouse: Warehouse,
  definitions: ReadonlyArray<JobDefinition<R>>,
  options: { rawSchema?: string; logger?: Logger; leaseSeconds?: number } = {},
): JobRunner {
  const rawSchema = options.rawSchema ?? 'raw';
  const runner = new JobRunner({
    leases: new JobLeases({ warehouse, rawSchema, node: nodeId(), ttlMs: (options.leaseSeconds ?? 60) * 1000 }),
    history: new JobHistory(warehouse, rawSchema),
    deadlineMs: 60 * 60_000,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  for (const definition of definitions) runner.define(definition);
  return runner;
}
