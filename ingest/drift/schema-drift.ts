/**
 * One run of schema drift (the `drift` job, README › Observability › Schema drift): for each
 * raw event table, the rows landed since its watermark, batch by batch until caught up;
 * each event's body flattened into paths and types (flatten.ts) and learned per family and
 * event type (learner.ts); then what the syncs' errors say about destination fields
 * (destination.ts). Off the landing path: it only reads what the drainer already wrote.
 *
 * Each batch commits in one transaction: the learned paths, the drift rows and the
 * watermark. A run that fails (or is stopped) loses only its open batch, which the next run
 * reads again from the same watermark, so nothing is learned or recorded twice.
 */
import type { DriftSettings } from '../../core/config-drift.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { readDestinationDrift, OUTCOMES_SOURCE, RUNS_SOURCE, type DestinationSources } from './destination.js';
import { flattenJson, parseBody } from './flatten.js';
import { readLanded } from './landed-rows.js';
import { DriftRecords, LearnedType, type DriftRecord } from './learner.js';
import type { SamplePolicy } from './redact.js';
import { loadLearned, readWatermark, saveBatch, type DriftSchemas } from './store.js';

export interface SchemaDriftOptions {
  warehouse: Warehouse;
  schemas: DriftSchemas;
  /** The raw event tables to learn from: every family's and the pull-only ones, e.g. `['meetings_events', 'work_events']`. */
  tables: readonly string[];
  settings: Pick<DriftSettings, 'batchRows' | 'sampleRate' | 'warmupEvents' | 'missingAfterEvents' | 'missingMinSeen' | 'settleSeconds'>;
  /** How samples are redacted (`models.pii`). */
  policy: SamplePolicy;
  /** The syncer's tables, for destination drift; absent: none. */
  destinations?: DestinationSources | undefined;
  /** Told of each drift found (a new row, or a path missing again): the Prometheus counter. */
  onFound?: (record: DriftRecord) => void;
  now?: () => Date;
}

/** What one run did, for the job history and its log line. */
export interface DriftRunResult {
  /** Raw rows read (after sampling). */
  rows: number;
  /** Of those, events learned; the others' bodies were not JSON. */
  learned: number;
  /** Drift found, by kind (destination_field included). */
  found: Record<string, number>;
  /** New paths not learned because a type already had too many (learner.ts MAX_PATHS_PER_TYPE). */
  ignoredPaths: number;
  seconds: number;
}

/** Events flattened between two yields to the event loop (landing keeps answering). */
const YIELD_EVERY = 200;

export class SchemaDrift {
  private readonly now: () => Date;

  constructor(private readonly options: SchemaDriftOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async run(signal?: AbortSignal): Promise<DriftRunResult> {
    const started = Date.now();
    const { warehouse: wh, schemas, settings } = this.options;
    const d = wh.dialect;
    const now = this.now();
    const cutoff = new Date(now.getTime() - settings.settleSeconds * 1000);
    const result: DriftRunResult = { rows: 0, learned: 0, found: {}, ignoredPaths: 0, seconds: 0 };
    const existing = new Set((await wh.introspector.relations([schemas.rawSchema])).map((r) => r.name));
    // Loaded once per run; a failed batch throws out of the run, so a stale copy is never saved.
    const types = new Map<string, LearnedType>();
    const typeOf = async (family: string, eventType: string): Promise<LearnedType> => {
      const key = `${family}\t${eventType}`;
      let learned = types.get(key);
      if (learned === undefined) types.set(key, (learned = new LearnedType(family, eventType, await loadLearned(wh, d, schemas.rawSchema, family, eventType))));
      return learned;
    };

    for (const table of this.options.tables) {
      if (!existing.has(table)) continue;
      let mark = await readWatermark(wh, d, schemas.rawSchema, table);
      for (;;) {
        signal?.throwIfAborted();
        const batch = await readLanded(wh, d, { schema: schemas.rawSchema, table }, mark, cutoff, { limit: settings.batchRows, sampleRate: settings.sampleRate });
        if (batch.rows.length === 0) break;
        result.rows += batch.rows.length;
        const out = new DriftRecords();
        const touched = new Set<LearnedType>();
        for (const [i, row] of batch.rows.entries()) {
          if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
          const body = parseBody(row.body);
          if (body === undefined) continue;
          const learned = await typeOf(row.family, row.eventType);
          learned.learn(row.landedAt, flattenJson(body), settings, out);
          touched.add(learned);
          result.learned += 1;
        }
        for (const learned of touched) learned.checkMissing(settings, out);
        const paths = [...touched].flatMap((t) => t.takeDirty().map((state) => ({ family: t.family, eventType: t.eventType, state })));
        await this.save({ paths, drift: out.values(), watermarks: [{ source: table, to: batch.next }] }, now, result);
        mark = batch.next;
        if (!batch.full) break;
      }
    }
    for (const learned of types.values()) result.ignoredPaths += learned.ignored;

    const sources = this.options.destinations;
    if (sources !== undefined) {
      signal?.throwIfAborted();
      const out = new DriftRecords();
      const marks = { outcomes: await readWatermark(wh, d, schemas.rawSchema, OUTCOMES_SOURCE), runs: await readWatermark(wh, d, schemas.rawSchema, RUNS_SOURCE) };
      const watermarks = await readDestinationDrift(wh, d, sources, marks, cutoff, out);
      if (watermarks.length > 0) await this.save({ paths: [], drift: out.values(), watermarks }, now, result);
    }
    result.seconds = Math.round((Date.now() - started) / 10) / 100;
    return result;
  }

  private async save(batch: Parameters<typeof saveBatch>[2], now: Date, result: DriftRunResult): Promise<void> {
    await this.options.warehouse.transaction((tx) => saveBatch(tx, this.options.schemas, batch, this.options.policy, now));
    for (const record of batch.drift) {
      if (!record.found) continue;
      result.found[record.kind] = (result.found[record.kind] ?? 0) + 1;
      this.options.onFound?.(record);
    }
  }
}
