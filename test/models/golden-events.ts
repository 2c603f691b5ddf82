/**
 * The events behind test/models/golden-rows.test.ts, in waves: every webhook family
 * (every documented sample and the tricky cases of curated-suite.ts) and every pull (Work
 * call records and legs, Contact Center interactions with participants, Connect log-export
 * rows of voice, SMS and Chat Apps). Everything here is deterministic: the fakes' random
 * ids (sipCallId, journeyId, export umids and session ids) are pinned, so the same events
 * land whenever the test runs.
 */
import { seedWorkCalls } from '../../fakes/work-analytics/index.js';
import { seedCcInteractions } from '../../fakes/cc-analytics/seed.js';
import { ccReportRow, type CcInteraction } from '../../fakes/cc-analytics/index.js';
import { smsRow, voiceRow } from '../../fakes/connect-exports/index.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { callLegEvent, callRecordEvent } from '../../ingest/pulls/work-analytics/records.js';
import { ccRowEvents } from '../../ingest/pulls/contact-center/records.js';
import { exportRowEvent } from '../../ingest/pulls/connect/records.js';
import type { PulledEvent } from '../../ingest/pulls/land.js';
import { FIRST_WAVE, SECOND_WAVE } from './curated-suite.js';

/** Pulled events for one raw table, landed as one page. */
export interface PulledPage {
  /** The raw table, e.g. `work_events`. */
  table: string;
  /** The raw rows' family, e.g. `work`. */
  family: string;
  events: PulledEvent[];
}

/** One wave: webhooks (sent one by one, the clock ticking between them), then pulled pages. */
export interface Wave {
  /** How long after the previous wave it lands (ms); the lookback is an hour. */
  gapMs: number;
  /** Whether a build follows it (the first full, the next ones incremental). */
  build: boolean;
  webhooks: Array<[FamilyName, string]>;
  pages: PulledPage[];
}

// ---- Work Analytics -----------------------------------------------------------------------

const work = seedWorkCalls({ count: 9, start: new Date('2025-03-04T13:00:00Z'), timeZone: 'America/New_York', spacingMs: 17 * 60_000 });
const records: Array<Record<string, unknown>> = work.records.map((r, i) => ({ ...r, sipCallId: `golden-${i}@203.0.113.10` }));
const legsOf = (index: number) => work.legs.filter((l) => l.callId === records[index]?.callId);
/** Call 2, first pulled while still ringing, then pulled again finished. */
const ringing = { ...records[2], connectTimeUTC: 0, connectTime: '0', disconnectedTimeUTC: 0, disconnectedTime: '0', talkTimeMS: 0, callTime: 0, answered: '-', lastLegDisposition: '-' };

const workPage = (calls: Array<Record<string, unknown>>, legs: Array<Record<string, unknown>>): PulledPage => ({
  table: 'work_events', family: 'work', events: [...calls.map(callRecordEvent), ...legs.map(callLegEvent)],
});

// ---- Contact Center -----------------------------------------------------------------------

const duration = (ms: number) => ({ value: ms, ongoing: false });
const at = (seconds: number) => new Date(Date.parse('2025-03-04T16:00:00.000Z') + seconds * 1000).toISOString();
const interactions: CcInteraction[] = seedCcInteractions({ count: 10, start: new Date('2025-03-04T14:00:00Z'), spacingMs: 11 * 60_000 }).map((r, i) => ({ ...r, journeyId: `jrn-golden-${i}` }));

