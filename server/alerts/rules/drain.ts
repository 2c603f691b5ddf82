/**
 * The landing path's own state, as this process's drainer sees it (no warehouse needed, so
 * these two still alert while the warehouse is down; see alert-service.ts's watchdog):
 *
 * - `drainStalled`: a waiting backlog has not moved for `drain.stallAfterSeconds` (what turns
 *   /readyz to 503 and `switchboard_drain_stalled` to 1);
 * - `backlogHigh`: the spool backlog is above `maxShare` of `spool.maxBytes` (at 1, webhooks
 *   get 503).
 */
import { formatBytes } from '../../../core/format-bytes.js';
import type { AlertRule } from '../rule.js';

export const drainStalled: AlertRule<'drainStalled'> = {
  id: 'drainStalled',
  title: 'the drain has stopped moving the backlog into the warehouse',
  local: true,
  async check(ctx) {
    const drain = ctx.drain();
    if (!drain.stalled) return { findings: [] };
    const why = drain.warehouseError === null ? '' : `; the warehouse's last error: ${drain.warehouseError}`;
    return {
      findings: [
        {
          pipeline: 'drain',
          summary: `the drain has not moved ${formatBytes(drain.backlogBytes)} of backlog for ${Math.round(drain.stalledForSeconds / 60)} min (drain.stallAfterSeconds: ${drain.stallAfterSeconds})${why}`,
          details: { backlogBytes: drain.backlogBytes, stalledForSeconds: drain.stalledForSeconds, warehouseError: drain.warehouseError },
        },
      ],
    };
  },
};

export const backlogHigh: AlertRule<'backlogHigh'> = {
  id: 'backlogHigh',
  title: 'the spool backlog is above its bound',
  local: true,
  async check(ctx, settings) {
    const drain = ctx.drain();
    const bound = settings.maxShare * drain.maxBytes;
    if (drain.backlogBytes <= bound) return { findings: [] };
    const percent = Math.round((drain.backlogBytes / drain.maxBytes) * 1000) / 10;
    return {
      findings: [
        {
          pipeline: 'spool',
          summary: `the spool holds ${formatBytes(drain.backlogBytes)} not yet in the warehouse, ${percent} % of spool.maxBytes (alert above ${Math.round(settings.maxShare * 100)} %, alerts.rules.backlogHigh.maxShare); at 100 % webhooks get 503`,
          details: { backlogBytes: drain.backlogBytes, maxBytes: drain.maxBytes, share: drain.backlogBytes / drain.maxBytes },
        },
      ],
    };
  },
};
