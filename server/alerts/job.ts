/**
 * The `alerts` job: one evaluation of the rules that read the warehouse (alert-service.ts)
 * per tick of `alerts.schedule`, on one node at a time like every job. Its deadline is
 * `alerts.deliveryTimeoutSeconds` plus a minute for the rules' queries, so a slow route can
 * never hold the job for long; what it could not deliver goes out at the next tick.
 */
import type { Logger } from 'pino';
import { SwitchboardError } from '../../core/errors.js';
import type { JobDefinition } from '../jobs/job.js';
import type { AlertService, EvaluationSummary } from './alert-service.js';

export const ALERTS_JOB = 'alerts';

export function alertsJob(service: AlertService, settings: { schedule: string; deliveryTimeoutSeconds: number }, logger: Logger): JobDefinition<EvaluationSummary> {
  return {
    name: ALERTS_JOB,
    kind: 'check',
    schedule: settings.schedule,
    scheduleKey: 'alerts.schedule',
    logger,
    label: 'alert evaluation',
    busyReason: 'the previous evaluation is still delivering',
    failedMessage: 'alert evaluation failed; the next tick tries again',
    schedulesLabel: 'alert evaluations',
    command: 'alerts.schedule',
    deadlineMs: (settings.deliveryTimeoutSeconds + 60) * 1000,
    async scheduled(ctx) {
      const summary = await service.evaluate(ctx.signal);
      if (summary.fired + summary.resolved + summary.renotified > 0) {
        logger.info(summary, `alerts: ${summary.firing} firing (${summary.fired} fired, ${summary.renotified} re-notified, ${summary.resolved} resolved)`);
      }
      return summary;
    },
    outcome: (summary) => ({ status: summary.failedRules.length === 0 ? 'success' : 'partial', summary: { ...summary } }),
    busy: (where) =>
      new SwitchboardError(
        'SB_ALERT_EVALUATION_RUNNING',
        where === null ? 'An alert evaluation is already running here; one runs at a time.' : `An alert evaluation is already running on ${where}; one runs at a time.`,
      ),
  };
}
