/**
 * JaaS meetings and Contact Center chats for bench:models (shapes of
 * ingest/families/meetings/samples.ts and contact-center/samples.ts).
 *
 * A meeting: ROOM_CREATED, 2–9 participants joining and leaving (the first a moderator;
 * 8x8 sends `moderator` as a boolean or as a string), sometimes a phone participant
 * (DIAL_IN_STARTED/ENDED with a nick like "40364630871 (+40364630871)"), ROOM_DESTROYED,
 * and for some a recording and a transcript minutes later.
 *
 * A chat: CONVERSATION_UPDATE (created, active), 4–14 MESSAGE events between the customer, a
 * bot and an agent, CONVERSATION_UPDATE (idle); a few use the legacy Chat API's TEXT events.
 */
import { entity, person, text, type Entity, type NumberPool, type PlannedEvent, type Webhook } from './models-events.js';
import type { Random } from './models-random.js';

const CUSTOMER_ID = 'c2824d584eac4489a1e32e4e164d5a3c';
const APP_ID = `vpaas-magic-cookie-${CUSTOMER_ID}`;
const ROOM_WORDS = [['weekly', 'daily', 'team', 'client', 'sales', 'support', 'board', 'design'], ['standup', 'sync', 'review', 'call', 'demo', 'planning']] as const;
const DISCONNECT_REASONS = ['left', 'left', 'left', 'left', 'unknown', 'kicked', 'switch_room'];

/** One JaaS meeting session. */
export function meeting(r: Random, numbers: NumberPool): Entity {
  const sessionId = r.uuid();
  const fqn = `${APP_ID}/${r.pick(ROOM_WORDS[0])}-${r.pick(ROOM_WORDS[1])}-${r.int(1, 40)}`;
  const length = Math.round(Math.min(Math.max(r.logNormal(30 * 60_000, 0.6), 5 * 60_000), 3 * 3_600_000));
  const events: PlannedEvent[] = [];
  const jaas = (offset: number, eventType: string, data: object): void => {
    const key = r.uuid();
    const mac = r.base64url(43);
    events.push({
      offset,
      write: (start): Webhook => ({
        family: 'meetings',
        eventType,
        dedupeKey: `jaas:${key}`,
        body: JSON.stringify({ idempotencyKey: key, customerId: CUSTOMER_ID, appId: APP_ID, eventType, sessionId, timestamp: start + offset, fqn, data }),
        headers: { 'content-type': 'application/json', 'user-agent': 'JaaS-Webhooks/1.0', 'x-jaas-signature': `t=${Math.floor((start + offset) / 1000)},v1=${mac}=` },
      }),
    });
  };

  const room = { conference: `${fqn.split('/')[1]}@conference.${APP_ID}.8x8.vc`, isBreakout: false };
  jaas(0, 'ROOM_CREATED', room);
  const people = r.int(2, 4) + (r.chance(0.3) ? r.int(1, 5) : 0);
  for (let i = 0; i < people; i++) {
    const who = person(r);
    const joined = i === 0 ? r.int(1_000, 5_000) : r.int(5_000, Math.min(length / 2, 5 * 60_000));
    const left = r.chance(0.2) ? joined + Math.round((length - joined) * r.between(0.2, 0.9)) : length - r.int(0, 90_000);
    const moderator = i === 0;
    const data = {
      avatar: '', name: who.name, id: `auth0|${r.hex(24)}`, participantJid: `${r.uuid()}@8x8.vc`,
      moderator: r.chance(0.1) ? String(moderator) : moderator,
      ...(r.chance(0.7) ? { email: who.email } : {}),
    };
    jaas(joined, 'PARTICIPANT_JOINED', data);
    jaas(Math.max(left, joined + 1_000), 'PARTICIPANT_LEFT', { ...data, disconnectReason: r.pick(DISCONNECT_REASONS) });
  }
  const dialIns = r.chance(0.15) ? (r.chance(0.2) ? 2 : 1) : 0;
  for (let i = 0; i < dialIns; i++) {
    const digits = numbers.customer().e164.slice(1);
    const data = { direction: 'in', nick: `${digits} (+${digits})`, participantJid: `dial-${r.hex(8)}@8x8.vc`, participantId: `p-${r.hex(10)}` };
    const joined = r.int(30_000, length / 2);
    jaas(joined, 'DIAL_IN_STARTED', data);
    jaas(joined + Math.round((length - joined) * r.between(0.3, 1)), 'DIAL_IN_ENDED', data);
  }
  jaas(length + r.int(1_000, 20_000), 'ROOM_DESTROYED', room);
  if (r.chance(0.1)) {
    const id = r.hex(6);
    jaas(length + r.int(60_000, 6 * 60_000), 'RECORDING_UPLOADED', {
      participants: [{ name: 'Jane Doe', avatar: '', id: `auth0|${r.hex(10)}` }],
      preAuthenticatedLink: `https://objectstorage.us-phoenix-1.oraclecloud.com/p/${r.base64url(32)}/${id}.mp4`,
      share: true, durationSec: Math.round(length / 1000), recordingSessionId: `rec-${id}`,
    });
    if (r.chance(0.5)) {
      jaas(length + r.int(5 * 60_000, 30 * 60_000), 'TRANSCRIPTION_UPLOADED', {
        preAuthenticatedLink: `https://objectstorage.us-phoenix-1.oraclecloud.com/p/${r.base64url(32)}/${id}.txt`,
      });
    }
  }
  return entity('meetings', events);
}

