/**
 * How a ChangeRecord becomes Zendesk ticket JSON, and the change tag that makes a repeated
 * send recognisable.
 *
 * The sync's mapping names these ticket fields (destination field → model column):
 *
 * | field                       | ticket JSON                                   | notes |
 * |---|---|---|
 * | `subject`                   | `subject`                                     | |
 * | `comment_body`              | `comment.body`                                | On create, the ticket's description. On update, a new comment, unless it equals the description. |
 * | `comment_public`            | `comment.public`                              | Default false: an internal note, so the customer gets no email. |
 * | `priority`, `status`, `type`| same                                          | Lower-cased: `urgent`/`high`/`normal`/`low`; `new`/`open`/`pending`/`hold`/`solved`; `problem`/`incident`/`question`/`task`. |
 * | `tags`                      | `tags` (create and update)                    | A comma or space separated list. Updates add tags and never remove an agent's (the update sends the ticket's tags plus these). |
 * | `requester_email`, `requester_name` | `requester: {email, name}`            | Create only: Zendesk makes the end user if the email is new. |
 * | `requester_id`, `assignee_id`, `group_id`, `organization_id`, `brand_id`, `ticket_form_id` | same | Numeric ids. |
 * | `due_at`                    | `due_at`                                      | ISO-8601, for `type` task. |
 * | `custom_fields.<id>`        | `custom_fields: [{id, value}]`                | e.g. `custom_fields.360001234567: requester_phone`. |
 *
 * `external_id` is always the record's key. A null value leaves the ticket's field alone.
 * There is no `requester_phone` field: the ticket API takes a requester only as an id or
 * `{name, email}`, so map a phone number to a custom field (or keep it in the comment,
 * as models/outbound/zendesk_missed_call_tickets.sql does).
 */
import { createHash } from 'node:crypto';
import type { ChangeRecord } from '../../destination.js';
import { PermanentDestinationError } from '../../destination.js';

/** A ticket as Zendesk returns it; only what the destination reads. */
export interface Ticket {
  id: number;
  external_id: string | null;
  status: string;
  tags: string[];
  description?: string | null;
}

type FieldValue = ChangeRecord['fields'][string];

const TEXT_FIELDS = ['subject', 'due_at'] as const;
const ENUM_FIELDS = ['priority', 'status', 'type'] as const;
const ID_FIELDS = ['requester_id', 'assignee_id', 'group_id', 'organization_id', 'brand_id', 'ticket_form_id'] as const;
const OTHER_FIELDS = ['comment_body', 'comment_public', 'tags', 'requester_email', 'requester_name'] as const;
const KNOWN = new Set<string>([...TEXT_FIELDS, ...ENUM_FIELDS, ...ID_FIELDS, ...OTHER_FIELDS]);
const CUSTOM_FIELD = /^custom_fields\.(\d+)$/;

/**
 * Throws a PermanentDestinationError for a mapping that names a field this destination
 * does not know: a typo would otherwise be dropped silently on every record.
 */
export function checkFields(records: readonly ChangeRecord[], sync: string): void {
  const unknown = new Set<string>();
  for (const record of records) for (const name of Object.keys(record.fields)) if (!KNOWN.has(name) && !CUSTOM_FIELD.test(name)) unknown.add(name);
  if (unknown.size === 0) return;
  const names = [...unknown].sort().join(', ');
  throw new PermanentDestinationError(
    'SB_SYNC_ZENDESK_UNKNOWN_FIELD',
    `syncs[${sync}].mapping names ${names}, which ${unknown.size === 1 ? 'is' : 'are'} not a Zendesk ticket field here. ` +
      `Use ${[...KNOWN].sort().join(', ')} or custom_fields.<id>` +
      (unknown.has('requester_phone') ? ` (a phone number cannot name a ticket's requester: map it to a custom field, e.g. custom_fields.360001234567).` : '.'),
  );
}

/**
 * The tag that marks the ticket written by one change: `sb_change_` and 16 hex digits of
 * SHA-256 over the record's idempotency key. A ticket that already carries it has this
 * change, so a repeated send (after a crash before the engine's checkpoint) writes nothing.
 * Tags are the one ticket property every plan has that a bulk update can set and a list
 * call returns; Idempotency-Key covers only single creates (reference §2.2).
 */
