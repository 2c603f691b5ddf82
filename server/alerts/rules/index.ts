/**
 * Every alert rule, by id: the config's `alerts.rules.<id>` (core/config-alerts.ts). A rule
 * is one object implementing AlertRule (../rule.ts); adding one is its file, its config
 * keys, and one line here.
 */
import type { AlertRuleId } from '../../../core/config-alerts.js';
import type { AlertRule } from '../rule.js';
import { backlogHigh, drainStalled } from './drain.js';
import { authFailures, rejectionSpike } from './rejections.js';
import { sourceFreshness, volumeDrop } from './volume.js';
import { reconciliationMissed, schemaDrift } from './drift.js';
import { buildFailures, pullFailures, syncFailures } from './runs.js';
import { deadLetters } from './dead-letters.js';
import { staleSources } from './freshness.js';

export const ALERT_RULES: { readonly [Id in AlertRuleId]: AlertRule<Id> } = {
  drainStalled,
  backlogHigh,
  rejectionSpike,
  authFailures,
  volumeDrop,
  schemaDrift,
  reconciliationMissed,
  syncFailures,
  pullFailures,
  buildFailures,
  deadLetters,
  sourceFreshness,
  staleSources,
};