const agentRow = (n: number, id: string, reason: string, accepted: number, handling: number) => ({
  participantAssignNumber: n, participantAssignReason: reason, participantType: 'Agent', participantId: id, participantName: id,
  participantOfferTime: at(accepted - 3), participantOfferAction: 'Accepted', participantOfferActionTime: at(accepted), participantOfferDuration: duration(3_000),
  participantHandlingEndTime: at(accepted + handling), participantHandlingDuration: duration(handling * 1000), participantHandlingOutcome: 'Finished',
});
/** A blind transfer, first pulled before the second agent took it, then pulled again. */
const TRANSFER_BASE: CcInteraction = {
  interactionId: 'int-golden-transfer', mediaType: 'Phone', direction: 'InboundDir', origination: '16693335004', destination: '16693335195',
  creationTime: at(0), queueName: 'Support EN', queueTime: at(20), outcome: 'Handled', interactionLabels: ['Queued', 'Handled', 'BlindTransfer'],
  recordingFileNames: 'rec-1.wav,rec-2.wav', ivrTreatmentDuration: duration(20_000), queueWaitDuration: duration(30_000),
};
const TRANSFER_EARLY = { ...TRANSFER_BASE, interactionDuration: duration(110_000), finishedTime: { value: at(110), ongoing: false }, participants: [agentRow(1, 'agA', 'Offered', 50, 60)] };
const TRANSFER_FINAL = { ...TRANSFER_BASE, interactionDuration: duration(202_000), finishedTime: { value: at(217), ongoing: false }, participants: [agentRow(1, 'agA', 'Offered', 50, 60), agentRow(2, 'agB', 'TransferReceived', 112, 90)] };
/** Still going when pulled: no end, no outcome yet. */
const ONGOING: CcInteraction = {
  ...TRANSFER_BASE, interactionId: 'int-golden-ongoing', outcome: 'Queued', interactionLabels: ['Queued'], recordingFileNames: '',
  interactionDuration: { value: 40_000, ongoing: true }, finishedTime: { value: null, ongoing: true },
};
const IVR: CcInteraction = {
  ...TRANSFER_BASE, interactionId: 'int-golden-ivr', outcome: 'EndedInIvr', interactionLabels: ['EndedInIvr'], recordingFileNames: '', queueName: null,
  queueTime: null, ivrTreatmentDuration: duration(15_000), queueWaitDuration: null, interactionDuration: duration(15_000), finishedTime: { value: at(15), ongoing: false },
};
/** Abandoned in queue after an agent let the offer time out. */
const ABANDONED: CcInteraction = {
  ...TRANSFER_BASE, interactionId: 'int-golden-abandoned', outcome: 'Abandoned', interactionLabels: ['Queued', 'OfferingTimeout', 'Abandoned'], recordingFileNames: '',
  ivrTreatmentDuration: duration(10_000), queueWaitDuration: duration(60_000), interactionDuration: duration(70_000), finishedTime: { value: at(70), ongoing: false },
  participants: [{ ...agentRow(1, 'agA', 'Offered', 50, 0), participantOfferAction: 'OfferTimeout', participantHandlingDuration: null, participantHandlingEndTime: null }],
};

const ccPage = (rows: CcInteraction[]): PulledPage => ({
  table: 'contact_center_events', family: 'contact-center',
  events: rows.flatMap((r) => ccRowEvents(ccReportRow(r, { tenantOffset: '+03:00', includeParticipants: true }))),
});

// ---- Connect log exports ------------------------------------------------------------------

