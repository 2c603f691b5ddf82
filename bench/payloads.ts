/**
 * Realistic messaging webhooks for the benchmark: the documented samples (SMS inbound and
 * receipts, Chat Apps inbound v3 and receipts v9) with a fresh umid and timestamp each, and
 * one delivery in twenty a retry of a recent event, as 8x8's retries produce.
 *
 * Bodies are spliced from pre-split templates: the load generator shares the machine with
 * the server, so building a body must cost well under a microsecond, not a JSON round trip.
 */
import { randomBytes } from 'node:crypto';
import { MESSAGING_SAMPLES } from '../ingest/families/messaging/samples.js';

const SAMPLE_NAMES = ['sms-inbound', 'sms-receipt', 'chatapps-inbound-v3', 'chatapps-receipt-v9'] as const;
const UMID = '\u0000umid\u0000';
const TIME = '\u0000time\u0000';
/** Every RETRY_EVERY-th delivery repeats one of the last RECENT events (5 %). */
const RETRY_EVERY = 20;
const RECENT = 1000;

interface Template {
  /** Literal text, with a slot (umid or time) between each two parts. */
  parts: string[];
  slots: Array<'umid' | 'time'>;
}

/** One sample with its umid and event timestamps replaced by markers, split around them. */
function template(name: (typeof SAMPLE_NAMES)[number]): Template {
  const event = JSON.parse(MESSAGING_SAMPLES[name]) as { payload: { umid: string; timestamp?: string; status?: { timestamp: string } } };
  event.payload.umid = UMID;
  if (event.payload.timestamp !== undefined) event.payload.timestamp = TIME;
  if (event.payload.status !== undefined) event.payload.status.timestamp = TIME;
  // JSON.stringify escapes the NUL markers as \u0000; split on that escaped form.
  const text = JSON.stringify(event);
  const pieces = text.split(/(\\u0000umid\\u0000|\\u0000time\\u0000)/);
  const parts: string[] = [];
  const slots: Array<'umid' | 'time'> = [];
  pieces.forEach((piece, i) => {
    if (i % 2 === 0) parts.push(piece);
    else slots.push(piece.includes('umid') ? 'umid' : 'time');
  });
  return { parts, slots };
}

const TEMPLATES = SAMPLE_NAMES.map(template);

export interface Payload {
  body: string;
  /** False for a retry of an earlier event (same body, same dedupe key). */
  fresh: boolean;
}

/** An endless stream of bodies; share one instance to keep events unique across runs. */
export class PayloadSource {
  private next = 0;
  private readonly recent: string[] = [];
  /** Random per source, so two benchmarks never share umids. */
  private readonly prefix = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-4e8a-9c21`;
  private readonly epoch = Date.UTC(2026, 0, 1);

  /** The next body, e.g. an SMS receipt for umid `1a2b3c4d-5e6f-4e8a-9c21-00000000002a`. */
  body(): Payload {
    const n = this.next++;
    if (n % RETRY_EVERY === RETRY_EVERY - 1 && this.recent.length > 0) {
      return { body: this.recent[(n * 7919) % this.recent.length] as string, fresh: false };
    }
    const { parts, slots } = TEMPLATES[n % TEMPLATES.length] as Template;
    const umid = `${this.prefix}-${n.toString(16).padStart(12, '0')}`;
    const time = new Date(this.epoch + n * 37).toISOString();
    let body = parts[0] as string;
    for (let i = 0; i < slots.length; i++) body += (slots[i] === 'umid' ? umid : time) + (parts[i + 1] as string);
    if (this.recent.length < RECENT) this.recent.push(body);
    else this.recent[n % RECENT] = body;
    return { body, fresh: true };
  }
}
