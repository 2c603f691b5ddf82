/** What the Zendesk destination tests share: a change record as the engine builds it, and outcome helpers. */
import { after, before, beforeEach } from 'node:test';
import type { ChangeRecord, Destination, RecordOutcome, SendContext } from '../../sync/destination.js';
import { createZendeskDestination, ZENDESK_TOKEN_ENV } from '../../sync/destinations/zendesk/index.js';
import { startFakeZendesk, type FakeZendesk } from '../../fakes/zendesk/index.js';

export const FIELDS = {
  subject: 'Missed call from +6591234567',
  comment_body: 'Missed call from +6591234567 to +6568001234 at 2025-03-04 17:00:00 UTC. Rang for 00:00:30. Outcome: missed.',
  priority: 'high',
  tags: 'switchboard,priority_caller,call_missed',
};

/** A change as the engine hands it over; `version` stands for the row's content. */
export function change(key: string, action: ChangeRecord['action'], options: { fields?: ChangeRecord['fields']; ref?: string | null; version?: string } = {}): ChangeRecord {
  return {
    key,
    action,
    fields: action === 'delete' ? {} : (options.fields ?? FIELDS),
    externalRef: options.ref ?? null,
    idempotencyKey: `missed_calls_to_zendesk:${key}:${options.version ?? 'v1'}`,
  };
}

export const byKey = (outcomes: RecordOutcome[]) => new Map(outcomes.map((o) => [o.key, o]));

export function pick(outcome: RecordOutcome | undefined): Partial<RecordOutcome> {
  const { status, code, retryAfterMs } = outcome ?? ({} as RecordOutcome);
  return retryAfterMs === undefined ? { status, code } : { status, code, retryAfterMs };
}

export interface ZendeskSuite {
  /** The local Zendesk, reset before each test. */
  readonly zendesk: FakeZendesk;
  /** A destination on it with the right token, made fresh before each test. */
  readonly destination: Destination;
  /** What the engine hands a send. */
  context(): SendContext;
  /** Another destination on the same Zendesk, e.g. with a missing token. */
  make(env?: Record<string, string>, email?: string): Destination;
}

/** Registers the suite's hooks (start the fake once, reset it and make a destination per test). */
export function useFakeZendesk(): ZendeskSuite {
  let zendesk: FakeZendesk | undefined;
  let destination: Destination | undefined;
  const suite: ZendeskSuite = {
    get zendesk() {
      if (zendesk === undefined) throw new Error('the fake Zendesk starts in before()');
      return zendesk;
    },
    get destination() {
      if (destination === undefined) throw new Error('the destination is made in beforeEach()');
      return destination;
    },
    context: () => ({ sync: 'missed_calls_to_zendesk', object: 'tickets', signal: new AbortController().signal }),
    make: (env = { [ZENDESK_TOKEN_ENV]: suite.zendesk.token }, email = suite.zendesk.email) =>
      createZendeskDestination({ url: suite.zendesk.url, email }, env, { jobPolling: { intervalMs: 1, maxIntervalMs: 4, timeoutMs: 30_000 } }),
  };
  before(async () => {
    zendesk = await startFakeZendesk();
  });
  after(async () => {
    await zendesk?.close();
  });
  beforeEach(() => {
    suite.zendesk.reset();
    destination = suite.make();
  });
  return suite;
}
