/**
 * The signals' in-memory half, without a warehouse: the latency sketch's percentiles, the
 * per-minute counters the landing path, builds, syncs and pulls feed (on a mocked clock), the
 * spool's record count, the ratios, and the flush's cron.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencySketch, RELATIVE_ACCURACY } from '../../server/signals/sketch.js';
import { keyParts, MINUTE_MS, SignalCollector, type MinuteSignals } from '../../server/signals/collector.js';
import { spoolRecords, type SpoolCounts } from '../../server/signals/backlog.js';
import { ratiosOf } from '../../server/signals/read.js';
import { flushCron } from '../../server/signals/job.js';
import { eventTimeMs } from '../../ingest/families/event-time.js';
import type { RawEventRecord } from '../../ingest/records.js';
import type { RunResults } from '../../sql/engine/run.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import { mockClock } from '../helpers/clock.js';

/** The exact nearest-rank percentile of `values`. */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

function within(actual: number, expected: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * RELATIVE_ACCURACY + 1e-9, `${message}: ${actual} is not within 1 % of ${expected}`);
}

function event(family: string, eventType: string, receivedAt: number): RawEventRecord {
  return { k: 'event', deliveryId: 'd', family, table: `${family}_events`, eventType, dedupeKey: 'k', body: '{}', headers: {}, receivedAt, ip: '127.0.0.1', verifiedBy: 'test' };
}

/** A minute's throughput as `{ 'stage/pipeline/type': counts }` and latency as `{ 'stage/pipeline': samples }`. */
function view(minute: MinuteSignals | undefined): { throughput: Record<string, unknown>; samples: Record<string, number> } {
  assert.ok(minute !== undefined, 'the minute was counted');
  return {
    throughput: Object.fromEntries([...minute.throughput].map(([k, v]) => [keyParts(k).join('/'), v])),
    samples: Object.fromEntries([...minute.latency].map(([k, v]) => [keyParts(k).join('/'), v.count])),
  };
}

