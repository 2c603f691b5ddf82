/**
 * The Zendesk destination: one ticket per record, found again by `external_id` = the
 * record's key. One send() of up to 100 records:
 *
 * 1. **Find** each record's ticket, once any bulk job still running in the account has
 *    finished (it may be this batch's, queued by a process that died): one `show_many` for
 *    the records that carry a ticket id (externalRef), one `GET /tickets?external_id=` per
 *    record without one. show_many takes ids only, List Tickets one external_id, and search
 *    is documented as eventually consistent ("it can take up to a few minutes for new
 *    tickets … to be indexed", https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/),
 *    so it would miss exactly the ticket a crashed attempt just made. List Tickets has its own
 *    budget (`zendesk-ratelimit-tickets-index: total=100; remaining=…; resets=…`,
 *    https://developer.zendesk.com/api-reference/introduction/rate-limits/): the look-ups keep
 *    within it, and records it leaves no room for are retried after its reset
 *    (`SB_SYNC_ZENDESK_LOOKUP_DEFERRED`) while the rest of the batch goes on. external_id is
 *    not unique in Zendesk: of several tickets, the one with Switchboard's change tag wins,
 *    then the oldest.
 * 2. **Decide** per record (the engine already decided the mode through the action):
 *    - a ticket that already carries this change's tag has it: `sent`, nothing written;
 *    - create: no ticket → create it; a ticket Switchboard made (it has an older change
 *      tag: a create whose confirmation was lost in a crash) → bring it up to date; a
 *      ticket Switchboard did not make → `skipped` (a create never updates someone's ticket);
 *    - update: a ticket → update it; none → `skipped` (an update never creates);
 *    - delete: `DELETE /tickets/{id}`; a ticket already gone (404, or none found) is `sent`.
 * 3. **Write**: a single create is `POST /tickets` with an Idempotency-Key header (the
 *    record's idempotency key); several go in one `create_many`. Updates go in one
 *    `update_many`. Both bulk calls answer with a job that is polled to its end, and each of
 *    its results is mapped back to its record (by index, then by id or external_id).
 *    Idempotency-Key is documented for single creates only (reference §2.2), so bulk creates
 *    rely on step 1 instead: a retried batch finds the tickets the first attempt made.
 *
 * 401/403 stop the run; 429, 5xx and network failures are retried by the engine, the whole
 * batch when nothing was written yet, else only the records not done (`retry` outcomes).
 */
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import {
  PermanentDestinationError,
  TransientDestinationError,
  type ChangeRecord,
  type Destination,
  type RecordOutcome,
  type SendContext,
} from '../../destination.js';
import type { ZendeskClient } from './client.js';
import { describeBody, ZendeskResponseError, throwIfWholeCallFailed } from './errors.js';
import { waitForJob, type JobPolling, type JobResult, type JobStatus } from './jobs.js';
import { changeTag, checkFields, createPayload, isChangeTag, updatePayload, type Ticket } from './tickets.js';
import { ListBudget } from './list-budget.js';
import { eachLimit } from '../../../core/each-limit.js';

/** Most tickets per create_many / update_many / show_many call (reference §2.3). */
export const ZENDESK_BATCH_SIZE = 100;

export interface ZendeskDestinationSettings {
  client: ZendeskClient;
  logger: Logger;
  polling: JobPolling;
  /** Look-ups and deletes in flight at once. */
  concurrency: number;
}

interface Update {
  record: ChangeRecord;
  ticket: Ticket;
}

export class ZendeskDestination implements Destination {
  readonly type = 'zendesk';
  readonly batchSize = ZENDESK_BATCH_SIZE;

  constructor(private readonly settings: ZendeskDestinationSettings) {}

  async send(records: readonly ChangeRecord[], context: SendContext): Promise<RecordOutcome[]> {
    if (context.object !== 'tickets') {
      throw new PermanentDestinationError(
        'SB_SYNC_ZENDESK_OBJECT',
        `syncs[${context.sync}].object is "${context.object}"; the Zendesk destination writes "tickets".`,
      );
    }
    checkFields(records, context.sync);
    const run = new BatchRun(this.settings, records, context);
    return run.execute();
  }
}

