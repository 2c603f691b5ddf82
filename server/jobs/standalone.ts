/**
 * A one-off run outside `serve`: the CLI when no server answers on this machine
 * (`switchboard build`, `sync`, `pull`). It still takes the job's lease, so that it never
 * overlaps a run of the same job on a `serve` process elsewhere on the same warehouse; a
 * job held there is refused with the job's own busy error, naming the node.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../../core/config-schema.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { JobHistory } from './history.js';
import { JobLeases, nodeId } from './leases.js';
import { JobRunner, type JobContext, type JobDefinition } from './runner.js';

export async function runAsJob<T>(warehouse: Warehouse, file: ConfigFile, definition: JobDefinition<T>, work: (ctx: JobContext) => Promise<T>, logger: Logger): Promise<T> {
  const runner = new JobRunner({
    leases: new JobLeases({ warehouse, rawSchema: file.warehouse.rawSchema, node: nodeId(file.jobs.nodeName), ttlMs: file.jobs.leaseSeconds * 1000 }),
    history: new JobHistory(warehouse, file.warehouse.rawSchema),
    deadlineMs: file.jobs.deadlineMinutes * 60_000,
    logger,
  });
  runner.define(definition);
  try {
    return await runner.run(definition.name, work, definition.outcome);
  } finally {
    await runner.stop();
  }
}
