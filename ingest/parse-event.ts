/**
 * Turns a verified body into an 8x8 event, for the landing route and for replays alike:
 * the exact text (for the raw table) and the parsed object (for classification).
 * JSON always; XML for families that declare `xmlBodies` (Connect messaging: 8x8 documents
 * an XML rendering of its delivery receipts, docs/connect/docs/delivery-receipts-for-outbound-sms.md).
 */
import { IngestError } from './errors.js';
import { jsonSafeCopy } from './storable-text.js';
import { looksLikeXml, parseXmlEvent } from './xml-event.js';

// fatal: invalid UTF-8 is refused rather than replaced, so stored text is the exact bytes;
// ignoreBOM: a leading byte-order mark is kept in the text, not silently dropped.
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface ParseOptions {
  /** Also read an XML document (SourceFamily.xmlBodies). */
  xml?: boolean | undefined;
}

/** The body as exact text, and parsed. */
export function parseEvent(body: Buffer, options: ParseOptions = {}): { text: string; event: Record<string, unknown> } {
  let text: string;
  let parsed: unknown;
  if (options.xml === true) {
    const xml = parseXml(body);
    if (xml !== null) return xml;
  }
  try {
    text = utf8.decode(body);
    // RFC 8259 §8.1: a parser may ignore a byte-order mark; the stored text keeps it.
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new IngestError(
      'SB_INGEST_BODY_NOT_JSON',
      body.length === 0
        ? 'The body is empty. 8x8 webhooks carry a JSON event.'
        : options.xml === true
          ? 'The body is neither UTF-8 JSON nor a well-formed XML document (no DOCTYPE).'
          : 'The body is not UTF-8 JSON; this route takes only JSON events.',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new IngestError('SB_INGEST_BODY_NOT_OBJECT', 'The body is JSON but not an object; 8x8 events are JSON objects.');
  }
  return { text, event: parsed as Record<string, unknown> };
}

/** An XML body as exact text and as the object its JSON rendering would be; null when it is not XML. */
function parseXml(body: Buffer): { text: string; event: Record<string, unknown> } | null {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return null;
  }
  if (!looksLikeXml(text)) return null;
  const event = parseXmlEvent(text);
  if (event === null) {
    throw new IngestError('SB_INGEST_BODY_NOT_JSON', 'The body looks like XML but is not a well-formed XML document this route reads (elements and text; no DOCTYPE).');
  }
  return { text, event };
}

/**
 * The copy of a landed body that models parse (raw tables' `body_json`), or null when they
 * can read `body` itself: for an XML body, the JSON rendering of its fields (so models read
 * XML receipts with the same JSON paths as JSON ones); for JSON, jsonSafeCopy.
 * @example modelBodyCopy('<root><a>1</a></root>') → '{"a":"1"}'
 */
export function modelBodyCopy(body: string): string | null {
  if (looksLikeXml(body)) {
    const event = parseXmlEvent(body);
    if (event !== null) {
      const json = JSON.stringify(event);
      return jsonSafeCopy(json) ?? json;
    }
  }
  return jsonSafeCopy(body);
}
