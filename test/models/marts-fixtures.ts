/**
 * Controlled events for the marts' exact-row tests (test/models/marts.test.ts): Contact Center
 * interactions as the pull lands them (rendered by the fake in 8x8's documented shapes, with
 * participant rows), JaaS meeting events and Connect voice sessions, plus the Salesforce
 * people they roll up to. Every time is UTC; the CC rows carry the tenant's +03:00 offset, as
 * 8x8 sends them.
 *
 * Queues and targets (the test's own seed: Support EN 30 s / 90 %; Billing has no row, so the
 * '*' row, 20 s / 80 %, applies):
 *
 * | call | queue | entered queue | wait | outcome | agents (handling + wrap-up) | sla_status |
 * |---|---|---|---|---|---|---|
 * | a | Support EN | 10:14:59.999 | 25 s | answered | agA 120 + 30 | met (missed against the default 20 s) |
 * | b | Support EN | 10:15:00.000 | 45 s | answered | agA 60, then agB 90 + 15 (blind transfer) | missed |
 * | c | Support EN | 10:15:30 | 8 s | abandoned | | short_abandon |
 * | d | Support EN | 10:20:05 | 50 s | abandoned | agC let the offer time out | missed |
 * | e | Support EN | 10:25:05 | 12 s | voicemail | | flow_out |
 * | f | Support EN | 10:40:05 | | still in progress | | (not in the marts) |
 * | i | Support EN | 23:59:50 | 10 s | answered, accepted at 00:00:00.000 the next day | agB 30 | met |
 * | g | Billing | (no queueTime) 11:00:05 | 20 s | answered, no participant rows | agC (interaction-level) | met |
 * | h | Billing | 11:05:05 | 25 s | answered | agA 200 + 10 | missed |
 * | ivr | (none) | | | ended in the IVR | | (not in the queue marts) |
 */
import type { PulledEvent } from '../../ingest/pulls/land.js';
import { ccRowEvents } from '../../ingest/pulls/contact-center/records.js';
import { ccReportRow, type CcInteraction } from '../../fakes/cc-analytics/index.js';

const ms = (value: number) => ({ value, ongoing: false });
/** `2025-03-04T<hhmmss>Z` plus `plus` milliseconds, as ISO. */
export const utc = (time: string, plus = 0, day = '2025-03-04'): string => new Date(Date.parse(`${day}T${time}Z`) + plus).toISOString();

/** A caller no Salesforce person has, so Contact Center calls stay out of account_call_rollup. */
const CC_BASE: CcInteraction = { mediaType: 'Phone', direction: 'InboundDir', origination: '16693335004', destination: '16693335195', participants: [] };

type Participant = Record<string, unknown>;
const accepted = (assign: number, agent: string, name: string, acceptAt: string, handlingMs: number, wrapUpMs?: number, reason = 'Offered'): Participant => ({
  participantAssignNumber: assign, participantAssignReason: reason, participantType: 'Agent', participantId: agent, participantName: name,
  participantOfferTime: acceptAt, participantOfferAction: 'Accepted', participantOfferActionTime: acceptAt,
  participantHandlingDuration: ms(handlingMs), participantHandlingOutcome: wrapUpMs === undefined ? 'Finished' : 'WrapUp',
  ...(wrapUpMs === undefined ? {} : { participantWrapUpDuration: ms(wrapUpMs) }),
});

/** One interaction: created at `created`, `ivrMs` of IVR, then queued (queueTime) for `waitMs`. */
function interaction(id: string, queue: string | null, created: string, ivrMs: number, waitMs: number | null, totalMs: number, outcome: string, extra: CcInteraction = {}): CcInteraction {
  return {
    ...CC_BASE, interactionId: id, queueName: queue, creationTime: created, outcome, interactionLabels: ['Queued', outcome],
    ivrTreatmentDuration: ms(ivrMs), queueWaitDuration: waitMs === null ? null : ms(waitMs), interactionDuration: ms(totalMs),
    ...(queue === null ? {} : { queueTime: new Date(Date.parse(created) + ivrMs).toISOString() }),
    finishedTime: { value: new Date(Date.parse(created) + totalMs).toISOString(), ongoing: false },
    ...extra,
  };
}

