/**
 * Realistic messaging webhooks for the benchmark: the documented samples (SMS inbound and
 * receipts, Chat Apps inbound v3 and receipts v9) with a fresh umid and timestamp each, and
 * one delivery in twenty a retry of an earlier event, as 8x8's retries produce.
 */
import { MESSAGING_SAMPLES } from '../ingest/families/messaging/samples.js';

const TEMPLATES = [
  MESSAGING_SAMPLES['sms-inbound'],
  MESSAGING_SAMPLES['sms-receipt'],
  MESSAGING_SAMPLES['chatapps-inbound-v3'],
  MESSAGING_SAMPLES['chatapps-receipt-v9'],
].map((text) => JSON.parse(text) as { payload: { umid: string; timestamp?: string; status?: { timestamp: string } } });

export class PayloadSource {
  private next = 0;
  private readonly recent: string[] = [];

  /** The next body to send; `fresh` is false for a retry of an earlier event. */
  body(): { body: string; fresh: boolean } {
    const n = this.next++;
    if (n % 20 === 19 && this.recent.length > 0) return { body: this.recent[n % this.recent.length] as string, fresh: false };
    const event = structuredClone(TEMPLATES[n % TEMPLATES.length]) as (typeof TEMPLATES)[number];
    const now = new Date(Date.UTC(2026, 10, 27) + n * 37).toISOString();
    event.payload.umid = `bench-${process.pid}-${n.toString(36).padStart(8, '0')}-4e8a-9c21-0d6e4b8f7a10`;
    if (event.payload.timestamp !== undefined) event.payload.timestamp = now;
    if (event.payload.status !== undefined) event.payload.status.timestamp = now;
    const body = JSON.stringify(event);
    if (this.recent.length < 1000) this.recent.push(body);
    else this.recent[n % 1000] = body;
    return { body, fresh: true };
  }
}
