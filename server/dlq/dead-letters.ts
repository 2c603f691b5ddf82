/**
 * Dead letters in one place: lists, shows and replays what did not go through, from the
 * four sources (dead-letter.ts). The operator API's /dlq routes, `switchboard dlq` without a
 * server, and the console all use this.
 *
 * A replay re-runs each dead letter through the path it failed on, with the same checks and
 * idempotency as the first attempt: landing rejections and quarantined records through
 * ingest/replay.ts, sync rows through the syncer (scoped to their keys), pull pages through
 * the puller. What went through stops being a dead letter, so replaying the same filter
 * twice sends nothing the second time.
 */
import type { Quarantine } from '../../ingest/quarantine.js';
import type { Replayer } from '../../ingest/replay.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { SwitchboardError } from '../../core/errors.js';
import {
  DEAD_LETTER_SOURCES,
  parseId,
  type DeadLetter,
  type DeadLetterDetail,
  type DeadLetterFilter,
  type DeadLetterSource,
  type ParsedId,
  type ReplayOptions,
  type DeadLetterOutcome,
} from './dead-letter.js';
import { LandingLetters } from './landing-letters.js';
import { PullLetters, type PullReplayRunner } from './pull-letters.js';
import { SyncLetters, type SyncReplayRunner } from './sync-letters.js';

export type { PullReplayRunner } from './pull-letters.js';
export type { SyncReplayRunner } from './sync-letters.js';

export interface DeadLettersOptions {
  warehouse: Warehouse;
  rawSchema: string;
  /** Replays landing rejections and quarantined records; null outside serve (they need its spool). */
  replayer: Replayer | null;
  /** Reads a quarantined record's kept file, for `show`. */
  quarantine: Quarantine | null;
  /** Runs a sync scoped to keys; null when none can run here. */
  syncs: SyncReplayRunner | null;
  /** Runs a pull of a range; null when none can run here. */
  pulls: PullReplayRunner | null;
  /** Tests: a fixed clock for ages. */
  now?: () => Date;
}

/** The most a list or a replay takes at once. */
export const MAX_DEAD_LETTERS = 10_000;

/** A replay's scope: a filter, and `all` to mean "every dead letter" when it names nothing. */
export interface ReplayScope extends DeadLetterFilter {
  all?: boolean | undefined;
}

export class DeadLetters {
  private readonly landing: LandingLetters;
  private readonly sync: SyncLetters;
  private readonly pull: PullLetters;
  private readonly now: () => Date;

