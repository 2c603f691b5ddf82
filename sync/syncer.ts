/**
 * Runs syncs, when the job runner (server/jobs) or `switchboard sync` asks: the schedules
 * live in the runner, which also keeps two serve processes from running one sync at once.
 *
 * - **One run per sync at a time**: a sync that is running or queued is not queued again.
 * - **Destinations are isolated lanes**: each destination type has its own queue and runs
 *   one sync at a time, so a destination that is down or rate-limited delays only its own
 *   syncs.
 * - **Priority**: in a lane, `alert` syncs (Slack escalations) run ahead of `bulk` ones.
 * - Each run has a deadline, and stop() aborts runs in flight (they stop at the next batch;
 *   everything confirmed so far is checkpointed).
 */
import type { Logger } from 'pino';
import type { Warehouse } from '../sql/warehouse.js';
import type { Destination } from './destination.js';
import { runSync, type RetryPolicy, type SyncDefinition, type SyncProgress, type SyncRunResult } from './engine.js';
import { SyncError } from './errors.js';

export interface SyncerOptions {
  warehouse: Warehouse;
  syncs: readonly SyncDefinition[];
  /** The destination a sync sends to; called once per destination type, then reused. */
  destinationFor: (type: SyncDefinition['destination']) => Promise<Destination>;
  modelsSchema: string;
  /** Where destinations put what they pull for the models (warehouse.rawSchema). */
  rawSchema: string;
  /** models.defaultRegion, for destinations that normalise phone numbers they pull. */
  defaultRegion?: string | undefined;
  logger: Logger;
  retry?: RetryPolicy;
  /** Longest a run may take before it is aborted; default 15 minutes. */
  runDeadlineMs?: number;
  /**
   * Told of every run that finished (dry runs too: `result.dryRun`), scheduled or manual, for
   * the server's signals. Must be cheap and must not throw.
   */
  onRunFinished?: ((result: SyncRunResult) => void) | undefined;
}

export interface SyncRequest {
  dryRun?: boolean;
  replayRejected?: boolean;
  /** Only these keys, refused or not (engine.ts SyncRunOptions.keys): a replay of dead letters. */
  keys?: readonly string[];
  onProgress?: (event: SyncProgress) => void;
  /** Stops this run at its next checkpoint (the job's deadline, a lost lease). */
  signal?: AbortSignal;
}

interface Job {
  sync: SyncDefinition;
  request: SyncRequest;
  resolve: (result: SyncRunResult) => void;
  reject: (error: unknown) => void;
}

export class Syncer {
  private readonly lanes = new Map<string, { queue: Job[]; busy: boolean }>();
  private readonly active = new Set<string>();
  private readonly destinations = new Map<string, Promise<Destination>>();
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: SyncerOptions) {}

  /** The configured syncs, in config order. */
  get syncs(): readonly SyncDefinition[] {
    return this.options.syncs;
  }

  /** Whether `name` is running or queued. */
  isActive(name: string): boolean {
    return this.active.has(name);
  }

  /**
   * Queues one run of `name` in its destination's lane and resolves with its result.
   * @throws SyncError SB_SYNC_UNKNOWN, or SB_SYNC_RUNNING when it is running or queued.
   */
  run(name: string, request: SyncRequest = {}): Promise<SyncRunResult> {
    const sync = this.options.syncs.find((s) => s.name === name);
    if (sync === undefined) {
      const known = this.options.syncs.map((s) => s.name).join(', ') || 'none configured';
      return Promise.reject(new SyncError('SB_SYNC_UNKNOWN', `No sync is named "${name}" (configured: ${known}).`));
    }
    if (this.active.has(name)) {
      return Promise.reject(new SyncError('SB_SYNC_RUNNING', `Sync ${name} is already running or queued; one run at a time.`));
    }
    this.active.add(name);
    const promise = new Promise<SyncRunResult>((resolve, reject) => {
      const lane = this.lane(request.dryRun === true ? `dry-run:${name}` : sync.destination);
      lane.queue.push({ sync, request, resolve, reject });
      // Alert syncs first; otherwise first come, first served (sort is stable).
      lane.queue.sort((a, b) => rank(a.sync) - rank(b.sync));
      void this.drain(lane);
    });
    const tracked = promise.finally(() => this.active.delete(name));
    this.inFlight.add(tracked);
    void tracked.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  /** Aborts runs in flight (they stop at a checkpoint), and closes destinations. */
  async stop(): Promise<void> {
    this.stopping.abort(new SyncError('SB_SYNC_FAILED', 'Switchboard is stopping; the run resumes from its last checkpoint next time.'));
    await Promise.allSettled([...this.inFlight]);
    for (const destination of this.destinations.values()) await (await destination.catch(() => null))?.close?.();
  }

  private finished(result: SyncRunResult): void {
    try {
      this.options.onRunFinished?.(result);
    } catch (error) {
      this.options.logger.warn({ err: error, sync: result.sync }, 'a listener of finished sync runs threw; the run itself is not affected');
    }
  }

  private lane(id: string): { queue: Job[]; busy: boolean } {
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = { queue: [], busy: false };
      this.lanes.set(id, lane);
    }
    return lane;
  }

  private async drain(lane: { queue: Job[]; busy: boolean }): Promise<void> {
    if (lane.busy) return;
    lane.busy = true;
    try {
      for (let job = lane.queue.shift(); job !== undefined; job = lane.queue.shift()) {
        try {
          const result = await this.execute(job);
          this.finished(result);
          job.resolve(result);
        } catch (error) {
          job.reject(error);
        }
      }
    } finally {
      lane.busy = false;
    }
  }

  private async execute({ sync, request }: Job): Promise<SyncRunResult> {
    const { warehouse, modelsSchema, retry } = this.options;
    const deadline = AbortSignal.timeout(this.options.runDeadlineMs ?? 15 * 60_000);
    const signal = AbortSignal.any([deadline, this.stopping.signal, ...(request.signal === undefined ? [] : [request.signal])]);
    // Opened (and its beforeSync run) inside the run: a destination that cannot start fails
    // the run, which is then recorded in switchboard_sync.runs with the destination's code.
    const open = async (): Promise<Destination> => {
      const destination = await this.destination(sync.destination);
      await destination.beforeSync?.({
        warehouse,
        rawSchema: this.options.rawSchema,
        modelsSchema,
        ...(this.options.defaultRegion === undefined ? {} : { defaultRegion: this.options.defaultRegion }),
        signal,
      });
      return destination;
    };
    return runSync(warehouse, sync, request.dryRun === true ? null : open, {
      modelsSchema,
      signal,
      ...(retry === undefined ? {} : { retry }),
      ...(request.dryRun === true ? { dryRun: true } : {}),
      ...(request.replayRejected === true ? { replayRejected: true } : {}),
      ...(request.keys === undefined ? {} : { keys: request.keys }),
      ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
    });
  }

  private destination(type: SyncDefinition['destination']): Promise<Destination> {
    let destination = this.destinations.get(type);
    if (destination === undefined) {
      destination = this.options.destinationFor(type);
      this.destinations.set(type, destination);
      // A destination that failed to start (a missing secret) is tried afresh next time.
      destination.catch(() => this.destinations.delete(type));
    }
    return destination;
  }
}

function rank(sync: SyncDefinition): number {
  return sync.priority === 'alert' ? 0 : 1;
}
