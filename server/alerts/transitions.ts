/**
 * How alerts move, evaluation after evaluation; a pure function of the rows, what the rules
 * found and the time, so that it is tested without a warehouse or a clock:
 *
 *   (none) ──condition──▶ pending ──held forMinutes──▶ firing ──condition clears──▶ resolved
 *              │                 └─clears─▶ (deleted)      │ every renotifyMinutes:      │
 *              └── forMinutes 0: straight to firing        └── re-notified              └─condition again─▶ pending
 *
 * - A rule that could not be evaluated (its query failed, or the warehouse is down and only
 *   local rules ran) leaves its alerts as they are; so do the pipelines a rule reports as
 *   `unknown`.
 * - A rule switched off (`enabled: false`) resolves its firing alerts.
 * - Firing again after a resolve is a new occurrence: counters and deliveries start over.
 */
import type { AlertSeverity } from '../../core/config-alerts.js';
import type { AlertRuleId, RuleCheck } from './rule.js';
import { alertKey, type AlertRow } from './state.js';

/** What one rule gave this evaluation. */
export interface RuleOutcome {
  enabled: boolean;
  forMinutes: number;
  severity: AlertSeverity;
  /** null: not evaluated this time (failed, or not run). */
  check: RuleCheck | null;
}

export type Notification = { key: string; kind: 'fire' | 'renotify' | 'resolve' };

export interface Transition {
  /** Every row after the evaluation (removed ones left out), by key. */
  rows: Map<string, AlertRow>;
  /** Keys of rows that changed and are to be written. */
  changed: Set<string>;
  /** Keys of pending rows whose condition cleared before they fired: deleted. */
  removed: string[];
  notifications: Notification[];
}

/**
 * @param renotifyMinutes alerts.renotifyMinutes (0: never re-notify)
 * @example transition(rows, { authFailures: { enabled: true, forMinutes: 0, severity: 'error', check: { findings: [{ pipeline: 'meetings', … }] } } }, now, 240)
 */
export function transition(previous: ReadonlyMap<string, AlertRow>, outcomes: Partial<Record<AlertRuleId, RuleOutcome>>, now: Date, renotifyMinutes: number): Transition {
  const rows = new Map([...previous].map(([key, row]) => [key, { ...row }]));
  const changed = new Set<string>();
  const removed: string[] = [];
  const notifications: Notification[] = [];
  const ms = now.getTime();

  const fire = (row: AlertRow): void => {
    Object.assign(row, { status: 'firing', firstFiredAt: now, lastNotifiedAt: now, resolvedAt: null, notifyCount: 1, deliveries: {} });
    notifications.push({ key: row.key, kind: 'fire' });
  };

  for (const [id, outcome] of Object.entries(outcomes) as Array<[AlertRuleId, RuleOutcome]>) {
    if (outcome.check === null) continue;
    const active = new Set<string>();
    if (outcome.enabled) {
      for (const finding of outcome.check.findings) {
        const key = alertKey(id, finding.pipeline);
        active.add(key);
        changed.add(key);
        const current = rows.get(key);
        const facts = { severity: outcome.severity, summary: finding.summary, details: finding.details, updatedAt: now };
        if (current === undefined || current.status === 'resolved') {
          const row: AlertRow = {
            // A new occurrence of a resolved alert keeps its last occurrence's dates until it fires.
            ...(current ?? { key, rule: id, pipeline: finding.pipeline, firstFiredAt: null, lastNotifiedAt: null, resolvedAt: null, notifyCount: 0, deliveries: {} }),
            ...facts,
            status: 'pending',
            pendingSince: now,
          };
          rows.set(key, row);
          if (outcome.forMinutes <= 0) fire(row);
          continue;
        }
        Object.assign(current, facts);
        if (current.status === 'pending') {
          if (ms - (current.pendingSince ?? now).getTime() >= outcome.forMinutes * 60_000) fire(current);
        } else if (renotifyMinutes > 0 && ms - (current.lastNotifiedAt ?? now).getTime() >= renotifyMinutes * 60_000) {
          current.lastNotifiedAt = now;
          current.notifyCount += 1;
          notifications.push({ key, kind: 'renotify' });
        }
      }
    }
    const unknown = new Set((outcome.enabled ? (outcome.check.unknown ?? []) : []).map((pipeline) => alertKey(id, pipeline)));
    for (const row of rows.values()) {
      if (row.rule !== id || active.has(row.key) || unknown.has(row.key)) continue;
      if (row.status === 'pending') {
        changed.add(row.key);
        if (row.firstFiredAt === null) {
          rows.delete(row.key);
          changed.delete(row.key);
          removed.push(row.key);
        } else {
          Object.assign(row, { status: 'resolved', pendingSince: null, updatedAt: now }); // back to its last occurrence, resolved
        }
      } else if (row.status === 'firing') {
        Object.assign(row, { status: 'resolved', resolvedAt: now, pendingSince: null, updatedAt: now });
        changed.add(row.key);
        notifications.push({ key: row.key, kind: 'resolve' });
      }
    }
  }
  return { rows, changed, removed, notifications };
}
