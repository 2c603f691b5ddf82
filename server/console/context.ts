/**
 * What every console page may read: the services the operator API's JSON routes use (the
 * status report, the warehouse), the in-process API for the routes themselves (dead letters,
 * drift, alerts, runs), and who is asking. Built once per request by routes.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { AdminPrincipal } from '../admin-tokens.js';
import type { StatusReport } from '../status-report.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { OperatorApi } from './api.js';

/** The console's settings, from the server's config (server/switchboard-server.ts passes them). */
export interface ConsoleSettings {
  /** warehouse.rawSchema, e.g. `raw`. */
  rawSchema: string;
  /** models.schema, e.g. `analytics`: run results, reconciliation_daily and the signal tables. */
  modelsSchema: string;
  /** pulls.reconciliation: the share above which a day is flagged; null when no pull source is on. */
  reconciliation: { missedShareAlert: number; minEvents: number } | null;
  /** Why no alert rule is evaluated, e.g. `alerts.enabled: false`; null when alerts are on. */
  alertsOff: string | null;
  /** Why no schema drift is learned, e.g. `drift.enabled: false` or `drift.schedule: off`; null when the drift job runs. */
  driftOff: string | null;
}

export interface ConsoleServices {
  status: () => Promise<StatusReport>;
  warehouse: Warehouse;
  settings: ConsoleSettings;
  /** The clock (tests pass a fixed one). */
  now: () => Date;
}

export interface PageContext extends ConsoleServices {
  request: FastifyRequest;
  principal: AdminPrincipal;
  api: OperatorApi;
  /** The time the page's data is read at. */
  at: Date;
}

/** Whether the signed-in token may run things (replay, dry-run previews). */
export function mayOperate(ctx: Pick<PageContext, 'principal'>): boolean {
  return ctx.principal.role === 'operate';
}

/** A query parameter as one string (the first when repeated), or undefined. */
export function param(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** A form field as a list of strings (a repeated field, or one). */
export function field(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}
