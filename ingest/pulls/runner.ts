/**
 * Runs one pull source over a range, with its cursor in the warehouse.
 *
 * Two kinds of run share the machinery:
 * - a **backfill** (`switchboard pull <source> --from … --to …`) has its own cursor, keyed
 *   `<source>@<from>/<to>`: running the same command again after a kill resumes it, and
 *   running it after it finished does nothing (`--restart` reads it again);
 * - a **scheduled** (incremental) run keys its cursor by the source's name alone. It first
 *   finishes the range a killed run left open; otherwise it reads from where the last run
 *   ended, minus `lookback` (8x8 finalises records late), up to now. The first run ever
 *   reaches back `initial`.
 *
 * The cursor is `{from, to, position, done}`; `position` belongs to the source. Each page
 * lands with its new position in one transaction (land.ts), so the cursor never runs ahead
 * of the data. Every run is recorded in `<rawSchema>._pull_runs` (status running, success,
 * failed, or interrupted: killed before it could say, found by the next run of the source).
 * A failed run also records the page it failed at in `<rawSchema>._pull_failures`
 * (failures.ts), until a run finishes that range.
 * The tables are made by the numbered migrations (ingest/migrations.ts) at start-up.
 */
import { randomUUID } from 'node:crypto';
import { abortableSleep } from '../../core/abortable-sleep.js';
import type { TableSpec } from '../../sql/dialect.js';
import type { Queryable, Warehouse } from '../../sql/warehouse.js';
import { SwitchboardError } from '../../core/errors.js';

import { landPage, preparePull, pullCursorsTable, readCursor, type PulledEvent, type PullTarget } from './land.js';
import { recordPullFailure, resolvePullFailures } from './failures.js';
import type { PullNote, PullProgress, PullRange, PullSource, PullStep, SkippedRange } from './source.js';

/** What `_pull_cursors.cursor` holds for a run's range. */
export interface RangeCursor<P = unknown> {
  from: string;
  to: string;
  position: P | null;
  done: boolean;
}

export type PullMode = 'backfill' | 'scheduled';

export interface PullRunOptions {
  rawSchema: string;
  /** A backfill's range; absent for a scheduled run. */
  range?: PullRange;
  /** Scheduled runs: re-read this far before where the last run ended (ms). */
  lookbackMs?: number;
  /** Scheduled runs: the first run reaches this far back from now (ms). */
  initialMs?: number;
  /** Backfills: forget a finished (or half-done) run of the same range and read it again. */
  restart?: boolean;
  /**
   * Backfills whose end was not given (`--from` alone: up to now). Their `to` differs on
   * every run, so a half-done backfill with the same `from` is resumed instead of a new one
   * started beside it.
   */
  openEnded?: boolean;
  signal?: AbortSignal;
  now?: Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onProgress?: (event: PullEvent) => void;
  runId?: string;
}

/** What a run reports as it goes (printed by the CLI, streamed by the operator API). */
export type PullEvent =
  | { phase: 'start'; source: string; mode: PullMode; from: string; to: string; resumed: boolean }
  | { phase: 'page'; source: string; progress: PullProgress }
  | { phase: 'waiting'; source: string; progress: PullProgress; note: string }
  | { phase: 'skipped'; source: string; skipped: SkippedRange };

export interface PullRunResult {
  runId: string;
  source: string;
  mode: PullMode;
  from: string;
  to: string;
  status: 'success' | 'failed' | 'nothing-to-do';
  pages: number;
  landed: number;
  /** The run continued a range a killed run had left open. */
  resumed: boolean;
  skipped: SkippedRange[];
  /** What the operator should know that did not stop the run, once each (printed in the summary). */
  notes: PullNote[];
  error: { code: string; message: string } | null;
  startedAt: string;
  finishedAt: string;
  seconds: number;
}

/** `<rawSchema>._pull_runs`: one row per run, for operators (`switchboard status`, SQL). */
export function pullRunsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_pull_runs',
    columns: [
      { name: 'run_id', type: 'text', nullable: false },
      { name: 'source', type: 'text', nullable: false },
      { name: 'mode', type: 'text', nullable: false },
      { name: 'range_from', type: 'timestamp', nullable: false },
      { name: 'range_to', type: 'timestamp', nullable: false },
      { name: 'status', type: 'text', nullable: false },
      { name: 'pages', type: 'integer', nullable: false },
      { name: 'landed', type: 'integer', nullable: false },
      { name: 'skipped', type: 'text', nullable: true },
      { name: 'error_code', type: 'text', nullable: true },
      { name: 'error_message', type: 'text', nullable: true },
      { name: 'started_at', type: 'timestamp', nullable: false },
      { name: 'finished_at', type: 'timestamp', nullable: true },
      // Added by ingest/0003_pull_run_notes (nullable).
      /** The run's notes (PullRunResult.notes), one `<code>: <message>` per line; NULL when none. */
      { name: 'notes', type: 'text', nullable: true },
    ],
    primaryKey: ['run_id'],
  };
}