/** One send(): the outcomes so far, so a failure halfway can still report what was done. */
class BatchRun {
  private readonly outcomes = new Map<string, RecordOutcome>();
  private readonly client: ZendeskClient;
  private readonly logger: Logger;
  private readonly signal: AbortSignal;

  constructor(
    private readonly settings: ZendeskDestinationSettings,
    private readonly records: readonly ChangeRecord[],
    private readonly context: SendContext,
  ) {
    this.client = settings.client;
    this.logger = settings.logger;
    this.signal = context.signal;
  }

  async execute(): Promise<RecordOutcome[]> {
    try {
      if (this.records.some((r) => r.action !== 'delete')) await this.waitForRunningJobs();
      const { found: tickets, deferred } = await this.findTickets();
      for (const [key, retryAfterMs] of deferred) {
        const record = this.records.find((r) => r.key === key) as ChangeRecord;
        this.set(record, {
          status: 'retry',
          code: 'SB_SYNC_ZENDESK_LOOKUP_DEFERRED',
          reason: 'List Tickets\' own rate limit (zendesk-ratelimit-tickets-index) left no room to look this record\'s ticket up in this batch.',
          retryAfterMs,
        });
      }
      const creates: ChangeRecord[] = [];
      const updates: Update[] = [];
      const deletes: Array<{ record: ChangeRecord; id: number | null }> = [];
      for (const record of this.records) {
        if (deferred.has(record.key)) continue;
        const ticket = tickets.get(record.key) ?? null;
        if (record.action === 'delete') {
          deletes.push({ record, id: ticketId(record.externalRef) ?? ticket?.id ?? null });
        } else if (ticket !== null && ticket.tags.includes(changeTag(record.idempotencyKey))) {
          this.set(record, { status: 'sent', externalRef: String(ticket.id) });
        } else if (record.action === 'create') {
          if (ticket === null) creates.push(record);
          else if (ticket.tags.some(isChangeTag)) updates.push({ record, ticket });
          else {
            this.set(record, {
              status: 'skipped',
              externalRef: String(ticket.id),
              code: 'SB_SYNC_ZENDESK_TICKET_EXISTS',
              reason: `Ticket #${ticket.id} already has external_id ${record.key} and was not made by Switchboard; a create never updates it.`,
            });
          }
        } else if (ticket === null) {
          this.set(record, {
            status: 'skipped',
            code: 'SB_SYNC_ZENDESK_TICKET_NOT_FOUND',
            reason: `No ticket has external_id ${record.key}${record.externalRef === null ? '' : ` (nor id ${record.externalRef})`}; an update never creates one.`,
          });
        } else {
          updates.push({ record, ticket });
        }
      }
      await this.create(creates);
      await this.update(updates);
      await this.delete(deletes);
    } catch (error) {
      // Nothing decided yet: the engine retries the whole batch. Else keep what was done.
      if (!(error instanceof TransientDestinationError) || this.outcomes.size === 0) throw error;
      this.logger.warn({ sync: this.context.sync, err: error.message, done: this.outcomes.size }, 'zendesk batch interrupted; retrying the rest');
      for (const record of this.records) {
        if (!this.outcomes.has(record.key)) {
          this.set(record, { status: 'retry', code: 'SB_SYNC_ZENDESK_INTERRUPTED', reason: error.message, retryAfterMs: error.retryAfterMs });
        }
      }
    }
    return this.records.map((r) => this.outcomes.get(r.key) as RecordOutcome);
  }

  // ---- 1. find -------------------------------------------------------------------------

