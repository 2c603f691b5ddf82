/**
 * What a Work Analytics record lands as: a raw event with a pull-only dedupe key
 * (`work:call:<callId>`, `work:leg:<callId>:<legId>`), the record's exact JSON as body,
 * and when the call started. Normalising the messy fields (numbers with and without `+`,
 * "CallQueue", "Missed"/"-", `HH:MM:SS`) is the models' job, not this one.
 */
import { DateTime } from 'luxon';
import { WorkAnalyticsError } from './errors.js';

export type WorkEventType = 'WORK_CALL_RECORD' | 'WORK_CALL_LEG';

/** One record, ready to land. Shaped like `PulledEvent` in ../land.ts, plus `occurredAt`. */
export interface WorkLandingEvent {
  /** e.g. `work:call:1741090012345` or `work:leg:1741090012345:2`. */
  dedupeKey: string;
  eventType: WorkEventType;
  /** `JSON.stringify` of the record object as parsed from the page. */
  body: string;
  /** From `startTimeUTC` (epoch ms); from `startTime` when that is missing or 0; else null. */
  occurredAt: Date | null;
}

/** A call record (`/v2/call-records`) as a landing event. */
export function callRecordEvent(record: Record<string, unknown>): WorkLandingEvent {
  const callId = idOf(record, 'callId', 'call record');
  return { dedupeKey: `work:call:${callId}`, eventType: 'WORK_CALL_RECORD', body: JSON.stringify(record), occurredAt: occurredAt(record) };
}

/** A call leg (`/v2/call-legs`) as a landing event. */
export function callLegEvent(record: Record<string, unknown>): WorkLandingEvent {
  const callId = idOf(record, 'callId', 'call leg');
  const legId = idOf(record, 'legId', 'call leg');
  return { dedupeKey: `work:leg:${callId}:${legId}`, eventType: 'WORK_CALL_LEG', body: JSON.stringify(record), occurredAt: occurredAt(record) };
}

function idOf(record: Record<string, unknown>, field: string, what: string): string {
  const value = record[field];
  // callId is a numeric string in the docs, an integer in places; both key the same.
  if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value).trim();
  throw new WorkAnalyticsError('SB_PULL_WORK_RECORD_INVALID', `A Work Analytics ${what} has no ${field}: ${JSON.stringify(record).slice(0, 200)}`);
}

function occurredAt(record: Record<string, unknown>): Date | null {
  // *TimeUTC are epoch ms, 0 meaning "none" (reference §6).
  const utc = Number(record['startTimeUTC']);
  if (Number.isFinite(utc) && utc > 0) return new Date(utc);
  const local = record['startTime'];
  if (typeof local === 'string') {
    // `2025-03-04T07:06:52.345-0500`: luxon reads the colon-less offset.
    const parsed = DateTime.fromISO(local, { setZone: true });
    if (parsed.isValid) return parsed.toJSDate();
  }
  return null;
}
