/** What the Zendesk destination tests share: a change record as the engine builds it, and outcome helpers. */
import type { ChangeRecord, RecordOutcome } from '../../sync/destination.js';

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
