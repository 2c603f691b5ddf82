/**
 * Seeded calls and legs for the fake Work Analytics, messy as the documented examples are
 * ([CDR] `docs/analytics/docs/work-analytics-call-detail-records.md` in
 * 8x8Cloud/public-developer-docs, snapshot 859e59a).
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { WorkRecord } from './pages.js';

export interface SeedOptions {
  /** How many calls. */
  count: number;
  /** The first call's start. */
  start: Date;
  /** The zone of the local `startTime` strings (the one the pull will request). */
  timeZone: string;
  /** Time between call starts. Default 10 minutes. */
  spacingMs?: number;
  pbxId?: string;
}

const CALLEES = ['1042', 'CallQueue', 'Voicemail (120088)', '+16175550199', '120088'];

/**
 * Realistic, messy calls and their legs: callers with and without `+`, callees that are
 * extensions, "CallQueue", "Voicemail (120088)" or numbers, `missed` as "Missed"/"-",
 * `startTime` with a colon-less offset beside `startTimeUTC` epoch ms, `talkTime` "HH:MM:SS",
 * `connectTime` "0" and `connectTimeUTC` 0 when never connected, `callLegCount` a string.
 */
export function seedWorkCalls(options: SeedOptions): { records: WorkRecord[]; legs: WorkRecord[] } {
  const spacing = options.spacingMs ?? 10 * 60_000;
  const records: WorkRecord[] = [];
  const legs: WorkRecord[] = [];
  const local = (ms: number): string => DateTime.fromMillis(ms, { zone: options.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
  const hms = (ms: number): string => {
    const s = Math.floor(ms / 1000);
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  };
  for (let i = 0; i < options.count; i++) {
    const start = options.start.getTime() + i * spacing + (i % 7) * 1_013;
    const missed = i % 4 === 3;
    const ring = 4_000 + (i % 5) * 1_500;
    const talk = missed ? 0 : 30_000 + (i % 9) * 47_321;
    const connect = missed ? 0 : start + ring;
    const disconnect = start + ring + talk;
    const callId = String(1_741_000_000_000 + start % 1_000_000_000 + i);
    const callee = CALLEES[i % CALLEES.length] as string;
    const caller = i % 2 === 0 ? `+1617555${String(1000 + i).slice(-4)}` : `1617555${String(1000 + i).slice(-4)}`;
    const record: WorkRecord = {
      callId,
      sipCallId: `${randomBytes(4).toString('hex')}-${i}@203.0.113.10`,
      pbxId: options.pbxId ?? 'acmecorp',
      startTimeUTC: start,
      startTime: local(start),
      connectTimeUTC: connect,
      connectTime: missed ? '0' : local(connect),
      disconnectedTimeUTC: disconnect,
      disconnectedTime: local(disconnect),
      talkTimeMS: talk,
      talkTime: hms(talk),
      callTime: disconnect - start,
      caller,
      callerName: i % 3 === 0 ? caller.replace('+', '') : 'JOHN DOE',
      callerId: `JOHN DOE,${caller}`,
      callee,
      calleeName: callee === 'CallQueue' ? 'Support Queue' : 'Priya Patel',
      dnis: '16175550100',
      direction: i % 5 === 4 ? 'Outgoing' : 'Incoming',
      missed: missed ? 'Missed' : '-',
      abandoned: '-',
      answered: missed ? '-' : 'Answered',
      answeredTime: missed ? 0 : ring,
      ringDuration: Math.round(ring / 1000),
      abandonedTime: 0,
      waitTimeMS: 0,
      waitTime: '00:00:00',
      calleeHoldDurationMS: 0,
      calleeHoldDuration: '00:00:00',
      lastLegDisposition: missed ? (callee.startsWith('Voicemail') ? 'Voicemail' : 'Missed') : 'Answered',
      callLegCount: '2',
      aaDestination: null,
      departments: ['Support'],
      branches: ['Boston'],
    };
    records.push(record);
    for (const legId of ['1', '2']) {
      legs.push({
        callId,
        legId,
        parentCallId: callId,
        startTimeUTC: start,
        startTime: local(start),
        connectTimeUTC: connect,
        connectTime: missed ? '0' : local(connect),
        disconnectedTimeUTC: disconnect,
        disconnectedTime: local(disconnect),
        caller,
        callee: legId === '1' ? 'CallQueue' : callee,
        status: 'Completed',
        cause: missed ? 'Ring No Answer' : 'Normal Clearing',
        talkTimeMS: legId === '1' ? 0 : talk,
        talkTime: legId === '1' ? '00:00:00' : hms(talk),
      });
    }
  }
  return { records, legs };
}