/** The cursor key of a backfill: its own, so it never moves the schedule's. */
export function backfillKey(source: string, range: PullRange): string {
  return `${source}@${range.from.toISOString()}/${range.to.toISOString()}`;
}

export async function runPull<P>(warehouse: Warehouse, source: PullSource<P>, options: PullRunOptions): Promise<PullRunResult> {
  const started = new Date();
  const now = options.now ?? started;
  const runId = options.runId ?? randomUUID();
  const mode: PullMode = options.range === undefined ? 'scheduled' : 'backfill';
  let key = options.range === undefined ? source.name : backfillKey(source.name, options.range);
  const target: PullTarget = { rawSchema: options.rawSchema, table: source.table, family: source.family, source: key, runId };
  await preparePull(warehouse, target);

  let stored = options.restart === true ? null : await readCursor<RangeCursor<P>>(warehouse, options.rawSchema, key);
  let requested = options.range;
  if (requested !== undefined && options.openEnded === true && options.restart !== true && stored === null) {
    const open = await openBackfill<P>(warehouse, options.rawSchema, source.name, requested.from);
    if (open !== null) {
      key = open.key;
      target.source = key;
      stored = open.cursor;
      requested = { from: new Date(open.cursor.from), to: new Date(open.cursor.to) };
    }
  }
  let range: PullRange;
  let position: P | null = null;
  let resumed = false;
  if (requested !== undefined) {
    range = requested;
    if (range.to <= range.from) {
      throw new SwitchboardError('SB_PULL_RANGE', `--from (${range.from.toISOString()}) must be before --to (${range.to.toISOString()}).`);
    }
    if (stored !== null) {
      if (stored.done) {
        // Finished since (by another run): nothing of it has failed any more.
        await resolvePullFailures(warehouse, warehouse.dialect, options.rawSchema, key, runId, new Date());
        return finish('nothing-to-do', 0, 0, []);
      }
      position = stored.position;
      resumed = true;
    }
  } else if (stored !== null && !stored.done) {
    range = { from: new Date(stored.from), to: new Date(stored.to) };
    position = stored.position;
    resumed = true;
  } else {
    const lookback = options.lookbackMs ?? 0;
    const start = stored !== null ? new Date(Date.parse(stored.to) - lookback) : new Date(now.getTime() - (options.initialMs ?? 86_400_000));
    range = { from: start, to: now };
    if (range.to <= range.from) return finish('nothing-to-do', 0, 0, []);
  }
  const from = range.from.toISOString();
  const to = range.to.toISOString();

  // A run of this source still 'running' was killed (one run per source at a time): say so.
  const runs = pullRunsTable(options.rawSchema);
  const d = warehouse.dialect;
  await warehouse.run(
    `UPDATE ${d.tableName(runs.schema, runs.name)} SET status = 'interrupted', finished_at = ${d.param(1)} WHERE source = ${d.param(2)} AND status = 'running'`,
    [new Date(), source.name],
  );
  await recordRun({ status: 'running', pages: 0, landed: 0, skipped: [], error: null, finishedAt: null });
  options.onProgress?.({ phase: 'start', source: source.name, mode, from, to, resumed });
  let pages = 0;
  let landed = 0;
  /** The position of the last page that landed (where a killed run had got to, before the first). */
  let reached = position;
  /** The step the source last reported or landed: where a failure happened. */
  let lastStep: string | null = null;
  const signal = options.signal ?? new AbortController().signal;
  try {
    const outcome = await source.pull(range, position, {
      signal,
      now,
      sleep: options.sleep ?? abortableSleep,
      report: (step, note) => {
        lastStep = step.step;
        options.onProgress?.({ phase: 'waiting', source: source.name, progress: { ...step, landed }, note: note ?? '' });
      },
      land: async (events: readonly PulledEvent[], next: P, step: PullStep) => {
        signal.throwIfAborted();
        await landPage(warehouse, target, events, { from, to, position: next, done: false } satisfies RangeCursor<P>);
        reached = next;
        lastStep = step.step;
        pages += 1;
        landed += events.length;
        options.onProgress?.({ phase: 'page', source: source.name, progress: { ...step, landed } });
      },
    });
    for (const skipped of outcome.skipped) options.onProgress?.({ phase: 'skipped', source: source.name, skipped });
    // The range is done: a later backfill of it does nothing, a later scheduled run starts at `to`.
    const cursors = pullCursorsTable(options.rawSchema);
    const done: RangeCursor<P> = { from, to, position: reached, done: true };
    // The done cursor and the run's success in one transaction: a kill between them would leave
    // a range that is done with no run that says it succeeded.
    return await warehouse.transaction(async (tx) => {
      await tx.writeRows(cursors, [{ source: key, cursor: JSON.stringify(done), updated_at: new Date() }], { onMatch: { cursor: 'replace', updated_at: 'replace' } });
      await resolvePullFailures(tx, d, options.rawSchema, key, runId, new Date());
      return finish('success', pages, landed, outcome.skipped, outcome.notes ?? [], tx);
    });
  } catch (error) {
    const code = error instanceof SwitchboardError ? error.code : signal.aborted ? 'SB_PULL_STOPPED' : 'SB_PULL_FAILED';
    const message = signal.aborted && !(error instanceof SwitchboardError) ? 'stopped before the range was done; run it again to resume where it stopped' : (error as Error).message;
    await recordRun({ status: 'failed', pages, landed, skipped: [], error: { code, message }, finishedAt: new Date() }).catch(() => undefined);
    if (!signal.aborted && code !== 'SB_PULL_STOPPED') {
      // A page that failed is a dead letter until a run gets past it; a run stopped (Ctrl-C, shutdown, its deadline) resumes by itself.
      const failure = { runId, source: source.name, mode, cursorKey: key, range, page: pages + 1, step: lastStep, position: reached, error: { code, message }, at: new Date() };
      await recordPullFailure(warehouse, options.rawSchema, failure).catch(() => undefined);
    }
    throw error;
  }

  async function recordRun(
    state: { status: string; pages: number; landed: number; skipped: SkippedRange[]; notes?: PullNote[]; error: { code: string; message: string } | null; finishedAt: Date | null },
    q: Queryable = warehouse,
  ): Promise<void> {
    await q.writeRows(
      pullRunsTable(options.rawSchema),
      [
        {
          run_id: runId,
          source: source.name,
          mode,
          range_from: range.from,
          range_to: range.to,
          status: state.status,
          pages: state.pages,
          landed: state.landed,
          skipped: state.skipped.length === 0 ? null : state.skipped.map((s) => s.message).join('; '),
          error_code: state.error?.code ?? null,
          error_message: state.error?.message ?? null,
          started_at: started,
          finished_at: state.finishedAt,
          notes: state.notes === undefined || state.notes.length === 0 ? null : state.notes.map((n) => `${n.code}: ${n.message}`).join('\n'),
        },
      ],
      { onMatch: { status: 'replace', pages: 'replace', landed: 'replace', skipped: 'replace', error_code: 'replace', error_message: 'replace', finished_at: 'replace', notes: 'replace' } },
    );
  }

  async function finish(status: PullRunResult['status'], pagesDone: number, landedDone: number, skipped: SkippedRange[], notes: PullNote[] = [], q: Queryable = warehouse): Promise<PullRunResult> {
    const finishedAt = new Date();
    const r = range ?? requested ?? { from: now, to: now };
    if (status !== 'nothing-to-do') await recordRun({ status, pages: pagesDone, landed: landedDone, skipped, notes, error: null, finishedAt }, q);
    return {
      runId,
      source: source.name,
      mode,
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      status,
      pages: pagesDone,
      landed: landedDone,
      resumed,
      skipped,
      notes,
      error: null,
      startedAt: started.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    };
  }
}

/** The most recent unfinished backfill of `source` that started at `from`, whatever its end. */
async function openBackfill<P>(warehouse: Warehouse, rawSchema: string, source: string, from: Date): Promise<{ key: string; cursor: RangeCursor<P> } | null> {
  const d = warehouse.dialect;
  const table = pullCursorsTable(rawSchema);
  const prefix = `${source}@${from.toISOString()}/`;
  const rows = await warehouse.all<{ source: string; cursor: string }>(
    `SELECT source, cursor FROM ${d.tableName(table.schema, table.name)} WHERE source LIKE ${d.param(1)} ORDER BY updated_at DESC`,
    [`${prefix}%`],
  );
  for (const row of rows) {
    if (!row.source.startsWith(prefix)) continue;
    const cursor = JSON.parse(row.cursor) as RangeCursor<P>;
    if (!cursor.done) return { key: row.source, cursor };
  }
  return null;
}