export const CC_INTERACTIONS: readonly CcInteraction[] = [
  interaction('a', 'Support EN', utc('10:14:39.999'), 20_000, 25_000, 165_000, 'Handled', {
    participants: [accepted(1, 'agA', 'Priya Patel', utc('10:15:24.999'), 120_000, 30_000)],
  }),
  interaction('b', 'Support EN', utc('10:14:50'), 10_000, 45_000, 207_000, 'Handled', {
    participants: [
      accepted(1, 'agA', 'Priya Patel', utc('10:15:45'), 60_000),
      accepted(2, 'agB', 'John Doe', utc('10:16:47'), 90_000, 15_000, 'TransferReceived'),
    ],
  }),
  interaction('c', 'Support EN', utc('10:15:20'), 10_000, 8_000, 18_000, 'Abandoned'),
  interaction('d', 'Support EN', utc('10:20:00'), 5_000, 50_000, 55_000, 'Abandoned', {
    participants: [
      { participantAssignNumber: 1, participantAssignReason: 'Offered', participantType: 'Agent', participantId: 'agC', participantName: 'Ana Lima',
        participantOfferTime: utc('10:20:20'), participantOfferAction: 'OfferTimeout', participantOfferActionTime: utc('10:20:40') },
    ],
  }),
  interaction('e', 'Support EN', utc('10:25:00'), 5_000, 12_000, 60_000, 'ForwardedToVoicemail'),
  interaction('f', 'Support EN', utc('10:40:00'), 5_000, null, 30_000, 'Queued', { interactionDuration: { value: 30_000, ongoing: true }, finishedTime: null }),
  interaction('i', 'Support EN', utc('23:59:40'), 10_000, 10_000, 50_000, 'Handled', {
    participants: [accepted(1, 'agB', 'John Doe', utc('00:00:00.000', 0, '2025-03-05'), 30_000)],
  }),
  // Pulled without participant rows: the agent is the interaction-level plain-string participantId.
  { ...interaction('g', 'Billing', utc('11:00:00'), 5_000, 20_000, 125_000, 'Handled'), queueTime: undefined, participantId: 'agC', participantType: 'Agent' },
  interaction('h', 'Billing', utc('11:05:00'), 5_000, 25_000, 230_000, 'Handled', {
    participants: [accepted(1, 'agA', 'Priya Patel', utc('11:05:30'), 200_000, 10_000)],
  }),
  interaction('ivr', null, utc('12:00:00'), 15_000, null, 15_000, 'EndedInIvr'),
];

/** The interactions as `switchboard pull cc-interactions` lands them. */
export const ccEvents = (): PulledEvent[] => CC_INTERACTIONS.map((i) => ccReportRow(JSON.parse(JSON.stringify(i)) as CcInteraction, { tenantOffset: '+03:00' })).flatMap(ccRowEvents);

// ---- JaaS meetings -----------------------------------------------------------------------

const jaas = (meeting: string, key: string, eventType: string, at: string, data: Record<string, unknown> = {}): PulledEvent => ({
  dedupeKey: `jaas:${key}`,
  eventType,
  body: JSON.stringify({ idempotencyKey: key, customerId: 'c0ffee', appId: 'vpaas-magic-cookie-c0ffee', eventType, sessionId: meeting, timestamp: Date.parse(at), fqn: `vpaas-magic-cookie-c0ffee/${meeting}`, data }),
});
const joined = (meeting: string, who: string, at: string) => jaas(meeting, `${meeting}-${who}-in`, 'PARTICIPANT_JOINED', at, { id: who, participantId: who, name: who });
const left = (meeting: string, who: string, at: string) => jaas(meeting, `${meeting}-${who}-out`, 'PARTICIPANT_LEFT', at, { id: who, participantId: who, disconnectReason: 'left' });

/**
 * Three meetings: m1 on 2025-03-05 09:00–10:00 with two people (50 min each) and a dial-in
 * (30 min); m2 from 23:50 that day to 00:20 the next, one person for 20 min; m3 on 2025-03-06
 * 10:00, still open, one person who left after 10 min and one still in.
 */
