/**
 * The flush as a job of the job runner (server/jobs): `signals:<node name>`, on a cron made
 * from signals.flushSeconds. One job per serve process, not one for all: each process counts
 * its own landing in memory, so each must write it (a shared job would run on one node per
 * tick and leave the others' counts unwritten). Rows of one minute from several processes
 * add up (tables.ts).
 */
import type { Logger } from 'pino';
import { SwitchboardError } from '../../core/errors.js';
import type { JobDefinition } from '../jobs/runner.js';
import type { FlushSummary, SignalFlusher } from './flush.js';

export const signalsJob = (nodeName: string): string => `signals:${nodeName}`;

/**
 * The cron for a flush every `seconds` (node-cron, seconds first), on the minute's boundary
 * so that a flush comes right after each minute ends.
 * @example flushCron(60) → '0 * * * * *'; flushCron(15) → '*\/15 * * * * *'; flushCron(300) → '0 *\/5 * * * *'
 */
export function flushCron(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  const minutes = seconds / 60;
  return minutes === 1 ? '0 * * * * *' : `0 */${minutes} * * * *`;
}

export function signalsJobFor(options: { flusher: SignalFlusher; nodeName: string; flushSeconds: number; logger: Logger }): JobDefinition<FlushSummary> {
  const { flusher, logger } = options;
  return {
    name: signalsJob(options.nodeName),
    kind: 'check',
    schedule: flushCron(options.flushSeconds),
    scheduleKey: 'signals.flushSeconds',
    logger,
    label: 'signals flush',
    busyReason: 'the previous flush is still writing',
    failedMessage: 'signals flush failed; the counts are kept in memory and written by the next flush',
    schedulesLabel: 'signal flushes',
    async scheduled() {
      const summary = await flusher.flush();
      logger.debug({ ...summary }, `signals flushed: ${summary.minutes} minute(s), ${summary.throughputRows} throughput and ${summary.latencyRows} latency rows`);
      return summary;
    },
    outcome: (summary) => ({
      status: 'success',
      summary: { minutes: summary.minutes, throughputRows: summary.throughputRows, latencyRows: summary.latencyRows, pruned: summary.pruned },
    }),
    busy: (where) =>
      new SwitchboardError(
        'SB_SIGNALS_FLUSH_RUNNING',
        where === null ? 'A signals flush is already running in this process; the next one writes what it leaves.' : `A signals flush of this node is running on ${where}; give each serve process its own jobs.nodeName.`,
        { configKey: 'jobs.nodeName' },
      ),
  };
}
