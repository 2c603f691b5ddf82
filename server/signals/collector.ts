/**
 * The signals' hot half: counters and latency sketches per minute, kept in memory and fed by
 * the landing path (as its LandingObserver and DrainObserver), by finished builds, syncs and
 * pulls. Nothing here touches the warehouse; the flush (flush.ts) takes the closed minutes
 * once a minute and writes them, with what needs SQL to measure.
 *
 * Each count goes to the minute in which it happened: an event's landing to the minute it
 * was landed, a refusal to the minute it was answered, a build's models to the minute it
 * finished.
 */
import type { DrainObserver, LandingObserver, RefusalKind } from '../../ingest/landing-observer.js';
import type { RawEventRecord } from '../../ingest/records.js';
import type { PullRunResult } from '../../ingest/pulls/runner.js';
import type { RunResults } from '../../sql/engine/run.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import { LatencySketch } from './sketch.js';

export const MINUTE_MS = 60_000;

/** Where throughput is counted (`sb_signal_throughput.stage`). */
export type ThroughputStage = 'landing' | 'build' | 'sync' | 'pull';
/** Which stretch of an event's way a latency measures (`sb_signal_latency.stage`). */
export type LatencyStage = 'event_to_received' | 'received_to_landed' | 'landed_to_curated' | 'curated_to_destination';

/** One row of throughput: what a stage did with a pipeline's units in a minute. */
export interface Counts {
  events: number;
  retries: number;
  deadLetters: number;
  failures: number;
}
export type CountField = keyof Counts;

/** Everything counted in one minute. Keys join their parts with NUL (no name can hold one). */
export interface MinuteSignals {
  /** Epoch ms of the minute's start. */
  minute: number;
  /** `stage␀pipeline␀eventType` → counts. */
  throughput: Map<string, Counts>;
  /** `stage␀pipeline` → sketch. */
  latency: Map<string, LatencySketch>;
}

/** A finished build whose landed → curated latency the flush measures (SQL on the curated tables). */
export interface BuildToMeasure {
  runId: string;
  startedAt: number;
  finishedAt: number;
  /** The models it built successfully. */
  models: readonly string[];
  attempts: number;
}

/** A finished sync run whose curated → destination latency the flush measures (SQL on its outcomes). */
export interface SyncToMeasure {
  sync: string;
  runId: string;
  startedAt: number;
  finishedAt: number;
  attempts: number;
}

export interface CollectorOptions {
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
  /** Most minutes kept unflushed (a warehouse down for long); older ones are dropped, counted in `dropped`. Default 1440. */
  maxMinutes?: number;
}

const SEP = '\u0000';
/** Longest event type kept; longer ones (not 8x8's) are cut. */
const MAX_NAME = 200;

export function throughputKey(stage: ThroughputStage, pipeline: string, eventType: string): string {
  return `${stage}${SEP}${pipeline}${SEP}${eventType}`;
}
export function latencyKey(stage: LatencyStage, pipeline: string): string {
  return `${stage}${SEP}${pipeline}`;
}
/** The parts of a key, in order. */
export function keyParts(key: string): string[] {
  return key.split(SEP);
}

function zero(): Counts {
  return { events: 0, retries: 0, deadLetters: 0, failures: 0 };
}

const REFUSAL_FIELD: Readonly<Record<RefusalKind, CountField>> = { retry: 'retries', dead_letter: 'deadLetters', failure: 'failures' };

export class SignalCollector implements LandingObserver, DrainObserver {
  private readonly minutes = new Map<number, MinuteSignals>();
  /** The minute counted last, so that the hot path finds it without a lookup. */
  private last: MinuteSignals | null = null;
  /** Since start, per `stage␀pipeline`: what /metrics serves. */
  readonly totals = new Map<string, Counts>();
  /** Per `stage␀pipeline`, the percentiles of the last minute written (the flush sets them): /metrics. */
  readonly latest = new Map<string, { p50: number; p95: number; p99: number }>();
  private builds: BuildToMeasure[] = [];
  private syncs: SyncToMeasure[] = [];
  /** Minutes dropped unflushed because more than maxMinutes waited. */
  dropped = 0;
  readonly now: () => number;

