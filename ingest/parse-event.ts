/**
 * Turns a verified body into an 8x8 event, for the landing route and for replays alike:
 * the exact text (for the raw table) and the parsed object (for classification).
 */
import { IngestError } from './errors.js';

// fatal: invalid UTF-8 is refused rather than replaced, so stored text is the exact bytes;
// ignoreBOM: a leading byte-order mark is kept in the text, not silently dropped.
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as exact text, and parsed. */
export function parseEvent(body: Buffer): { text: string; event: Record<string, unknown> } {
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(body);
    // RFC 8259 §8.1: a parser may ignore a byte-order mark; the stored text keeps it.
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new IngestError(
      'SB_INGEST_BODY_NOT_JSON',
      body.length === 0
        ? 'The body is empty. 8x8 webhooks carry a JSON event.'
        : 'The body is not UTF-8 JSON. If this is an XML delivery receipt, ask 8x8 support to switch the webhook to JSON.',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new IngestError('SB_INGEST_BODY_NOT_OBJECT', 'The body is JSON but not an object; 8x8 events are JSON objects.');
  }
  return { text, event: parsed as Record<string, unknown> };
}