export function changeTag(idempotencyKey: string): string {
  return `sb_change_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

export function isChangeTag(tag: string): boolean {
  return /^sb_change_[0-9a-f]{16}$/.test(tag);
}

/** `{"subject":…, "comment":{…}, "external_id":…, "tags":[…]}` for POST /tickets and create_many. */
export function createPayload(record: ChangeRecord): Record<string, unknown> {
  const ticket = commonFields(record.fields);
  ticket.external_id = record.key;
  ticket.tags = [...new Set([...tagList(record.fields.tags), changeTag(record.idempotencyKey)])];
  const comment = commentOf(record.fields);
  if (comment !== undefined) ticket.comment = comment;
  const requester = requesterOf(record.fields);
  if (requester !== undefined) ticket.requester = requester;
  return ticket;
}

/**
 * `{"id":…, "subject":…, "tags":[…]}` for update_many's `tickets[]` form. The whole tag list
 * is sent: the ticket's tags as the look-up saw them, without older change tags, plus the
 * record's tags and this change's tag. `additional_tags` / `remove_tags` would be gentler,
 * but under the strictest reading of the docs neither works in `tickets[]` (only with
 * `?ids=`, which applies one change to all ids): Zendesk would drop them, the change tag
 * would never be set, and a replayed update would post its comment again
 * (docs/conformance.md › Tags). The price: a tag an agent adds between the
 * look-up and the job is lost.
 */
export function updatePayload(record: ChangeRecord, current: Ticket): Record<string, unknown> {
  const ticket = commonFields(record.fields);
  ticket.id = current.id;
  const tag = changeTag(record.idempotencyKey);
  const kept = current.tags.filter((t) => !isChangeTag(t));
  ticket.tags = [...new Set([...kept, ...tagList(record.fields.tags), tag])];
  const comment = commentOf(record.fields);
  // The same text as the description adds nothing but noise to the ticket's history.
  if (comment !== undefined && comment.body !== current.description) ticket.comment = comment;
  return ticket;
}

function commonFields(fields: ChangeRecord['fields']): Record<string, unknown> {
  const ticket: Record<string, unknown> = {};
  for (const name of TEXT_FIELDS) if (present(fields[name])) ticket[name] = String(fields[name]);
  for (const name of ENUM_FIELDS) if (present(fields[name])) ticket[name] = String(fields[name]).trim().toLowerCase();
  for (const name of ID_FIELDS) if (present(fields[name])) ticket[name] = idValue(fields[name]);
  const custom: Array<{ id: number; value: FieldValue }> = [];
  for (const [name, value] of Object.entries(fields)) {
    const id = CUSTOM_FIELD.exec(name)?.[1];
    if (id !== undefined && present(value)) custom.push({ id: Number(id), value });
  }
  if (custom.length > 0) ticket.custom_fields = custom;
  return ticket;
}

function commentOf(fields: ChangeRecord['fields']): { body: string; public: boolean } | undefined {
  if (!present(fields.comment_body) || String(fields.comment_body).trim() === '') return undefined;
  const pub = fields.comment_public;
  return { body: String(fields.comment_body), public: pub === true || pub === 1 || (typeof pub === 'string' && /^(true|1|yes)$/i.test(pub)) };
}

function requesterOf(fields: ChangeRecord['fields']): { email?: string; name?: string } | undefined {
  if (!present(fields.requester_email)) return undefined;
  const email = String(fields.requester_email);
  return present(fields.requester_name) ? { email, name: String(fields.requester_name) } : { email };
}

/** `"switchboard, priority_caller"` → `['switchboard', 'priority_caller']`; Zendesk tags are lower case without spaces. */
export function tagList(value: FieldValue | undefined): string[] {
  if (!present(value)) return [];
  return String(value)
    .split(/[,\s]+/)
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

/** Ids are 64-bit in Zendesk but below 2^53 in practice; a string that is not a number goes as is, for Zendesk to refuse. */
function idValue(value: FieldValue): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

function present(value: FieldValue | undefined): value is string | number | boolean {
  return value !== null && value !== undefined;
}