const DOCUMENTED_SESSION = '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61';
const voiceExports: PulledEvent[] = [
  exportRowEvent('voice', voiceRow({ SessionId: DOCUMENTED_SESSION, CallId: '9f7e2c11-0a4b-11f0-8d3a-1c2b3a4d5e6f', InitiatedAt: '2025-03-04T11:20:05.000Z' }, 0)),
  exportRowEvent('voice', voiceRow({ SessionId: 'sess-only-pulled', CallId: 'leg-only-pulled', InitiatedAt: '2025-03-04T15:00:00.000Z' }, 1)),
  exportRowEvent('voice', voiceRow({ SessionId: 'sess-pulled-unanswered', CallId: '', InitiatedAt: '2025-03-04T15:30:00.000Z' }, 3)),
];
const smsExports: PulledEvent[] = [
  exportRowEvent('sms', { ...smsRow({ umid: '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33', direction: '1', source: 'ACME', status_value: 'delivered', createdat: '2025-03-04T09:16:00.120Z' }, 0), msisdn: '+44770090xxxx', body: '**MASKED**' }),
  exportRowEvent('sms', smsRow({ umid: 'sms-only-pulled', direction: '1', createdat: '2025-03-04T10:00:00.000Z' }, 1)),
  exportRowEvent('sms', smsRow({ umid: 'sms-inbound-pulled', createdat: '2025-03-04T10:30:00.000Z' }, 2)),
];
const chatExports: PulledEvent[] = [
  exportRowEvent('chatapps', { ...smsRow({ umid: 'wa-1', direction: '1', createdat: '2025-03-04T12:00:00.900Z' }, 0), channel: 'whatsapp', channeluserid: '5511987654321' }),
  exportRowEvent('chatapps', { ...smsRow({ umid: 'wa-only-pulled', direction: '1', createdat: '2025-03-04T12:30:00.000Z' }, 1), channel: 'whatsapp', channeluserid: '5511987650000' }),
];

// ---- webhooks beyond curated-suite.ts ------------------------------------------------------

const receipt = (umid: string, state: string, timestamp: string, detail?: string) =>
  JSON.stringify({
    namespace: 'SMS', eventType: 'outbound_message_status_changed',
    payload: { umid, source: 'ACME', destination: '+6598765432', status: { state, timestamp, ...(detail === undefined ? {} : { detail }) }, smsCount: 1 },
  });

