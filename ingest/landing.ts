/**
 * The landing sink: where the HTTP layer hands verified events and rejections.
 *
 * `accept` resolves only once the event is fsync'd in the spool; the route answers 2xx
 * after that and not before. Past the disk budget it refuses with 503 + Retry-After so 8x8
 * retries later (at 1, 10, 30 and 90 s) instead of the server buffering without bound.
 */
import type { Logger } from 'pino';
import { IngestError } from './errors.js';
import { encodeRecord, type RawEventRecord, type RejectionRecord } from './records.js';
import type { Spool } from './spool/spool.js';
import type { Metrics } from './metrics.js';
import type { RejectionSampler } from './rejection-sampler.js';
import type { LandingObserver } from './landing-observer.js';

export interface LandingOptions {
  spool: Spool;
  /** Bytes accepted but not yet in the warehouse (from the drainer). */
  backlogBytes: () => number;
  /** spool.maxBytes */
  maxBacklogBytes: number;
  retryAfterSeconds: number;
  logger: Logger;
  /** Set once the server's metrics exist (they read from the landing, too). */
  metrics?: Metrics | undefined;
  /** Bounds how many refusals are stored one by one; past it they are summed up once a minute. */
  sampler?: RejectionSampler | undefined;
  /** Told of every accepted event and every refusal (server/signals); absent when signals are off. */
  observer?: LandingObserver | undefined;
}

export class Landing {
  /**
   * Set when the spool stopped taking appends (a failed fsync leaves the disk state
   * unknown); only a restart clears it. A write that merely failed (a full disk, say) is
   * refused on its own, and the next one is tried again.
   */
  spoolError: Error | null = null;

  private readonly summaryTimer: NodeJS.Timeout | null;

  constructor(private readonly options: LandingOptions) {
    this.summaryTimer = options.sampler === undefined ? null : setInterval(() => this.flushSummaries(), 60_000);
    this.summaryTimer?.unref();
  }

  /** Writes the summaries of refusals counted past the sampling limits (also done once a minute). */
  flushSummaries(): void {
    for (const summary of this.options.sampler?.flush() ?? []) {
      this.options.logger.warn(
        { family: summary.family, code: summary.errorCode, ip: summary.ip, occurrences: summary.occurrences },
        'refusals past rejections.perSourcePerMinute were counted, not stored one by one (a summary row is in the rejections table)',
      );
      this.write(summary);
    }
  }

  /** Stops the summary timer and writes what it holds. */
  close(): void {
    if (this.summaryTimer !== null) clearInterval(this.summaryTimer);
    this.flushSummaries();
  }

  /** True when an observer is told of each event: the route then reads the event's time for it. */
  get observed(): boolean {
    return this.options.observer !== undefined;
  }

  /** True while the spool can take events (not failed, not over budget). */
  isWritable(): boolean {
    return this.spoolError === null && this.options.backlogBytes() < this.options.maxBacklogBytes;
  }

  /**
   * Appends a verified event durably. @throws IngestError SB_INGEST_SPOOL_FULL | SB_INGEST_SPOOL_UNAVAILABLE
   * @param eventAt 8x8's own time of the event (epoch ms), for the observer; absent for replays
   */
  async accept(record: RawEventRecord, eventAt?: number): Promise<void> {
    const { spool, maxBacklogBytes, retryAfterSeconds } = this.options;
    if (this.spoolError !== null) throw this.unavailable(this.spoolError);
    if (this.options.backlogBytes() >= maxBacklogBytes) {
      throw new IngestError(
        'SB_INGEST_SPOOL_FULL',
        `The local spool holds more than spool.maxBytes (${maxBacklogBytes} bytes) not yet written to the warehouse. ` +
          'Retry later; operators: check the warehouse (switchboard status) or raise spool.maxBytes.',
        { retryAfterSeconds, configKey: 'spool.maxBytes' },
      );
    }
    try {
      await spool.append(encodeRecord(record));
    } catch (error) {
      if ((error as { poisoned?: boolean }).poisoned === true) {
        this.spoolError = error as Error;
        this.options.logger.fatal({ err: error }, 'the spool can no longer be trusted to write; refusing events until restarted');
      } else {
        this.options.logger.error({ err: error }, 'could not append to the spool; this event was refused (503) and will be retried by 8x8');
      }
      throw this.unavailable(error);
    }
    this.options.observer?.accepted(record, eventAt);
  }

  /**
   * Counts a refusal 8x8 retries by itself (429, 503 with Retry-After): not a rejection, so
   * nothing is stored; only the observer hears of it.
   */
  refusedForNow(family: string, eventType = ''): void {
    this.options.observer?.refused(family, eventType, 'retry');
  }

  /** Records a rejection. Never throws: a failure to record is logged, and the caller still answers. */
  record(rejection: RejectionRecord): void {
    const { logger } = this.options;
    this.options.metrics?.rejections.inc({ family: rejection.family, code: rejection.errorCode });
    this.options.observer?.refused(rejection.family, '', rejection.statusCode >= 500 ? 'failure' : 'dead_letter');
    if (this.options.sampler !== undefined && !this.options.sampler.admit(rejection)) return; // counted into the next summary
    logger.warn(
      { family: rejection.family, code: rejection.errorCode, ip: rejection.ip, rejectionId: rejection.rejectionId },
      rejection.reason,
    );
    this.write(rejection);
  }

  private write(rejection: RejectionRecord): void {
    const { logger, spool } = this.options;
    if (this.spoolError !== null) return;
    // The response does not wait for this write; it shares the next group commit's fsync.
    const write = spool.append(encodeRecord(rejection)).then(
      () => undefined,
      (error: unknown) => {
        logger.error({ err: error, rejectionId: rejection.rejectionId }, 'could not record a rejection in the spool');
      },
    );
    this.recording.add(write);
    void write.finally(() => this.recording.delete(write));
  }

  private readonly recording = new Set<Promise<void>>();

  /** Resolves once every rejection recorded so far is durable in the spool. */
  async settled(): Promise<void> {
    await Promise.all([...this.recording]);
  }

  private unavailable(cause: unknown): IngestError {
    return new IngestError(
      'SB_INGEST_SPOOL_UNAVAILABLE',
      'The local spool cannot write (disk full or failing). Nothing was acknowledged; retry later. Operators: check spool.dir and the logs.',
      { cause, retryAfterSeconds: this.options.retryAfterSeconds, configKey: 'spool.dir' },
    );
  }
}
