/**
 * How an alert moves between evaluations (server/alerts/transitions.ts), without a warehouse
 * or a clock: it waits its rule's forMinutes, fires once, re-notifies at most every
 * renotifyMinutes, resolves when the condition clears, and is left alone when its rule
 * could not be judged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { transition, type RuleOutcome } from '../../server/alerts/transitions.js';
import type { AlertRow } from '../../server/alerts/state.js';
import type { Finding } from '../../server/alerts/rule.js';

const T0 = new Date('2026-11-27T09:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const finding = (pipeline = 'meetings', summary = 'meetings: 42 authentication failures'): Finding => ({ pipeline, summary, details: { refusals: 42 } });
const outcome = (findings: Finding[] | null, extra: Partial<RuleOutcome> = {}): RuleOutcome => ({
  enabled: true,
  forMinutes: 0,
  severity: 'error',
  check: findings === null ? null : { findings },
  ...extra,
});

/** Runs evaluations one after another, carrying the rows over. */
function evaluations(renotifyMinutes = 240) {
  let rows = new Map<string, AlertRow>();
  return (minute: number, outcomes: Parameters<typeof transition>[1]) => {
    const result = transition(rows, outcomes, at(minute), renotifyMinutes);
    rows = result.rows;
    return { ...result, row: (key = 'authFailures:meetings') => rows.get(key) };
  };
}

describe('alert transitions', () => {
  test('with forMinutes 0 an alert fires at the first evaluation that finds it, keyed by rule and pipeline', () => {
    const step = evaluations();
    const first = step(0, { authFailures: outcome([finding()]) });
    assert.deepEqual(first.notifications, [{ key: 'authFailures:meetings', kind: 'fire' }]);
    const row = first.row();
    assert.equal(row?.status, 'firing');
    assert.equal(row?.rule, 'authFailures');
    assert.equal(row?.pipeline, 'meetings');
    assert.equal(row?.notifyCount, 1);
    assert.deepEqual(row?.firstFiredAt, at(0));
    assert.deepEqual([...first.changed], ['authFailures:meetings']);
  });

  test('with forMinutes it waits pending until the condition has held that long, and a condition that clears before then leaves no alert', () => {
    const step = evaluations();
    const held = { authFailures: outcome([finding()], { forMinutes: 10 }) };
    assert.deepEqual(step(0, held).notifications, []);
    assert.equal(step(5, held).row()?.status, 'pending');
    const fired = step(10, held);
    assert.deepEqual(fired.notifications, [{ key: 'authFailures:meetings', kind: 'fire' }]);
    assert.deepEqual(fired.row()?.firstFiredAt, at(10));

    const other = evaluations();
    other(0, held);
    const cleared = other(3, { authFailures: outcome([], { forMinutes: 10 }) });
    assert.deepEqual(cleared.removed, ['authFailures:meetings']);
    assert.equal(cleared.row(), undefined);
    assert.deepEqual(cleared.notifications, []);
  });

  test('a firing alert is re-notified at most every renotifyMinutes, and keeps its summary up to date in between', () => {
    const step = evaluations(30);
    step(0, { authFailures: outcome([finding()]) });
    const quiet = step(20, { authFailures: outcome([finding('meetings', 'meetings: 80 authentication failures')]) });
    assert.deepEqual(quiet.notifications, []);
    assert.equal(quiet.row()?.summary, 'meetings: 80 authentication failures');
    const again = step(30, { authFailures: outcome([finding()]) });
    assert.deepEqual(again.notifications, [{ key: 'authFailures:meetings', kind: 'renotify' }]);
    assert.equal(again.row()?.notifyCount, 2);
    assert.deepEqual(step(45, { authFailures: outcome([finding()]) }).notifications, []);
    assert.deepEqual(step(60, { authFailures: outcome([finding()]) }).notifications, [{ key: 'authFailures:meetings', kind: 'renotify' }]);
  });

  test('renotifyMinutes 0 never re-notifies', () => {
    const step = evaluations(0);
    step(0, { authFailures: outcome([finding()]) });
    assert.deepEqual(step(100_000, { authFailures: outcome([finding()]) }).notifications, []);
  });

  test('an alert resolves when its rule no longer finds it, once', () => {
    const step = evaluations();
    step(0, { authFailures: outcome([finding()]) });
    const resolved = step(6, { authFailures: outcome([]) });
    assert.deepEqual(resolved.notifications, [{ key: 'authFailures:meetings', kind: 'resolve' }]);
    assert.equal(resolved.row()?.status, 'resolved');
    assert.deepEqual(resolved.row()?.resolvedAt, at(6));
    assert.deepEqual(step(7, { authFailures: outcome([]) }).notifications, []);
  });

  test('a rule that could not be evaluated, or a pipeline it reports unknown, leaves the alert as it is; a rule switched off resolves it', () => {
    const step = evaluations();
    step(0, { authFailures: outcome([finding()]), sourceFreshness: outcome([finding('voice')]) });
    const failed = step(5, { authFailures: outcome(null), sourceFreshness: { ...outcome([]), check: { findings: [], unknown: ['voice'] } } });
    assert.deepEqual(failed.notifications, []);
    assert.equal(failed.row()?.status, 'firing');
    assert.equal(failed.row('sourceFreshness:voice')?.status, 'firing');
    const off = step(6, { authFailures: outcome([], { enabled: false }) });
    assert.deepEqual(off.notifications, [{ key: 'authFailures:meetings', kind: 'resolve' }]);
  });

  test('firing again after a resolve is a new occurrence: announced again, counters and deliveries start over', () => {
    const step = evaluations();
    const first = step(0, { authFailures: outcome([finding()]) });
    const row = first.row() as AlertRow;
    row.deliveries.pagerduty = { state: 'resolved', lastSentAt: at(1).toISOString(), ref: { dedupKey: row.key }, error: null, failures: 0 };
    step(5, { authFailures: outcome([]) });
    const again = step(60, { authFailures: outcome([finding()]) });
    assert.deepEqual(again.notifications, [{ key: 'authFailures:meetings', kind: 'fire' }]);
    assert.equal(again.row()?.notifyCount, 1);
    assert.deepEqual(again.row()?.firstFiredAt, at(60));
    assert.equal(again.row()?.resolvedAt, null);
    assert.deepEqual(again.row()?.deliveries, {});
  });

  test('a resolved alert whose condition comes back and clears again within forMinutes stays resolved, with its last occurrence', () => {
    const step = evaluations();
    const held = (findings: Finding[]) => ({ authFailures: outcome(findings, { forMinutes: 10 }) });
    step(0, held([finding()]));
    step(10, held([finding()]));
    step(20, held([]));
    assert.equal(step(30, held([finding()])).row()?.status, 'pending');
    const back = step(35, held([]));
    assert.deepEqual(back.removed, []);
    assert.equal(back.row()?.status, 'resolved');
    assert.deepEqual(back.row()?.firstFiredAt, at(10));
    assert.deepEqual(back.notifications, []);
  });
});