  /**
   * A bulk job keeps running in Zendesk when the process that queued it dies. If it is an
   * earlier attempt of this batch, a look-up made before it finishes would miss its tickets
   * and the batch would be written twice (two tickets, or a comment added twice). So any job
   * of the account still queued or working is waited for first (within the poll deadline;
   * else the whole batch is retried later). Zendesk cannot tell whose job it is, so another
   * integration's job delays this batch as well.
   */
  private async waitForRunningJobs(): Promise<void> {
    const response = await this.read<{ job_statuses?: JobStatus[] }>('/job_statuses', {});
    const running = (response.job_statuses ?? []).filter((job) => job.status === 'queued' || job.status === 'working');
    for (const job of running) {
      this.logger.debug({ sync: this.context.sync, job: job.id, status: job.status }, 'zendesk job still running; waiting before the look-ups');
      const outcome = await waitForJob(this.client, job, this.signal, this.settings.polling);
      if (!outcome.finished) {
        throw new TransientDestinationError(`A Zendesk bulk job still runs, maybe an earlier attempt of this batch: ${outcome.reason}; retrying later.`);
      }
    }
  }

  /**
   * Each non-delete record's ticket (or none), and each delete's when it has no ticket id;
   * `deferred`: records List Tickets' budget left no room for, with how long to wait (ms).
   */
  private async findTickets(): Promise<{ found: Map<string, Ticket | null>; deferred: Map<string, number> }> {
    const found = new Map<string, Ticket | null>();
    const deferred = new Map<string, number>();
    const byId = this.records.filter((r) => r.action !== 'delete' && ticketId(r.externalRef) !== null);
    if (byId.length > 0) {
      const ids = byId.map((r) => ticketId(r.externalRef) as number);
      const response = await this.read<{ tickets: Ticket[] }>('/tickets/show_many', { ids: ids.join(',') });
      const tickets = new Map(response.tickets.map((t) => [t.id, normalise(t)]));
      for (const record of byId) {
        const ticket = tickets.get(ticketId(record.externalRef) as number);
        if (ticket !== undefined) found.set(record.key, ticket);
      }
    }
    // The rest, and tickets whose stored id is gone (deleted, merged): by external_id.
    const byExternalId = this.records.filter((r) => !found.has(r.key) && (r.action !== 'delete' || ticketId(r.externalRef) === null));
    const budget = new ListBudget();
    const lookUp = async (record: ChangeRecord): Promise<void> => {
      if (!budget.take()) {
        deferred.set(record.key, budget.retryAfterMs);
        return;
      }
      try {
        const response = await this.client.request<{ tickets: Ticket[] }>({ method: 'GET', path: '/tickets', query: { external_id: record.key }, signal: this.signal });
        budget.settle(response.headers.get('zendesk-ratelimit-tickets-index'));
        found.set(record.key, choose(response.body.tickets.map(normalise), changeTag(record.idempotencyKey)));
      } catch (error) {
        budget.settle(error instanceof ZendeskResponseError ? error.headers?.get('zendesk-ratelimit-tickets-index') ?? null : null);
        // A 429 that names List Tickets' budget (or any 429 once some look-ups went through):
        // this record waits for the reset; the others found so far go on.
        if (error instanceof ZendeskResponseError && error.status === 429) {
          budget.exhaust(error.retryAfterMs);
          deferred.set(record.key, budget.retryAfterMs);
          return;
        }
        return this.readFailed(error);
      }
    };
    // The first look-up alone: its answer tells how much of the budget is left.
    const [first, ...rest] = byExternalId;
    if (first !== undefined) await lookUp(first);
    await eachLimit(rest, this.settings.concurrency, lookUp);
    // Nothing could be looked up: the whole batch waits (as for any 429 before a write).
    if (deferred.size > 0 && deferred.size === byExternalId.length && found.size === 0) {
      throw new TransientDestinationError('Zendesk List Tickets rate limit (429 or no budget left in zendesk-ratelimit-tickets-index); retrying later.', budget.retryAfterMs);
    }
    return { found, deferred };
  }