describe('the latency sketch', () => {
  test('p50, p95 and p99 of 10 000 spread values are within 1 % of the exact ones, and the maximum is exact', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 3 + ((i * 7919) % 10_000) * 1.37);
    const sketch = new LatencySketch();
    for (const v of values) sketch.add(v);
    const p = sketch.percentiles();
    assert.equal(p.samples, 10_000);
    within(p.p50, exact(values, 0.5), 'p50');
    within(p.p95, exact(values, 0.95), 'p95');
    within(p.p99, exact(values, 0.99), 'p99');
    assert.equal(p.max, Math.max(...values));
  });

  test('values added with a count weigh as that many samples; sub-millisecond and negative values count as 0', () => {
    const sketch = new LatencySketch();
    sketch.add(-250); // an event time a little ahead of our clock
    sketch.add(0.4);
    sketch.add(1000, 97);
    sketch.add(60_000);
    assert.equal(sketch.count, 100);
    assert.equal(sketch.quantile(0.01), 0);
    assert.equal(sketch.quantile(0.02), 0);
    within(sketch.quantile(0.5), 1000, 'p50');
    within(sketch.quantile(0.99), 1000, 'p99');
    assert.equal(sketch.quantile(1), 60_000, 'the top rank never reads above the exact maximum');
  });

  test('merging two sketches gives the percentiles of all their values; an empty one reads 0', () => {
    const a = new LatencySketch();
    const b = new LatencySketch();
    for (let i = 1; i <= 500; i++) a.add(i);
    for (let i = 501; i <= 1000; i++) b.add(i);
    a.merge(b);
    assert.equal(a.count, 1000);
    within(a.quantile(0.5), 500, 'p50 after merge');
    within(a.quantile(0.95), 950, 'p95 after merge');
    assert.equal(a.max, 1000);
    assert.deepEqual(new LatencySketch().percentiles(), { samples: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('the collector, minute by minute', () => {
  test('the landing path: event → received at acceptance, landed events and received → landed per family and event type, refusals by kind', (t) => {
    const clock = mockClock(t, ['Date']);
    const start = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS; // a minute boundary ahead
    clock.setTime(start + 5_000);
    const c = new SignalCollector();
    const received = Date.now();
    c.accepted(event('messaging', 'SMS.inbound_message_received', received), received - 1_500);
    c.accepted(event('meetings', 'PARTICIPANT_JOINED', received), undefined); // no event time: no sample
    c.refused('voice', '', 'dead_letter');
    c.refused('messaging', 'SMS.inbound_message_received', 'retry');
    c.refused('messaging', '', 'failure');
    clock.tick(20_000);
    c.landed([event('messaging', 'SMS.inbound_message_received', received), event('messaging', 'SMS.inbound_message_received', received), event('voice', 'CALL_STATUS', received)], Date.now());
    c.drainFailed([event('voice', 'CALL_STATUS', received)]);
    c.quarantined('voice');

    assert.deepEqual(c.take(), [], 'the minute has not ended: nothing to write yet');
    clock.tick(MINUTE_MS);
    const [minute, ...rest] = c.take();
    assert.equal(rest.length, 0);
    assert.equal(minute?.minute, start);
    const { throughput, samples } = view(minute);
    assert.deepEqual(throughput, {
      'landing/voice/': { events: 0, retries: 0, deadLetters: 2, failures: 0 },
      'landing/messaging/SMS.inbound_message_received': { events: 2, retries: 1, deadLetters: 0, failures: 0 },
      'landing/messaging/': { events: 0, retries: 0, deadLetters: 0, failures: 1 },
      'landing/voice/CALL_STATUS': { events: 1, retries: 1, deadLetters: 0, failures: 0 },
    });
    assert.deepEqual(samples, { 'event_to_received/messaging': 1, 'received_to_landed/messaging': 2, 'received_to_landed/voice': 1 });
    within(minute?.latency.get('event_to_received\u0000messaging')?.quantile(0.5) ?? 0, 1_500, 'event → received');
    within(minute?.latency.get('received_to_landed\u0000voice')?.quantile(0.5) ?? 0, 20_000, 'received → landed');
    assert.deepEqual(c.take(), [], 'taken minutes are gone');
    assert.deepEqual(c.totals.get('landing\u0000messaging'), { events: 2, retries: 1, deadLetters: 0, failures: 1 }, 'the totals since start (for /metrics) keep them');
  });

  test('each count goes to the minute it happened in; a failed write puts minutes back, merged with what came since', (t) => {
    const clock = mockClock(t, ['Date']);
    const start = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    clock.setTime(start + 59_000);
    const c = new SignalCollector();
    c.landed([event('voice', 'CALL_STATUS', Date.now() - 100)], Date.now());
    clock.tick(2_000); // into the next minute
    c.landed([event('voice', 'CALL_STATUS', Date.now() - 100)], Date.now());
    clock.tick(MINUTE_MS);
    const taken = c.take();
    assert.deepEqual(taken.map((m) => m.minute), [start, start + MINUTE_MS]);
    c.landed([event('voice', 'CALL_STATUS', start + 10_000)], start + 30_000); // a late report of the first minute
    c.putBack(taken);
    const again = c.take();
    assert.deepEqual(again.map((m) => m.minute), [start, start + MINUTE_MS]);
    assert.equal(again[0]?.throughput.get('landing\u0000voice\u0000CALL_STATUS')?.events, 2);
    assert.equal(again[0]?.latency.get('received_to_landed\u0000voice')?.count, 2);
    assert.equal(c.take({ all: true }).length, 0);
  });

  test('take({ all: true }) takes the minute still running too (the shutdown flush)', (t) => {
    mockClock(t, ['Date']);
    const c = new SignalCollector();
    c.quarantined('voice');
    assert.equal(c.take().length, 0);
    assert.equal(c.take({ all: true }).length, 1);
  });

  test('at most maxMinutes wait unflushed; older minutes are dropped and counted', (t) => {
    const clock = mockClock(t, ['Date']);
    const c = new SignalCollector({ maxMinutes: 3 });
    for (let i = 0; i < 5; i++) {
      c.quarantined('voice');
      clock.tick(MINUTE_MS);
    }
    assert.equal(c.dropped, 2);
    assert.equal(c.take().length, 3);
  });

  test('builds count models built and failed at the build\'s finish, and wait to be measured; test runs count nothing', () => {
    const c = new SignalCollector();
    const finishedAt = '2026-01-05T10:00:30.000Z';
    const node = (n: string, kind: 'model' | 'test', status: RunResults['results'][number]['status']) => ({ node: n, kind, status, rows: 1, seconds: 0.1, materialized: null, message: '' });
    const results: RunResults = {
      runId: 'r1', command: 'build', startedAt: '2026-01-05T10:00:00.000Z', finishedAt, seconds: 30, success: false,
      results: [node('model.calls', 'model', 'success'), node('test.unique_calls_call_id', 'test', 'fail'), node('model.messages', 'model', 'error'), node('model.meetings', 'model', 'skipped')],
    };
    c.buildFinished(results);
    c.buildFinished({ ...results, runId: 'r2', command: 'test' });
    const { throughput } = view(c.take({ all: true })[0]);
    assert.deepEqual(throughput, {
      'build/calls/': { events: 1, retries: 0, deadLetters: 0, failures: 0 },
      'build/messages/': { events: 0, retries: 0, deadLetters: 0, failures: 1 },
      'build/meetings/': { events: 0, retries: 0, deadLetters: 0, failures: 1 },
    });
    const { builds } = c.takeMeasurements();
    assert.deepEqual(builds.map((b) => [b.runId, b.models, b.finishedAt]), [['r1', ['calls'], Date.parse(finishedAt)]]);
  });

  test('sync runs count sent, retrying, refused, and what a failed run left; dry runs nothing; pulls count records and failed runs', () => {
    const c = new SignalCollector();
    const run = (over: Partial<SyncRunResult>): SyncRunResult => ({
      runId: 's1', sync: 'calls_to_slack', destination: 'slack', dryRun: false, status: 'partial', planned: { create: 10, update: 0, delete: 0, skip: 1 },
      sent: 6, rejected: 2, retrying: 1, skipped: 1, samples: [], error: null, startedAt: '2026-01-05T10:01:00.000Z', finishedAt: '2026-01-05T10:01:05.000Z', seconds: 5, ...over,
    });
    c.syncFinished(run({}));
    c.syncFinished(run({ runId: 's2', status: 'failed', sent: 0, rejected: 0, retrying: 0, skipped: 0, error: { code: 'SB_SYNC_FAILED', message: 'down' } }));
    c.syncFinished(run({ runId: 's3', dryRun: true }));
    c.pullFinished('work-calls', { runId: 'p1', source: 'work-calls', mode: 'scheduled', from: '', to: '', status: 'success', pages: 2, landed: 40, resumed: false, skipped: [], notes: [], error: null, startedAt: '', finishedAt: '2026-01-05T10:01:10.000Z', seconds: 1 });
    c.pullFinished('work-calls', null);
    const minutes = c.take({ all: true });
    const sync = minutes.map((m) => m.throughput.get('sync\u0000calls_to_slack\u0000')).find((x) => x !== undefined);
    assert.deepEqual(sync, { events: 6, retries: 1, deadLetters: 2, failures: 11 }, 'the failed run left its 11 planned records');
    const pulls = minutes.flatMap((m) => [...m.throughput].filter(([k]) => k.startsWith('pull')).map(([, v]) => v));
    assert.deepEqual(pulls.reduce((a, b) => ({ events: a.events + b.events, retries: 0, deadLetters: 0, failures: a.failures + b.failures })), { events: 40, retries: 0, deadLetters: 0, failures: 1 });
    assert.deepEqual(c.takeMeasurements().syncs.map((s) => s.runId), ['s1'], 'only runs that sent something are measured');
  });
});

describe('the spool\'s waiting records', () => {
  test('appended − drained, re-based whenever the spool is seen empty; estimated from the bytes until then', () => {
    let counts: SpoolCounts = { bytes: 5_000, appended: 0, appendedBytes: 0, drained: 0 };
    const records = spoolRecords(() => counts);
    assert.equal(records(), 5, 'records from before the start: estimated at 1 KiB each');
    counts = { bytes: 0, appended: 10, appendedBytes: 5_000, drained: 15 };
    assert.equal(records(), 0, 'empty: exactly 0, and the 5 old records are accounted for');
    counts = { bytes: 1_500, appended: 13, appendedBytes: 6_500, drained: 15 };
    assert.equal(records(), 3);
  });
});

describe('ratios', () => {
  test('per stage and pipeline over the window, as shares of every unit counted; pairs that counted nothing are left out', () => {
    const row = (pipeline: string, events: number, retries: number, dead: number, failures: number) => ({ minute: 'm', stage: 'landing', pipeline, event_type: '', events, retries, dead_letters: dead, failures });
    assert.deepEqual(ratiosOf([row('voice', 6, 1, 2, 1), row('voice', 2, 1, 0, 0), row('meetings', 0, 0, 0, 0)]), [
      { stage: 'landing', pipeline: 'voice', success: 8 / 13, retry: 2 / 13, deadLetter: 2 / 13 },
    ]);
  });
});

describe('the flush job\'s schedule and event times', () => {
  test('signals.flushSeconds becomes a cron on the minute\'s boundary', () => {
    assert.equal(flushCron(60), '0 * * * * *');
    assert.equal(flushCron(15), '*/15 * * * * *');
    assert.equal(flushCron(300), '0 */5 * * * *');
  });

  test('8x8 times read as epoch ms: ISO in UTC (up to 7 fraction digits, cut), offsets, epoch seconds and ms', () => {
    assert.equal(eventTimeMs('2025-03-04T10:03:12.6030893Z'), Date.parse('2025-03-04T10:03:12.603Z'));
    assert.equal(eventTimeMs('2025-03-04T07:06:52.345-0500'), Date.parse('2025-03-04T12:06:52.345Z'));
    assert.equal(eventTimeMs(1741087911), 1741087911000);
    assert.equal(eventTimeMs(1632490058278), 1632490058278);
    assert.equal(eventTimeMs('not a time'), undefined);
    assert.equal(eventTimeMs(undefined), undefined);
  });
});
