/**
 * Connect voice calls for bench:models (shapes of ingest/families/voice/samples.ts): per
 * session, CALL_STATUS events for each leg as it is initiated, connected and disconnected,
 * a SESSION_SUMMARY with 1–3 legs a few seconds after the end, and for some answered calls
 * a CALL_RECORDING_STATUS. stg_voice_legs reads the first two.
 */
import { entity, iso, isoSeconds, type Entity, type NumberPool, type Phone, type PlannedEvent, type Webhook } from './models-events.js';
import type { Random } from './models-random.js';

const HEADERS = { 'content-type': 'application/json', 'user-agent': '8x8-Voice-Webhooks/1.0' };
const SUB_ACCOUNT = 'acme_voice';

type SessionStatus = 'COMPLETED' | 'NO_ANSWER' | 'BUSY' | 'CANCELED' | 'FAILED';
const SIP_CODES: Record<SessionStatus, number> = { COMPLETED: 200, NO_ANSWER: 480, BUSY: 486, CANCELED: 487, FAILED: 503 };

interface Leg {
  name: string;
  callId: string;
  direction: 'INBOUND' | 'OUTBOUND';
  source: string;
  sourceRegion: string;
  destination: string;
  destinationRegion: string;
  initiated: number;
  connected: number | null;
  disconnected: number;
  status: string;
}

function voice(eventType: string, dedupeKey: string, body: object): Webhook {
  return { family: 'voice', eventType, dedupeKey, body: JSON.stringify(body), headers: HEADERS };
}

