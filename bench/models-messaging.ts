/**
 * Connect messaging for bench:models (shapes of ingest/families/messaging/samples.ts): SMS
 * and Chat Apps inbound messages, outbound messages seen only through their receipts
 * (sent → delivered → read, or undelivered/rejected), WhatsApp Business App echoes, and
 * short-URL clicks, which no model reads. Receipts carry the state's own time; 8x8 sends
 * each a little later, independently, so they often arrive out of order.
 */
import { entity, iso, text, type Entity, type NumberPool, type PlannedEvent, type Webhook } from './models-events.js';
import type { Random } from './models-random.js';

const HEADERS = { 'content-type': 'application/json', 'user-agent': '8x8-Connect-Webhooks/1.0' };
const SENDER_IDS = ['ACME', 'AcmeShop', 'AcmeBank'];
const CHANNELS: Record<string, readonly string[]> = {
  whatsapp: ['8e4d1303-5754-e911-8154-020897df5459', '1c9a7e52-0b3d-4f6e-9a21-6d0e4b8f7a10'],
  viber: ['b6f0c2d4-7e1a-4c3b-8d5e-2f9a0b1c3d4e'],
};

type Kind = 'sms-inbound' | 'sms-outbound' | 'chatapps-inbound' | 'chatapps-outbound' | 'echo' | 'click';

/**
 * Entity kinds by how often they happen; outbound messages bring 2–3 receipts each.
 * `multiEvent` picks only kinds with more than one event (for messages still in flight).
 */
export function messagingEntity(r: Random, numbers: NumberPool, multiEvent = false): Entity {
  const kind: Kind = multiEvent
    ? r.weighted({ 'sms-outbound': 35, 'chatapps-outbound': 25 })
    : r.weighted<Kind>({ 'sms-inbound': 20, 'sms-outbound': 35, 'chatapps-inbound': 18, 'chatapps-outbound': 20, echo: 4, click: 3 });
  const umid = r.uuid();
  const customer = numbers.customer();
  const connect = (namespace: string, eventType: string, dedupeKey: string, body: object): Webhook => ({
    family: 'messaging',
    eventType: `${namespace}.${eventType}`,
    dedupeKey,
    body: JSON.stringify(body),
    headers: HEADERS,
  });
  const one = (write: (start: number) => Webhook): Entity => entity('messaging', [{ offset: 0, write }]);

  switch (kind) {
    case 'sms-inbound': {
      const vn = numbers.virtualNumber();
      const body = text(r, 'customer');
      return one((start) =>
        connect('SMS', 'inbound_message_received', `SMS:inbound_message_received:${umid}`, {
          namespace: 'SMS', eventType: 'inbound_message_received', description: 'SMS inbound message',
          payload: {
            umid, subAccountId: 'acme_sms_prod', timestamp: iso(start), source: customer.e164, destination: vn.e164,
            body, encoding: 'GSM7', smsCount: 1, price: { total: 0.0061, perSms: 0.0061, currency: 'USD' },
          },
        }),
      );
    }
    case 'chatapps-inbound': {
      const channel = r.chance(0.85) ? 'whatsapp' : 'viber';
      const v3 = r.chance(0.7);
      const content = text(r, 'customer');
      const userId = v3 ? `${customer.region}.${r.digits(17)}` : customer.e164.slice(1);
      const channelId = r.pick(CHANNELS[channel] ?? []);
      const name = r.chance(0.6) ? 'Ana Souza' : undefined;
      return one((start) =>
        connect('ChatApps', 'inbound_message_received', `ChatApps:inbound_message_received:${umid}`, {
          ...(v3 ? { version: 3 } : {}), namespace: 'ChatApps', eventType: 'inbound_message_received', description: 'ChatApps inbound message',
          payload: {
            // v2 writes 7 fraction digits, as .NET does.
            umid, subAccountId: 'acme_wa_prod', timestamp: v3 ? iso(start) : `${iso(start).slice(0, 23)}0893Z`,
            user: { msisdn: customer.e164, channelUserId: userId, ...(name === undefined ? {} : { name }) },
            recipient: { channel, channelId }, type: 'Text', content: { text: content },
          },
        }),
      );
    }
    case 'echo': {
      const content = text(r, 'agent');
      return one((start) =>
        connect('ChatApps', 'external_app_message', `ChatApps:external_app_message:${umid}`, {
          version: 9, namespace: 'ChatApps', eventType: 'external_app_message', description: 'Message sent from the WhatsApp Business App',
          payload: { umid, subAccountId: 'acme_wa_prod', channel: 'whatsapp', user: { msisdn: customer.e164 }, timestamp: iso(start), type: 'Text', content: { text: content } },
        }),
      );
    }
    case 'click': {
      const eventId = r.uuid();
      return one((start) =>
        connect('SMS', 'short_url_clicked', `SMS:click:${eventId}`, {
          namespace: 'SMS', eventType: 'short_url_clicked', description: 'Short URL clicked',
          payload: { eventId, occurredAt: iso(start), umid, destination: customer.e164, shortUrl: `https://8x8.ly/${r.base64url(6)}`, targetUrl: 'https://acme.example/orders' },
        }),
      );
    }
    case 'sms-outbound':
    case 'chatapps-outbound':
      return receipts(r, kind === 'sms-outbound' ? 'SMS' : 'ChatApps', umid, customer.e164, numbers);
  }
}