  constructor(private readonly options: CollectorOptions = {}) {
    this.now = options.now ?? ((): number => Date.now());
  }

  // ---- counting ------------------------------------------------------------------------

  /** Adds `n` to one field of a throughput row of the minute of `at`. */
  count(stage: ThroughputStage, pipeline: string, eventType: string, field: CountField, n: number, at: number = this.now()): void {
    if (!(n > 0)) return;
    const rows = this.bucket(at).throughput;
    // A key column: keep it within what every warehouse indexes (an event type is a few dozen characters).
    const key = throughputKey(stage, pipeline, eventType.length > MAX_NAME ? eventType.slice(0, MAX_NAME) : eventType);
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = zero()));
    row[field] += n;
    const totalKey = `${stage}${SEP}${pipeline}`;
    let total = this.totals.get(totalKey);
    if (total === undefined) this.totals.set(totalKey, (total = zero()));
    total[field] += n;
  }

  /** Adds `count` samples of `ms` to a latency of the minute of `at`. */
  latency(stage: LatencyStage, pipeline: string, ms: number, at: number = this.now(), count = 1): void {
    this.sketch(this.bucket(at), this.keyOf(stage, pipeline)).add(ms, count);
  }

  /** The latency key of a stage and pipeline, made once: the landing path asks for it per event. */
  private keyOf(stage: LatencyStage, pipeline: string): string {
    let byPipeline = this.keys.get(stage);
    if (byPipeline === undefined) this.keys.set(stage, (byPipeline = new Map()));
    let key = byPipeline.get(pipeline);
    if (key === undefined) byPipeline.set(pipeline, (key = latencyKey(stage, pipeline)));
    return key;
  }

  private readonly keys = new Map<LatencyStage, Map<string, string>>();

  // ---- the landing path (LandingObserver, DrainObserver) --------------------------------

  accepted(record: RawEventRecord, eventAt: number | undefined): void {
    if (eventAt !== undefined) this.latency('event_to_received', record.family, record.receivedAt - eventAt, record.receivedAt);
  }

  refused(family: string, eventType: string, kind: RefusalKind): void {
    this.count('landing', family, eventType, REFUSAL_FIELD[kind], 1);
  }

  landed(events: readonly RawEventRecord[], landedAt: number): void {
    const minute = this.bucket(landedAt);
    let family = '';
    let sketch: LatencySketch | null = null;
    for (const event of events) {
      if (event.family !== family || sketch === null) {
        family = event.family;
        sketch = this.sketch(minute, this.keyOf('received_to_landed', family));
      }
      sketch.add(landedAt - event.receivedAt);
    }
    this.countEvents(events, 'events', landedAt);
  }

  drainFailed(events: readonly RawEventRecord[]): void {
    this.countEvents(events, 'retries', this.now());
  }

  /** Counts `events` into `field`, one row per family and event type (summed first: a batch holds a handful of them). */
  private countEvents(events: readonly RawEventRecord[], field: CountField, at: number): void {
    const counts = new Map<string, Map<string, number>>();
    for (const { family, eventType } of events) {
      let byType = counts.get(family);
      if (byType === undefined) counts.set(family, (byType = new Map()));
      byType.set(eventType, (byType.get(eventType) ?? 0) + 1);
    }
    for (const [family, byType] of counts) for (const [eventType, n] of byType) this.count('landing', family, eventType, field, n, at);
  }

  quarantined(family: string): void {
    this.count('landing', family, '', 'deadLetters', 1);
  }

  // ---- builds, syncs, pulls ---------------------------------------------------------------

  /** A finished `build` (a `test` run builds nothing): each model built is one event of its pipeline; one that errored or was skipped, one failure. */
  buildFinished(results: RunResults): void {
    if (results.command !== 'build') return;
    const at = Date.parse(results.finishedAt);
    const built: string[] = [];
    for (const result of results.results) {
      if (result.kind !== 'model') continue;
      const model = result.node.replace(/^model\./, '');
      if (result.status === 'success') {
        built.push(model);
        this.count('build', model, '', 'events', 1, at);
      } else this.count('build', model, '', 'failures', 1, at);
    }
    if (built.length > 0) this.builds.push({ runId: results.runId, startedAt: Date.parse(results.startedAt), finishedAt: at, models: built, attempts: 0 });
  }

  /**
   * A finished sync run (dry runs count nothing): records sent are events, records still
   * retrying retries, records refused dead letters; a failed run counts the records it did not
   * get to as failures (at least one).
   */
  syncFinished(result: SyncRunResult): void {
    if (result.dryRun) return;
    const at = Date.parse(result.finishedAt);
    const { sync } = result;
    this.count('sync', sync, '', 'events', result.sent, at);
    this.count('sync', sync, '', 'retries', result.retrying, at);
    this.count('sync', sync, '', 'deadLetters', result.rejected, at);
    if (result.status === 'failed') {
      const planned = Object.values(result.planned).reduce((a, b) => a + b, 0);
      this.count('sync', sync, '', 'failures', Math.max(1, planned - result.sent - result.rejected - result.skipped - result.retrying), at);
    }
    if (result.sent > 0) this.syncs.push({ sync, runId: result.runId, startedAt: Date.parse(result.startedAt), finishedAt: at, attempts: 0 });
  }

  /** A pull run that ended: records landed are events; a failed run (or one that threw) is one failure. */
  pullFinished(source: string, result: PullRunResult | null): void {
    const at = result === null ? this.now() : Date.parse(result.finishedAt);
    if (result !== null) this.count('pull', source, '', 'events', result.landed, at);
    if (result === null || result.status === 'failed') this.count('pull', source, '', 'failures', 1, at);
  }

  // ---- for the flush ------------------------------------------------------------------------

  /** Removes and returns the minutes that have ended by `now` (all of them with `all`), oldest first. */
  take(options: { all?: boolean } = {}): MinuteSignals[] {
    const current = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const taken = [...this.minutes.values()].filter((m) => options.all === true || m.minute < current).sort((a, b) => a.minute - b.minute);
    for (const m of taken) this.minutes.delete(m.minute);
    this.last = null;
    return taken;
  }

  /** Puts minutes a failed write took back, merged with what was counted since. */
  putBack(minutes: readonly MinuteSignals[]): void {
    for (const m of minutes) {
      const into = this.bucket(m.minute);
      for (const [key, counts] of m.throughput) {
        const row = into.throughput.get(key);
        if (row === undefined) into.throughput.set(key, counts);
        else for (const field of Object.keys(counts) as CountField[]) row[field] += counts[field];
      }
      for (const [key, sketch] of m.latency) this.sketch(into, key).merge(sketch);
    }
  }

  /** Removes and returns the builds and syncs waiting to be measured. */
  takeMeasurements(): { builds: BuildToMeasure[]; syncs: SyncToMeasure[] } {
    const taken = { builds: this.builds, syncs: this.syncs };
    this.builds = [];
    this.syncs = [];
    return taken;
  }

  /** Gives back a measurement that could not be made now (the warehouse did not answer), for the next flush. */
  retryMeasurement(item: { kind: 'build'; build: BuildToMeasure } | { kind: 'sync'; sync: SyncToMeasure }): void {
    if (item.kind === 'build') this.builds.push({ ...item.build, attempts: item.build.attempts + 1 });
    else this.syncs.push({ ...item.sync, attempts: item.sync.attempts + 1 });
  }

  private bucket(at: number): MinuteSignals {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const last = this.last;
    if (last !== null && last.minute === minute) return last;
    let signals = this.minutes.get(minute);
    if (signals === undefined) {
      signals = { minute, throughput: new Map(), latency: new Map() };
      this.minutes.set(minute, signals);
      this.bound();
    }
    this.last = signals;
    return signals;
  }

  private sketch(minute: MinuteSignals, key: string): LatencySketch {
    let sketch = minute.latency.get(key);
    if (sketch === undefined) minute.latency.set(key, (sketch = new LatencySketch()));
    return sketch;
  }

  /** Keeps at most maxMinutes: a warehouse down for a day must not grow memory without end. */
  private bound(): void {
    const max = this.options.maxMinutes ?? 1440;
    if (this.minutes.size <= max) return;
    const oldest = Math.min(...this.minutes.keys());
    this.minutes.delete(oldest);
    if (this.last?.minute === oldest) this.last = null;
    this.dropped += 1;
  }
}