/** One call session: inbound to a virtual number and on to an agent, or click-to-call out. */
export function voiceCall(r: Random, numbers: NumberPool): Entity {
  const sessionId = r.uuid();
  const status = r.weighted<SessionStatus>({ COMPLETED: 80, NO_ANSWER: 8, BUSY: 4, CANCELED: 6, FAILED: 2 });
  const answered = status === 'COMPLETED';
  const customer = numbers.customer();
  const vn = numbers.virtualNumber();
  const agent = numbers.agent();
  const prefix = r.chance(0.05) ? 'Call' : 'call'; // 8x8.md §2.2: legs are sometimes spelled "CallA"
  const leg = (letter: string, direction: Leg['direction'], from: Phone | string, to: Phone | string, initiated: number): Leg => ({
    name: `${prefix}${letter}`,
    callId: r.uuid(),
    direction,
    source: typeof from === 'string' ? from : from.e164,
    sourceRegion: typeof from === 'string' ? '' : from.region,
    destination: typeof to === 'string' ? to : to.e164,
    destinationRegion: typeof to === 'string' ? '' : to.region,
    initiated,
    connected: null,
    disconnected: 0,
    status,
  });

  const inbound = r.chance(0.6);
  const a = inbound ? leg('A', 'INBOUND', customer, vn, 0) : leg('A', 'OUTBOUND', vn, agent, 0);
  a.connected = status === 'CANCELED' || status === 'FAILED' ? null : Math.round(inbound ? r.between(300, 1500) : r.between(3_000, 10_000));
  const legs = [a];
  let end = (a.connected ?? 0) + Math.round(r.between(5_000, 30_000));
  if (a.connected !== null) {
    const b = inbound ? leg('B', 'OUTBOUND', vn, agent, a.connected + r.int(2_000, 8_000)) : leg('B', 'OUTBOUND', vn, customer, a.connected + r.int(500, 2_000));
    legs.push(b);
    if (answered) {
      b.connected = b.initiated + Math.round(r.logNormal(9_000, 0.5));
      end = b.connected + Math.round(Math.min(r.logNormal(150_000, 0.9), 3_600_000));
      if (r.chance(0.15)) {
        // A transfer: a third leg to another agent or an extension, for the rest of the call.
        const to = r.chance(0.3) ? numbers.extension() : numbers.agent();
        const c = leg('C', 'OUTBOUND', vn, to, b.connected + Math.round((end - b.connected) * r.between(0.2, 0.7)));
        c.connected = c.initiated + r.int(2_000, 15_000);
        if (c.connected < end) legs.push(c);
      }
    } else {
      end = b.initiated + r.int(15_000, 45_000);
    }
  }
  for (const l of legs) {
    l.disconnected = end - r.int(0, 400);
    l.status = l.connected === null ? status : 'COMPLETED';
  }

  const events: PlannedEvent[] = [];
  for (const l of legs) {
    const moments: Array<[string, number]> = [[l.direction === 'INBOUND' ? 'CALL_RECEIVED' : 'CALL_INITIATED', l.initiated + r.int(50, 300)]];
    if (l.connected !== null) moments.push(['CALL_CONNECTED', l.connected + r.int(50, 300)]);
    moments.push(['CALL_DISCONNECTED', l.disconnected + r.int(50, 300)]);
    for (const [callStatus, offset] of moments) {
      const eventId = r.uuid();
      const duration = callStatus === 'CALL_DISCONNECTED' && l.connected !== null ? Math.round((l.disconnected - l.connected) / 1000) : 0;
      const sipCode = callStatus === 'CALL_DISCONNECTED' ? SIP_CODES[l.connected === null ? status : 'COMPLETED'] : 200;
      events.push({
        offset,
        write: (start) =>
          voice('CALL_STATUS', `CALL_STATUS:${eventId}`, {
            namespace: 'VOICE', eventType: 'CALL_STATUS', description: 'Call status update',
            payload: {
              eventId, callId: l.callId, sessionId, subAccountId: SUB_ACCOUNT, callStatus,
              callDirection: l.direction, callType: 'PSTN', source: l.source, destination: l.destination,
              sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: l.sourceRegion, destinationCountryCode: l.destinationRegion,
              callDuration: duration, sipCode, timestamp: iso(start + offset),
            },
          }),
      });
    }
  }

  events.push({
    offset: end + r.int(2_000, 10_000),
    write: (start) =>
      voice('SESSION_SUMMARY', `SESSION_SUMMARY:${sessionId}`, {
        namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Summary of a completed call session', version: 5,
        payload: {
          sessionId, subAccountId: SUB_ACCOUNT, sessionStatus: status,
          startTime: isoSeconds(start), endTime: isoSeconds(start + end), lastAction: 'MAKE_CALL', callCount: legs.length,
          details: Object.fromEntries(
            legs.map((l) => [
              l.name,
              {
                callId: l.callId, callDirection: l.direction, callType: 'PSTN',
                initiatedTimestamp: isoSeconds(start + l.initiated),
                ...(l.connected === null ? {} : { connectedTimestamp: isoSeconds(start + l.connected) }),
                disconnectedTimestamp: isoSeconds(start + l.disconnected),
                source: l.source, destination: l.destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
                sourceCountryCode: l.sourceRegion, destinationCountryCode: l.destinationRegion, callStatus: l.status,
                callDuration: l.connected === null ? 0 : Math.round((l.disconnected - l.connected) / 1000),
              },
            ]),
          ),
        },
      }),
  });

  if (answered && r.chance(0.1)) {
    const recordingId = `rec-${r.hex(8)}`;
    const seconds = Math.round(end / 1000);
    events.push({
      offset: end + r.int(20_000, 120_000),
      write: () =>
        voice('CALL_RECORDING_STATUS', `CALL_RECORDING_STATUS:${recordingId}:UPLOAD_COMPLETED`, {
          namespace: 'VOICE', eventType: 'CALL_RECORDING_STATUS', description: 'Call recording status',
          payload: { sessionId, recordingId, durationSeconds: seconds, filePath: `s3://acme-recordings/${sessionId}.wav`, status: 'UPLOAD_COMPLETED' },
        }),
    });
  }
  return entity('voice', events);
}