/** A priority caller (models.vars.priority_callers) who rang and got no answer; and a long wait that was answered. */
const missedPriority = JSON.stringify({
  namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
  payload: {
    sessionId: 'sess-priority', sessionStatus: 'NO_ANSWER', startTime: '2025-03-04T19:00:00Z', endTime: '2025-03-04T19:00:40Z',
    details: { callA: { callId: 'leg-priority', callDirection: 'INBOUND', callType: 'PSTN', source: '+6591112222', destination: '+6568001234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', callStatus: 'NO_ANSWER', initiatedTimestamp: '2025-03-04T19:00:00Z', disconnectedTimestamp: '2025-03-04T19:00:40Z', callDuration: 0 } },
  },
});
const longWait = JSON.stringify({
  namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
  payload: {
    sessionId: 'sess-long-wait', sessionStatus: 'COMPLETED', startTime: '2025-03-04T20:00:00Z', endTime: '2025-03-04T20:10:00Z',
    details: { callA: { callId: 'leg-long-wait', callDirection: 'INBOUND', callType: 'PSTN', source: '+6593334444', destination: '+6568001234', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', callStatus: 'COMPLETED', initiatedTimestamp: '2025-03-04T20:00:00Z', connectedTimestamp: '2025-03-04T20:03:00Z', disconnectedTimestamp: '2025-03-04T20:10:00Z', callDuration: 420 } },
  },
});
/** The priority caller called back (an outbound call to the number): the escalation turns to 'called back'. */
const calledBack = JSON.stringify({
  namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
  payload: {
    sessionId: 'sess-callback', sessionStatus: 'COMPLETED', startTime: '2025-03-04T19:30:00Z', endTime: '2025-03-04T19:32:00Z',
    details: { callA: { callId: 'leg-callback', callDirection: 'OUTBOUND', callType: 'PSTN', source: '+6568001234', destination: '+6591112222', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', callStatus: 'COMPLETED', initiatedTimestamp: '2025-03-04T19:30:00Z', connectedTimestamp: '2025-03-04T19:30:10Z', disconnectedTimestamp: '2025-03-04T19:32:00Z', callDuration: 110 } },
  },
});
const lateSmsWebhook = JSON.stringify({ namespace: 'SMS', eventType: 'outbound_message_status_changed', payload: { umid: 'sms-only-pulled', source: 'ACME', destination: '+6598765432', status: { state: 'delivered', timestamp: '2025-03-04T10:00:03Z' } } });

/** The values of models.vars the test builds with: every region set, a priority caller. */
export const GOLDEN_VARS = {
  default_region: '', region_messaging: 'SG', region_work: 'US', region_contact_center: 'US',
  priority_callers: ['+6591112222', '+6591234567'], long_wait_seconds: 120, missed_webhooks_min_events: 2,
} as const;

/** Salesforce people, as the Salesforce destination writes them into salesforce_people before a sync. */
export const PEOPLE = [
  { id: '003000000000001AAA', object: 'Contact', phone_field: 'Phone', phone_raw: '+65 9123 4567', phone_e164: '+6591234567', account_id: '001000000000001AAA' },
  { id: '00Q000000000002AAA', object: 'Lead', phone_field: 'MobilePhone', phone_raw: '(617) 555-1000', phone_e164: '+16175551000', account_id: null },
  { id: '003000000000003AAA', object: 'Contact', phone_field: 'MobilePhone', phone_raw: '+1 669 333 5004', phone_e164: '+16693335004', account_id: '001000000000002AAA' },
  { id: '00Q000000000004AAA', object: 'Lead', phone_field: 'Phone', phone_raw: '+1 669 333 5004', phone_e164: '+16693335004', account_id: null },
] as const;

/**
 * Pulls that land two hours before everything else of wave one: the incremental builds'
 * lookback (an hour before the newest row built) does not reach back to them, so a later
 * version of one of their records, or the Work call record of one of their legs, must be
 * found by key (changed_since_last_build), not by the lookback.
 */
const EARLY_PULLS: Wave = {
  gapMs: 0,
  build: false,
  webhooks: [],
  pages: [
    workPage([...records.slice(0, 2), ringing, ...records.slice(3, 6)], [0, 1, 2, 3, 4, 5, 6].flatMap(legsOf)),
    ccPage([...interactions.slice(0, 7), TRANSFER_EARLY, ONGOING, IVR]),
  ],
};

/** Wave one: the first build sees these. */
const WAVE_ONE: Wave = {
  gapMs: 2 * 3600_000,
  build: true,
  webhooks: [
    ...FIRST_WAVE,
    ['voice', missedPriority], ['voice', longWait],
    ['messaging', receipt('st-delivered', 'delivered', '2025-03-04T10:00:05Z', 'delivered_to_recipient')],
    ['messaging', receipt('st-delivered', 'delivered', '2025-03-04T10:00:02Z', 'delivered_to_operator')],
    ['messaging', receipt('st-error', 'sent', '2025-03-04T10:00:00Z')],
    ['messaging', receipt('st-error', 'error', '2025-03-04T10:00:02Z')],
  ],
  pages: [
    { table: 'voice_events', family: 'voice', events: voiceExports },
    { table: 'messaging_events', family: 'messaging', events: [...smsExports, ...chatExports] },
  ],
};

/**
 * Wave two, two hours later: late webhooks, records pulled again (a Work call that was
 * ringing, a CC transfer with its second agent), new records, and the call record of a Work
 * leg that landed with the early pulls.
 */
const WAVE_TWO: Wave = {
  gapMs: 2 * 3600_000,
  build: true,
  webhooks: SECOND_WAVE,
  pages: [
    workPage([records[2] ?? {}, ...records.slice(6)], [7, 8].flatMap(legsOf)),
    ccPage([...interactions.slice(7), TRANSFER_FINAL]),
  ],
};

/** Wave three, ten minutes later (inside the lookback: wave two is read again). */
const WAVE_THREE: Wave = {
  gapMs: 10 * 60_000,
  build: true,
  webhooks: [['voice', calledBack], ['messaging', lateSmsWebhook], ['messaging', receipt('st-ok', 'ok', '2025-03-04T10:00:01Z')]],
  pages: [ccPage([ABANDONED])],
};

/** The waves in order. */
export const WAVES: readonly Wave[] = [EARLY_PULLS, WAVE_ONE, WAVE_TWO, WAVE_THREE];