export const MEETING_EVENTS: readonly PulledEvent[] = [
  jaas('m1', 'm1-created', 'ROOM_CREATED', utc('09:00:00', 0, '2025-03-05')),
  joined('m1', 'p1', utc('09:01:00', 0, '2025-03-05')),
  joined('m1', 'p2', utc('09:02:00', 0, '2025-03-05')),
  jaas('m1', 'm1-dial-in', 'DIAL_IN_STARTED', utc('09:03:00', 0, '2025-03-05'), { direction: 'in', nick: '40364630871 (+40364630871)', participantJid: 'dial@x', participantId: 'p-dial' }),
  jaas('m1', 'm1-dial-out', 'DIAL_IN_ENDED', utc('09:33:00', 0, '2025-03-05'), { direction: 'in', nick: '40364630871 (+40364630871)', participantJid: 'dial@x', participantId: 'p-dial' }),
  left('m1', 'p1', utc('09:51:00', 0, '2025-03-05')),
  left('m1', 'p2', utc('09:52:00', 0, '2025-03-05')),
  jaas('m1', 'm1-destroyed', 'ROOM_DESTROYED', utc('10:00:00', 0, '2025-03-05')),
  jaas('m2', 'm2-created', 'ROOM_CREATED', utc('23:50:00', 0, '2025-03-05')),
  joined('m2', 'p3', utc('23:51:00', 0, '2025-03-05')),
  left('m2', 'p3', utc('00:11:00', 0, '2025-03-06')),
  jaas('m2', 'm2-destroyed', 'ROOM_DESTROYED', utc('00:20:00', 0, '2025-03-06')),
  jaas('m3', 'm3-created', 'ROOM_CREATED', utc('10:00:00', 0, '2025-03-06')),
  joined('m3', 'p4', utc('10:01:00', 0, '2025-03-06')),
  left('m3', 'p4', utc('10:11:00', 0, '2025-03-06')),
  joined('m3', 'p5', utc('10:02:00', 0, '2025-03-06')),
];

// ---- Connect voice calls and the Salesforce people they match ----------------------------

/** A Connect voice SESSION_SUMMARY with one leg (8x8.md §2.2); answered calls talk for `talkSeconds`. */
function session(id: string, direction: 'INBOUND' | 'OUTBOUND', source: string, destination: string, start: string, talkSeconds: number | null): PulledEvent {
  const end = new Date(Date.parse(start) + 5_000 + (talkSeconds ?? 25) * 1000).toISOString();
  const answered = talkSeconds !== null;
  return {
    dedupeKey: `voice:${id}`,
    eventType: 'SESSION_SUMMARY',
    body: JSON.stringify({
      namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
      payload: {
        sessionId: id, sessionStatus: answered ? 'COMPLETED' : 'NO_ANSWER', startTime: start, endTime: end,
        details: {
          callA: {
            callId: `${id}-a`, callDirection: direction, callType: 'PSTN', source, destination, callStatus: answered ? 'COMPLETED' : 'NO_ANSWER',
            initiatedTimestamp: start, ...(answered ? { connectedTimestamp: new Date(Date.parse(start) + 5_000).toISOString() } : {}), disconnectedTimestamp: end,
          },
        },
      },
    }),
  };
}

const OFFICE = '+16175550100';
/** v1/v2/v6 reach Account acc1's two Contacts, v3 acc2's; v4 a Lead, v5 a private Contact. */
export const VOICE_EVENTS: readonly PulledEvent[] = [
  session('v1', 'INBOUND', '+12015550101', OFFICE, utc('09:00:00'), 180),
  session('v2', 'OUTBOUND', OFFICE, '+12015550102', utc('12:00:00'), null),
  session('v3', 'INBOUND', '+12015550103', OFFICE, utc('08:00:00', 0, '2025-03-03'), 60),
  session('v4', 'INBOUND', '+12015550104', OFFICE, utc('13:00:00'), 30),
  session('v5', 'INBOUND', '+12015550105', OFFICE, utc('14:00:00'), 30),
  session('v6', 'INBOUND', '+12015550101', OFFICE, utc('08:00:00', 0, '2025-03-05'), null),
];

/** salesforce_people rows, as the Salesforce pull writes them (one per person and phone field). */
export const PEOPLE = [
  { id: '003000000000001AAA', object: 'Contact', phone_field: 'Phone', phone_raw: '(201) 555-0101', phone_e164: '+12015550101', account_id: '001000000000001AAA' },
  { id: '003000000000002AAA', object: 'Contact', phone_field: 'MobilePhone', phone_raw: '201 555 0102', phone_e164: '+12015550102', account_id: '001000000000001AAA' },
  { id: '003000000000003AAA', object: 'Contact', phone_field: 'Phone', phone_raw: '+1 201 555 0103', phone_e164: '+12015550103', account_id: '001000000000002AAA' },
  { id: '00Q000000000004AAA', object: 'Lead', phone_field: 'Phone', phone_raw: '2015550104', phone_e164: '+12015550104', account_id: null },
  { id: '003000000000005AAA', object: 'Contact', phone_field: 'Phone', phone_raw: '2015550105', phone_e164: '+12015550105', account_id: null },
] as const;
