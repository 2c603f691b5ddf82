/**
 * What an alert rule is: a check that reads facts (the drainer's state, control tables, raw
 * tables) and says which pipelines are in trouble right now. The rules do not remember
 * anything; transitions.ts turns what they find, evaluation after evaluation, into alerts
 * that fire (after the rule's `forMinutes`), re-notify and resolve.
 */
import type { AlertRuleId, AlertsConfig } from '../../core/config-alerts.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { MissedWebhooks } from '../../ingest/pulls/reconciliation-check.js';

export type { AlertRuleId } from '../../core/config-alerts.js';

/** One pipeline in trouble. */
export interface Finding {
  /** What the alert is about: a family (`meetings`), `sync:<name>`, `pull:<source>`, `models`, `drain`. */
  pipeline: string;
  /** One line for a page or a subject, e.g. `meetings: 42 authentication failures in 5 min (alert at 10)`. */
  summary: string;
  /** The numbers behind it, kept in `_alerts.details` and sent along (PagerDuty `custom_details`). */
  details: Record<string, unknown>;
}

/** What one rule found in one evaluation. */
export interface RuleCheck {
  findings: Finding[];
  /**
   * Pipelines the rule could not judge this time (their facts are out of its reach): their
   * alerts neither fire nor resolve. E.g. a family silent for longer than the freshness rule
   * looks back.
   */
  unknown?: string[];
}

/** The drainer's state, as this process sees it. */
export interface DrainFacts {
  /** True while a waiting backlog has not moved for drain.stallAfterSeconds. */
  stalled: boolean;
  stalledForSeconds: number;
  stallAfterSeconds: number;
  backlogBytes: number;
  /** spool.maxBytes */
  maxBytes: number;
  /** The warehouse's last error, when the drainer's last write failed. */
  warehouseError: string | null;
}

/** Everything a rule may read. */
export interface RuleContext {
  now: Date;
  warehouse: Warehouse;
  rawSchema: string;
  modelsSchema: string;
  /** The webhook families served, e.g. `[{ family: 'meetings', table: 'meetings_events' }]`. */
  families: ReadonlyArray<{ family: string; table: string }>;
  /** The configured syncs and pull sources (what is no longer configured does not alert). */
  syncs: readonly string[];
  pullSources: readonly string[];
  drain: () => DrainFacts;
  /** The reconciliation check's breaches now; null without a pull source (nothing to reconcile). */
  reconciliation: (() => Promise<MissedWebhooks[]>) | null;
  /** Whether `schema.name` exists (read once per evaluation). */
  has(schema: string, name: string): boolean;
  signal: AbortSignal;
}

/** The settings of rule `id`, as configured. */
export type RuleSettings<Id extends AlertRuleId> = AlertsConfig['rules'][Id];

export interface AlertRule<Id extends AlertRuleId = AlertRuleId> {
  id: Id;
  /** One line for the README and `GET /alerts`, e.g. `authentication failures per family`. */
  title: string;
  /** True when it reads only this process's state (no warehouse): it still runs while the warehouse is down. */
  local?: boolean;
  check(ctx: RuleContext, settings: RuleSettings<Id>): Promise<RuleCheck>;
}

/** `n thing`/`n things`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `30 s`, `5 min`, `1 h`, `3.2 h`, `2 d`. */
export function span(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes % 60 === 0 || minutes >= 120) {
    const hours = Math.round((minutes / 60) * 10) / 10;
    return hours >= 48 ? `${Math.round((hours / 24) * 10) / 10} d` : `${hours} h`;
  }
  return `${Math.round(minutes * 10) / 10} min`;
}