interface Receipt {
  state: string;
  detail: string | undefined;
  /** When the state was reached, ms after the message was sent. */
  at: number;
  errorCode?: string;
}

/** The receipts of one outbound message: each state at its own time, each sent 0.2–20 s later. */
function receipts(r: Random, namespace: 'SMS' | 'ChatApps', umid: string, to: string, numbers: NumberPool): Entity {
  const sms = namespace === 'SMS';
  const fate = r.weighted({ delivered: 88, undelivered: 6, rejected: 3, pending: 3 });
  const sent = Math.round(r.between(300, 3_000));
  // States and details: https://developer.8x8.com/connect/docs/message-status-references (8x8.md §1.3).
  const list: Receipt[] = [];
  if (!sms) list.push({ state: 'queued', detail: undefined, at: Math.round(sent / 3) });
  if (fate === 'rejected') list.push({ state: 'rejected', detail: 'rejected_by_operator', at: sent, errorCode: '21' });
  else {
    list.push({ state: 'sent', detail: 'delivered_to_operator', at: sent });
    const reached = sent + Math.round(r.logNormal(4_000, 1));
    if (fate === 'delivered') list.push({ state: 'delivered', detail: 'delivered_to_recipient', at: reached });
    if (fate === 'undelivered') list.push({ state: 'undelivered', detail: 'undelivered_to_recipient', at: reached, errorCode: '3' });
    // WhatsApp read receipts: often within minutes, sometimes days later (valid for 10 days, §1.5).
    if (fate === 'delivered' && !sms && r.chance(0.6)) list.push({ state: 'read', detail: undefined, at: reached + Math.round(Math.min(r.logNormal(600_000, 2), 7 * 86_400_000)) });
  }
  const source = sms ? (r.chance(0.5) ? r.pick(SENDER_IDS) : numbers.virtualNumber().e164) : undefined;
  // No price when nothing was charged (§1.3); Chat Apps receipts never have one.
  const price = (state: string) => (sms && state !== 'undelivered' && state !== 'rejected' ? { price: { total: 0.0342, perSms: 0.0342, currency: 'EUR' } } : {});
  const v9 = r.chance(0.7);
  const events: PlannedEvent[] = list.map((receipt) => ({
    offset: receipt.at + Math.round(r.between(200, 20_000)),
    write: (start) => {
      const timestamp = iso(start + receipt.at);
      const status = { state: receipt.state, ...(receipt.detail === undefined ? {} : { detail: receipt.detail }), timestamp, ...(receipt.errorCode === undefined ? {} : { errorCode: receipt.errorCode }) };
      const payload = sms
        ? { umid, subAccountId: 'acme_sms_prod', source, destination: to, status, ...price(receipt.state), smsCount: 1 }
        : { umid, subAccountId: 'acme_wa_prod', channel: 'whatsapp', user: { msisdn: to }, status };
      const body = {
        ...(v9 && !sms ? { version: 9 } : {}), namespace, eventType: 'outbound_message_status_changed',
        description: `${namespace} outbound message delivery receipt`, payload,
      };
      const key = `${namespace}:receipt:${[umid, receipt.state, receipt.detail ?? '', timestamp].join(':')}`;
      return { family: 'messaging', eventType: `${namespace}.outbound_message_status_changed`, dedupeKey: key, body: JSON.stringify(body), headers: HEADERS };
    },
  }));
  return entity('messaging', events);
}
