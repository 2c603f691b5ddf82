/**
 * The contract between the sync engine (sync/engine.ts) and one destination
 * (sync/destinations/<name>/). The engine computes what changed inside the warehouse and
 * hands a destination batches of changes; the destination sends them with its vendor's
 * client and says, per record, what happened. The engine alone keeps state: it records
 * outcomes, moves the snapshot (the checkpoint) only for records the destination confirmed,
 * and retries what the destination calls transient.
 *
 * Repeated sends must be safe: after a crash between a send and the snapshot write, the
 * engine sends the same change again with the same `idempotencyKey`. A destination makes
 * that harmless with an external ID (Salesforce upsert), an Idempotency-Key header or
 * external_id lookup (Zendesk), or message metadata it can find again (Slack).
 */
import type { Warehouse } from '../sql/warehouse.js';

/** What the engine asks for one record. */
export type ChangeAction = 'create' | 'update' | 'delete';

/** One changed row of a sync's model, already mapped to destination fields. */
export interface ChangeRecord {
  /** The sync key's value (text), e.g. a call_id. Unique within a batch. */
  key: string;
  action: ChangeAction;
  /**
   * Destination field → value, from the sync's mapping, e.g. `{ Subject: 'Call', CallDurationInSeconds: 215 }`.
   * Empty for deletes. Timestamps are ISO-8601 strings; values are as the warehouse returned them.
   */
  fields: Record<string, string | number | boolean | null>;
  /**
   * What the destination said about this key when it last confirmed a send (RecordOutcome.externalRef):
   * a Salesforce Id, a Zendesk ticket id, a Slack `channel:ts`. Null when never sent or not given.
   */
  externalRef: string | null;
  /** Stable for (sync, key, row content): the same change sent twice carries the same key. */
  idempotencyKey: string;
}

export type OutcomeStatus =
  /** The destination confirmed it. The snapshot moves. */
  | 'sent'
  /** Refused for good (validation, missing record, permissions): waits until the row changes or an operator replays it. */
  | 'rejected'
  /** Failed for now (rate limit, 5xx, lock): the engine retries with backoff. */
  | 'retry'
  /** Not sent on purpose (e.g. an update-only sync met a record that does not exist, when the destination can tell). */
  | 'skipped';

/** What happened to one record: one per ChangeRecord, same key. */
export interface RecordOutcome {
  key: string;
  status: OutcomeStatus;
  /** For 'sent': the id the engine stores and hands back next time as ChangeRecord.externalRef. */
  externalRef?: string | null;
  /** For 'rejected' / 'retry' / 'skipped': the destination's own code and message, e.g. `REQUIRED_FIELD_MISSING`. */
  code?: string;
  reason?: string;
  /** For 'retry': the destination asked to wait this long (Retry-After). */
  retryAfterMs?: number;
  /**
   * For 'retry': retrying within this run cannot help (e.g. Salesforce's rolling 24-hour API
   * allocation is used up). The engine checkpoints what was confirmed, stops the run and
   * leaves the rest to the next one; the run's error says why (`code`, `reason`).
   */
  deferRun?: boolean;
}

/**
 * A whole call failed in a way worth retrying (429, 5xx, timeout, network): the engine
 * backs off (at least `retryAfterMs` when the destination gave one) and resends the batch.
 */
export class TransientDestinationError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'TransientDestinationError';
  }
}

/**
 * A whole call failed because of a limit that will not clear within this run (Salesforce's
 * rolling 24-hour API allocation): the engine stops the run without backing off and retrying,
 * records `code` and the message as the run's error, and the next run sends the rest.
 */
export class DeferRunError extends TransientDestinationError {
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, undefined, options);
    this.name = 'DeferRunError';
  }
}

/**
 * A whole call failed in a way retrying cannot fix (bad credentials, unknown object, a
 * config mistake): the engine stops this sync's run and reports `code` and the message.
 */
export class PermanentDestinationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'PermanentDestinationError';
  }
}

export interface SendContext {
  /** The sync's name, e.g. `calls_to_salesforce`. */
  sync: string;
  /**
   * The sync's mode. `create` actions come from upsert and create-only syncs alike: a create
   * that meets an existing record may update it only in `upsert`/`mirror`. The engine always
   * sets it; a destination called without it must read actions the safe way (a create never
   * updates, an update never creates).
   */
  mode?: 'upsert' | 'update' | 'create' | 'mirror';
  /** The sync's destination object, e.g. `Task`, `tickets`, or a Slack channel id. */
  object: string;
  /** Aborted when the run must stop (shutdown, run deadline); stop promptly and throw. */
  signal: AbortSignal;
}

export interface Destination {
  /** e.g. `salesforce`. */
  readonly type: string;
  /** Most records per send() call, e.g. 200 for Salesforce sObject Collections. */
  readonly batchSize: number;
  /**
   * The batch size for a run with `total` changes, when it depends on them (Salesforce: small
   * batches for sObject Collections, so the engine checkpoints one while the next is sent;
   * one big batch above the Bulk API threshold). At most `batchSize`; `batchSize` when absent.
   */
  batchSizeFor?(total: number): number;
  /**
   * Sends one batch; resolves with exactly one outcome per record (any order). Throws
   * TransientDestinationError / PermanentDestinationError for failures of the whole call.
   */
  send(records: readonly ChangeRecord[], context: SendContext): Promise<RecordOutcome[]>;
  /**
   * Runs before each (non-dry) run of a sync to this destination, e.g. Salesforce pulls its
   * Contacts and Leads into `<modelsSchema>.salesforce_people` so the sync's model can match
   * WhoIds (phones normalised with `defaultRegion`). A failure fails the run.
   */
  beforeSync?(context: { warehouse: Warehouse; rawSchema: string; modelsSchema: string; defaultRegion?: string; signal: AbortSignal }): Promise<void>;
  /** Releases connections. */
  close?(): Promise<void>;
}
