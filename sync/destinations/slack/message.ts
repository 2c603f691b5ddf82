/**
 * From a ChangeRecord to the arguments of chat.postMessage / chat.update, and the two things
 * that let a message be found again: the external reference the engine stores, and the
 * message metadata Slack keeps with the message.
 *
 * Fields the Slack destination reads (a sync's `mapping` names them):
 * - `text` (required unless `blocks` is given): the message, in Slack mrkdwn, e.g.
 *   `:rotating_light: Missed call from +6591234567 at 2025-03-04 11:20 UTC — not called back yet`.
 *   With blocks it is the notification fallback.
 * - `blocks` (optional): Block Kit as JSON text, an array of blocks or `{"blocks":[…]}`.
 *   Empty or null on an edit removes the blocks an earlier version had.
 * Other fields are ignored.
 */
import type { ChangeRecord } from '../../destination.js';

/** Where a posted message lives: a channel ID and its `ts`, always a string (`"1700000000.000100"`). */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** `C0123ABCD:1700000000.000100`: what the engine stores as the record's externalRef. */
export function formatRef(ref: SlackMessageRef): string {
  return `${ref.channel}:${ref.ts}`;
}

/** The inverse of {@link formatRef}; null for anything else (a ts must keep its digits exactly, so it stays text). */
export function parseRef(externalRef: string | null): SlackMessageRef | null {
  if (externalRef === null) return null;
  const match = /^([A-Z0-9]+):([0-9]+\.[0-9]+)$/.exec(externalRef);
  return match === null ? null : { channel: match[1] as string, ts: match[2] as string };
}

/** The `event_type` of the metadata on every alert Switchboard posts. */
export const ALERT_EVENT_TYPE = 'switchboard_alert';

/** Message metadata naming the sync and key an alert belongs to (https://docs.slack.dev/messaging/message-metadata). */
export interface AlertMetadata {
  event_type: typeof ALERT_EVENT_TYPE;
  event_payload: { sync: string; key: string };
}

export function alertMetadata(sync: string, key: string): AlertMetadata {
  return { event_type: ALERT_EVENT_TYPE, event_payload: { sync, key } };
}

/** The (sync, key) of an alert found in a channel's history, or null when the message is not one. */
export function alertOf(message: { metadata?: { event_type?: unknown; event_payload?: unknown } }): { sync: string; key: string } | null {
  const metadata = message.metadata;
  if (metadata?.event_type !== ALERT_EVENT_TYPE) return null;
  const payload = metadata.event_payload as { sync?: unknown; key?: unknown } | undefined;
  return typeof payload?.sync === 'string' && typeof payload.key === 'string' ? { sync: payload.sync, key: payload.key } : null;
}

/** What a message says. `blocks` undefined: not mapped (an edit keeps what is there). */
export interface MessageContent {
  text: string | undefined;
  blocks: unknown[] | undefined;
}

/**
 * Reads `text` and `blocks`; an invalid `blocks` gives Slack's own code, so the record is
 * rejected as Slack would reject it, without a call.
 * @example messageContent({ text: 'Missed call', blocks: '[{"type":"divider"}]' }) → { text: 'Missed call', blocks: [{ type: 'divider' }] }
 */
export function messageContent(fields: ChangeRecord['fields']): MessageContent | { invalid: 'invalid_blocks'; reason: string } {
  const text = fields.text === null || fields.text === undefined ? undefined : String(fields.text);
  if (!('blocks' in fields)) return { text, blocks: undefined };
  const raw = fields.blocks;
  if (raw === null || raw === '') return { text, blocks: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch (error) {
    return { invalid: 'invalid_blocks', reason: `the blocks field is not JSON (${(error as Error).message})` };
  }
  const blocks = Array.isArray(parsed) ? parsed : (parsed as { blocks?: unknown } | null)?.blocks;
  if (!Array.isArray(blocks)) return { invalid: 'invalid_blocks', reason: 'the blocks field must be a JSON array of blocks, or an object with one under "blocks"' };
  return { text, blocks };
}
