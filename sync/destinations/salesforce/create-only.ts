/**
 * Fields Salesforce lets a call set when it creates a record but never afterwards, and what
 * Switchboard sets on create. The Object Reference marks such a field "Create" without
 * "Update"; setting it on an update (or an upsert that matches an existing record) refuses
 * the record with INVALID_FIELD_FOR_INSERT_UPDATE.
 *
 * - Task.TaskSubtype (picklist: Task, Email, ListEmail, Cadence, Call, LinkedIn): Create, not
 *   Update. `Call` makes the Task show as a logged call in the activity timeline.
 *   https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-task.html
 *
 * A sync's mapping may set such a field itself; it is then sent on creates only, like the
 * default.
 */
import type { ChangeRecord, RecordOutcome } from '../../destination.js';

export interface CreateOnly {
  /** Fields that must not be sent on updates. */
  fields: readonly string[];
  /** Values a create sets unless the mapping gives one. */
  onCreate: Readonly<Record<string, string>>;
}

export const CREATE_ONLY: Readonly<Record<string, CreateOnly>> = {
  Task: { fields: ['TaskSubtype'], onCreate: { TaskSubtype: 'Call' } },
};

/** The code Salesforce refuses a record with when the call may not set one of its fields. */
export const FIELD_NOT_SETTABLE = 'INVALID_FIELD_FOR_INSERT_UPDATE';

/**
 * The record as it is sent: with the create defaults when it may create a record, without
 * the create-only fields when it can only update one.
 * @example forSend(record, 'Task', 'create') → fields plus { TaskSubtype: 'Call' }
 */
export function forSend(record: ChangeRecord, object: string, intent: 'create' | 'update'): ChangeRecord {
  const rules = CREATE_ONLY[object];
  if (rules === undefined) return record;
  if (intent === 'create') return { ...record, fields: { ...rules.onCreate, ...record.fields } };
  const fields = Object.fromEntries(Object.entries(record.fields).filter(([name]) => !rules.fields.some((f) => f.toLowerCase() === name.toLowerCase())));
  return { ...record, fields };
}

/** True when Salesforce refused the record for one of `object`'s create-only fields (it exists already). */
export function refusedCreateOnly(outcome: RecordOutcome | undefined, object: string): boolean {
  const rules = CREATE_ONLY[object];
  return rules !== undefined && outcome?.code === FIELD_NOT_SETTABLE && rules.fields.some((f) => outcome.reason?.includes(f) === true);
}