  /** A GET whose failure is the whole call's: 401/403 stop, 429/5xx retry, any other 4xx is a config problem. */
  private async read<T>(path: string, query: Record<string, string>): Promise<T> {
    try {
      return (await this.client.request<T>({ method: 'GET', path, query, signal: this.signal })).body;
    } catch (error) {
      return this.readFailed(error);
    }
  }

  private readFailed(error: unknown): never {
    if (!(error instanceof ZendeskResponseError)) throw error;
    throwIfWholeCallFailed(error);
    throw new PermanentDestinationError(
      'SB_SYNC_ZENDESK_REQUEST',
      `${error.message}. Check destinations.zendesk.url (https://<subdomain>.zendesk.com; now ${this.client.baseUrl}).`,
      { cause: error },
    );
  }

  // ---- 3. write ------------------------------------------------------------------------

  private async create(records: readonly ChangeRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (records.length === 1) return this.createOne(records[0] as ChangeRecord);
    const tickets = records.map(createPayload);
    const job = await this.submit('POST', '/tickets/create_many', { tickets }, records);
    if (job !== null) await this.settle(job, records, (result) => (result.index === undefined ? records.find((r) => r.key === result.external_id) : records[result.index]));
  }

  /** POST /tickets with Idempotency-Key: a repeat within Zendesk's window returns the first ticket (reference §2.2). */
  private async createOne(record: ChangeRecord): Promise<void> {
    try {
      const response = await this.client.request<{ ticket: Ticket }>({
        method: 'POST',
        path: '/tickets',
        body: { ticket: createPayload(record) },
        headers: { 'idempotency-key': idempotencyHeader(record.idempotencyKey) },
        signal: this.signal,
      });
      const lookup = response.headers.get('x-idempotency-lookup');
      this.logger.debug({ sync: this.context.sync, key: record.key, ticket: response.body.ticket.id, idempotencyLookup: lookup }, 'zendesk ticket created');
      this.set(record, { status: 'sent', externalRef: String(response.body.ticket.id) });
    } catch (error) {
      if (!(error instanceof ZendeskResponseError)) throw error;
      throwIfWholeCallFailed(error);
      // Documented (https://developer.zendesk.com/api-reference/ticketing/introduction/#idempotency):
      // the key was used within its ~2 h life with another body. The key is this change's own,
      // so an earlier attempt sent it with a body built differently (e.g. by an older
      // Switchboard) and the look-up found no ticket for it (an agent deleted or re-keyed it).
      // Resending cannot help until the key expires: a rejection an operator can replay.
      if (error.status === 400 && error.code === 'IdempotentRequestError') {
        this.set(record, {
          status: 'rejected',
          code: 'SB_SYNC_ZENDESK_IDEMPOTENCY_KEY_REUSED',
          reason: `Zendesk refused Idempotency-Key ${idempotencyHeader(record.idempotencyKey)}: it was used with another request body within its ~2 h life (${error.reason}), and no ticket with external_id ${record.key} carries this change. Replay the record (--replay-rejected) after two hours.`,
        });
        return;
      }
      // [docs leave open] Zendesk documents no 409 for Idempotency-Key; other APIs use it for
      // "the first request with this key is still in progress". Kept as a fallback only: retry.
      if (error.status === 409) this.set(record, { status: 'retry', code: error.code, reason: error.reason });
      else this.set(record, { status: 'rejected', code: error.code, reason: error.reason });
    }
  }

  private async update(updates: readonly Update[]): Promise<void> {
    if (updates.length === 0) return;
    const records = updates.map((u) => u.record);
    const tickets = updates.map((u) => updatePayload(u.record, u.ticket));
    const job = await this.submit('PUT', '/tickets/update_many', { tickets }, records);
    if (job === null) return;
    await this.settle(job, records, (result) => {
      if (result.index !== undefined && records[result.index] !== undefined) return records[result.index];
      const at = updates.findIndex((u) => u.ticket.id === result.id);
      return at === -1 ? undefined : records[at];
    });
  }