  constructor(options: DeadLettersOptions) {
    this.landing = new LandingLetters(options);
    this.sync = new SyncLetters(options.warehouse, options.syncs);
    this.pull = new PullLetters(options.warehouse, options.rawSchema, options.pulls);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Dead letters matching `filter`, newest (last refused) first, at most `filter.limit`
   * (default 100, or as many as the ids named).
   * @throws SwitchboardError SB_DLQ_BAD_ID for an id that is not one
   */
  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    // Named ids are all listed unless a limit says otherwise.
    const limit = Math.max(1, Math.min(filter.limit ?? Math.max(100, filter.ids?.length ?? 0), MAX_DEAD_LETTERS));
    const now = this.now();
    const ids = filter.ids === undefined || filter.ids.length === 0 ? undefined : filter.ids.map(parseId);
    const of = <S extends DeadLetterSource>(source: S): Array<Extract<ParsedId, { source: S }>> | undefined =>
      ids?.filter((id): id is Extract<ParsedId, { source: S }> => id.source === source);
    const wanted = (source: DeadLetterSource): boolean => (filter.source === undefined || filter.source === source) && (ids === undefined || (of(source)?.length ?? 0) > 0);
    const found: DeadLetter[] = [];
    if (wanted('landing')) found.push(...(await this.landing.rejections(filter, of('landing')?.map((i) => i.rejectionId), limit, now)));
    if (wanted('quarantine')) found.push(...(await this.landing.quarantined(filter, of('quarantine')?.map((i) => i.quarantineId), limit, now)));
    if (wanted('sync')) found.push(...(await this.sync.list(filter, of('sync')?.map((i) => [i.sync, i.key] as const), limit, now)));
    if (wanted('pull')) found.push(...(await this.pull.list(filter, of('pull')?.map((i) => i.failureId), limit, now)));
    return found.sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : a.id.localeCompare(b.id))).slice(0, limit);
  }

  /**
   * One dead letter in full; null when there is none with that id (replayed, resolved, or mistyped).
   * @throws SwitchboardError SB_DLQ_BAD_ID
   */
  async show(id: string): Promise<DeadLetterDetail | null> {
    const parsed = parseId(id);
    const now = this.now();
    switch (parsed.source) {
      case 'landing':
        return this.landing.rejectionDetail(parsed.rejectionId, now);
      case 'quarantine':
        return this.landing.quarantineDetail(parsed.quarantineId, now);
      case 'sync':
        return this.sync.detail(parsed.sync, parsed.key, now);
      case 'pull':
        return this.pull.detail(parsed.failureId, now);
    }
  }

  /** {@link checkReplayScope}. */
  checkScope(scope: ReplayScope): void {
    checkReplayScope(scope);
  }

  /**
   * Replays what `scope` selects (at most `scope.limit`, default 1000 or as many as the ids named), source by source:
   * landing, quarantine, sync, pull. Ids that name no dead letter come back `not-found`.
   * `onOutcome` hears each outcome as it is known.
   * @throws SwitchboardError SB_DLQ_REPLAY_UNSCOPED when the scope names nothing and `all` is not set
   */
  async replay(scope: ReplayScope, options: ReplayOptions = {}, onOutcome?: (outcome: DeadLetterOutcome) => void): Promise<DeadLetterOutcome[]> {
    checkReplayScope(scope);
    const { all: _all, ...filter } = scope;
    const entries = await this.list({ ...filter, limit: filter.limit ?? Math.max(1000, filter.ids?.length ?? 0) });
    const outcomes: DeadLetterOutcome[] = [];
    const report = (batch: readonly DeadLetterOutcome[]): void => {
      for (const outcome of batch) {
        outcomes.push(outcome);
        onOutcome?.(outcome);
      }
    };
    report(
      (filter.ids ?? [])
        .filter((id) => !entries.some((e) => e.id === id))
        .map((id) => ({ id, status: 'not-found' as const, message: 'No such dead letter (replayed or resolved already, or the id is mistyped); switchboard dlq list shows what is left.' })),
    );
    for (const source of DEAD_LETTER_SOURCES) {
      const mine = entries.filter((e) => e.source === source);
      if (mine.length === 0) continue;
      if (source === 'landing' || source === 'quarantine') report(await this.landing.replay(mine, options));
      else if (source === 'sync') report(await this.sync.replay(mine, options));
      else report(await this.pull.replay(mine, options));
    }
    return outcomes;
  }
}

/**
 * Refuses a replay scope before anything runs or opens.
 * @throws SwitchboardError SB_DLQ_REPLAY_UNSCOPED when it names nothing and `all` is not set; SB_DLQ_BAD_ID
 */
export function checkReplayScope(scope: ReplayScope): void {
  const { all, ...filter } = scope;
  for (const id of filter.ids ?? []) parseId(id);
  const named = Object.entries(filter).some(([key, value]) => key !== 'limit' && value !== undefined && !(Array.isArray(value) && value.length === 0));
  if (!named && all !== true) {
    throw new SwitchboardError(
      'SB_DLQ_REPLAY_UNSCOPED',
      'Say which dead letters to replay: ids, or a filter (source, pipeline, reason, code, since, until); or ask for all of them explicitly (switchboard dlq replay --all, or "all": true).',
    );
  }
}