/** One Contact Center chat conversation. */
export function chat(r: Random): Entity {
  const conversationId = r.base64url(22);
  const agentId = `ag${r.base64url(22)}`;
  const legacy = r.chance(0.05);
  const events: PlannedEvent[] = [];
  const send = (offset: number, body: (at: number) => object): void => {
    const eventId = r.uuid();
    const signature = `eyJhbGciOiJSUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il0sImtpZCI6ImsxIn0..${r.base64url(342)}`;
    events.push({
      offset,
      write: (start): Webhook => {
        const payload = body(start + offset) as { eventType: string };
        return {
          family: 'contact-center',
          eventType: payload.eventType,
          dedupeKey: `cc:${eventId}`,
          body: JSON.stringify(payload),
          headers: {
            'content-type': 'application/json', 'user-agent': '8x8-ChatGateway/1.0', 'x-8x8-signature': signature,
            'x-8x8-customer-id': 'acme', 'x-8x8-event-id': eventId, 'x-8x8-retry': '0', 'x-8x8-tenant-id': 'acme01',
            'x-8x8-transmission-time': String(start + offset + 40),
          },
        };
      },
    });
  };

  const state = (at: number, value: 'created' | 'active' | 'idle') => ({
    eventType: 'CONVERSATION_UPDATE', conversationId, timestamp: at,
    data: { state: value, assignment: { type: 'queue', id: '212', resourceId: 'q-support' }, channel: 'webchat' },
  });
  send(0, (at) => state(at, 'created'));
  if (!legacy) send(r.int(500, 3_000), (at) => state(at, 'active'));
  let offset = r.int(1_000, 5_000);
  const count = r.int(4, 14);
  for (let i = 0; i < count; i++) {
    const sender = i === 0 ? 'customer' : i === 1 && r.chance(0.3) ? 'bot' : r.chance(0.5) ? 'customer' : 'agent';
    const content = text(r, sender === 'customer' ? 'customer' : 'agent');
    const id = sender === 'customer' ? `cu${conversationId.slice(0, 10)}` : agentId;
    // The legacy Chat API reports only what agents and the system say (messageType AGENT|SYSTEM, 8x8.md §3.1).
    if (legacy && sender !== 'customer') {
      send(offset, (at) => ({ eventType: 'TEXT', messageType: sender === 'bot' ? 'SYSTEM' : 'AGENT', conversationId, timestamp: at, agentId: id, agentName: 'Smith,Jane', message: content }));
    } else if (!legacy) {
      send(offset, (at) => ({ eventType: 'MESSAGE', conversationId, timestamp: at, data: { isEcho: false, sender: { id, type: sender }, text: content, attachments: [] } }));
    }
    offset += Math.round(r.logNormal(25_000, 0.8));
  }
  send(offset + r.int(5_000, 60_000), (at) => state(at, 'idle'));
  return entity('contact-center', events);
}