  /** Sends a bulk call; a 4xx about the request (too many, invalid) rejects all its records. Null then. */
  private async submit(method: 'POST' | 'PUT', path: string, body: unknown, records: readonly ChangeRecord[]): Promise<JobStatus | null> {
    try {
      const response = await this.client.request<{ job_status: JobStatus }>({ method, path, body, signal: this.signal });
      return response.body.job_status;
    } catch (error) {
      if (!(error instanceof ZendeskResponseError)) throw error;
      throwIfWholeCallFailed(error);
      for (const record of records) this.set(record, { status: 'rejected', code: error.code, reason: error.reason });
      return null;
    }
  }

  /** Polls a job to its end and gives each record the outcome of its result row. */
  private async settle(first: JobStatus, records: readonly ChangeRecord[], recordOf: (result: JobResult) => ChangeRecord | undefined): Promise<void> {
    const outcome = await waitForJob(this.client, first, this.signal, this.settings.polling);
    const job = outcome.finished ? outcome.job : null;
    for (const result of job?.results ?? []) {
      const record = recordOf(result);
      if (record === undefined) continue;
      const failed = result.error !== undefined || result.success === false;
      if (!failed && typeof result.id === 'number') this.set(record, { status: 'sent', externalRef: String(result.id) });
      else if (failed) this.set(record, { status: 'rejected', code: result.error ?? 'JobResultFailed', reason: describeBody({ error: result.error, details: result.details }) });
    }
    const reason = !outcome.finished
      ? outcome.reason
      : job?.status === 'completed'
        ? `job ${first.id} completed without a result for this ticket`
        : `job ${first.id} ${job?.status ?? 'ended'}${job?.message ? `: ${job.message}` : ''}`;
    let missing = 0;
    for (const record of records) {
      if (this.outcomes.has(record.key)) continue;
      missing += 1;
      this.set(record, { status: 'retry', code: 'SB_SYNC_ZENDESK_JOB_INCOMPLETE', reason });
    }
    if (missing > 0) this.logger.warn({ sync: this.context.sync, job: first.id, missing, reason }, 'zendesk job left records to retry');
  }

  private async delete(deletes: ReadonlyArray<{ record: ChangeRecord; id: number | null }>): Promise<void> {
    await eachLimit(deletes, this.settings.concurrency, async ({ record, id }) => {
      if (id === null) return this.set(record, { status: 'sent', externalRef: null });
      try {
        await this.client.request({ method: 'DELETE', path: `/tickets/${id}`, signal: this.signal });
        this.set(record, { status: 'sent', externalRef: String(id) });
      } catch (error) {
        if (!(error instanceof ZendeskResponseError)) throw error;
        // Already gone: what a delete wanted.
        if (error.status === 404) return this.set(record, { status: 'sent', externalRef: String(id) });
        throwIfWholeCallFailed(error);
        this.set(record, { status: 'rejected', code: error.code, reason: error.reason });
      }
    });
  }

  private set(record: ChangeRecord, outcome: Omit<RecordOutcome, 'key'>): void {
    this.outcomes.set(record.key, { key: record.key, ...outcome });
  }
}

/** A ticket id from an externalRef ("35436"), or null when it is none. */
function ticketId(externalRef: string | null): number | null {
  if (externalRef === null || !/^\d+$/.test(externalRef)) return null;
  const id = Number(externalRef);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function normalise(ticket: Ticket): Ticket {
  return { ...ticket, tags: Array.isArray(ticket.tags) ? ticket.tags : [] };
}

/** Of the tickets sharing an external_id: the one with this change, then one Switchboard made, then the oldest. */
function choose(tickets: readonly Ticket[], tag: string): Ticket | null {
  const rank = (t: Ticket) => (t.tags.includes(tag) ? 0 : t.tags.some(isChangeTag) ? 1 : 2);
  const sorted = [...tickets].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  return sorted[0] ?? null;
}

/** Zendesk takes keys of at most 255 characters (reference §2.2); longer ones are hashed, stably. */
function idempotencyHeader(key: string): string {
  return key.length <= 255 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
