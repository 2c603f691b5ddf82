/**
 * GET /alerts?status=firing|resolved|all&limit= (role read): the alerts of `<rawSchema>._alerts`,
 * firing first, then the most recently changed, `{ alerts: Row[] }`, a Row being the table's
 * row (snake_case, timestamps as ISO strings, `details` and `deliveries` as objects), e.g.
 *   { "alert_key": "authFailures:meetings", "rule": "authFailures", "pipeline": "meetings",
 *     "status": "firing", "severity": "error", "summary": "meetings: 42 authentication failures …",
 *     "details": { "refusals": 42, … }, "first_fired_at": "2026-11-27T09:15:00.000Z",
 *     "last_notified_at": "…", "resolved_at": null, "notify_count": 1,
 *     "deliveries": { "pagerduty": { "state": "fired", … } }, "updated_at": "…" }
 * `all` (the default) is firing and resolved; `pending` lists those whose condition holds
 * for less than their rule's forMinutes.
 *
 * POST /alerts/test { route: slack|email|pagerduty } (role operate): sends a test
 * notification through that route, `{ route, ok: true, detail }`; a route that is not
 * configured answers 400 SB_ALERT_ROUTE_NOT_CONFIGURED, one that fails 502
 * SB_ALERT_ROUTE_FAILED with the service's answer.
 */
import type { FastifyInstance } from 'fastify';
import { ALERT_ROUTE_NAMES, type AlertRouteName } from '../../core/config-alerts.js';
import { errorBody } from '../../ingest/errors.js';
import type { AlertService } from '../alerts/alert-service.js';
import { writeRowOf, type AlertRow } from '../alerts/state.js';

export interface AlertRoutesOptions {
  /** Null when alerts.enabled is false: the list is empty and tests are refused. */
  alerts: AlertService | null;
}

export async function alertRoutes(app: FastifyInstance, options: AlertRoutesOptions): Promise<void> {
  app.get(
    '/alerts',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['firing', 'resolved', 'pending', 'all'] }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } },
        },
      },
    },
    async (request) => {
      const { status = 'all', limit = 500 } = request.query as { status?: 'firing' | 'resolved' | 'pending' | 'all'; limit?: number };
      if (options.alerts === null) return { alerts: [] };
      return { alerts: (await options.alerts.store.list(status, limit)).map(rowJson) };
    },
  );

  app.post(
    '/alerts/test',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['route'], properties: { route: { type: 'string', enum: [...ALERT_ROUTE_NAMES] } } } } },
    async (request, reply) => {
      const { route } = request.body as { route: AlertRouteName };
      if (options.alerts === null) {
        return reply.code(400).send(errorBody('SB_ALERT_ROUTE_NOT_CONFIGURED', 'Alerts are off (alerts.enabled: false); turn them on and configure alerts.routes.'));
      }
      try {
        return { route, ok: true, detail: await options.alerts.test(route) };
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        if (code === 'SB_ALERT_ROUTE_NOT_CONFIGURED') return reply.code(400).send(errorBody(code, message));
        return reply.code(502).send(errorBody(code === 'SB_ALERT_ROUTE_FAILED' ? code : 'SB_ALERT_ROUTE_FAILED', message));
      }
    },
  );
}

/** The table's row; its dates serialise as ISO text. */
function rowJson(row: AlertRow): Record<string, unknown> {
  return writeRowOf(row);
}
