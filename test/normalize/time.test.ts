import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Settings } from 'luxon';
import { durationHhmmss, parseHhmmss, toUtcIso, type ToUtcOptions } from '../../core/normalize/time.js';

interface Case {
  /** The row of ../shared/reference/8x8.md §6 (or the edge) this case proves. */
  row: string;
  input: unknown;
  options?: ToUtcOptions;
  expected: string | null;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    const shown = typeof c.input === 'bigint' ? `${c.input}n` : (JSON.stringify(c.input) ?? String(c.input));
    test(`${c.row}: ${shown}${c.options?.zone ? ` in ${c.options.zone}` : ''} is ${c.expected}`, () => {
      assert.equal(toUtcIso(c.input, c.options), c.expected);
    });
  }
}

const NEW_YORK = { zone: 'America/New_York' };

describe('toUtcIso: every observed format in 8x8.md §6', () => {
  run([
    // | SMS/ChatApps webhooks | `payload.timestamp`, `status.timestamp` | ISO UTC Z, fraction 0–7 digits:
    // `…56.017Z`, `…30.6030893Z`, `…21.90Z`, `…00Z` |
    { row: 'SMS timestamp, 3 fraction digits', input: '2025-03-04T10:01:56.017Z', expected: '2025-03-04T10:01:56.017Z' },
    { row: 'SMS DR timestamp, 7 fraction digits', input: '2025-03-04T10:02:30.6030893Z', expected: '2025-03-04T10:02:30.603Z' },
    { row: 'ChatApps timestamp, 2 fraction digits', input: '2025-03-04T10:02:21.90Z', expected: '2025-03-04T10:02:21.900Z' },
    { row: 'ChatApps timestamp, no fraction', input: '2025-03-04T10:03:00Z', expected: '2025-03-04T10:03:00.000Z' },
    { row: 'ChatApps timestamp, 1 fraction digit', input: '2025-03-04T10:03:00.5Z', expected: '2025-03-04T10:03:00.500Z' },
    // | Connect API error bodies | `timestamp` | `2017-04-19T02:31:19.4297387+00:00` |
    { row: 'Connect error body', input: '2017-04-19T02:31:19.4297387+00:00', expected: '2017-04-19T02:31:19.429Z' },
    // | Connect log export (request) | `from` / `to` | `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm:ssZ`, or offset `+07:00` |
    { row: 'Connect log export date', input: '2025-03-01', expected: '2025-03-01T00:00:00.000Z' },
    { row: 'Connect log export date in a zone', input: '2025-03-01', options: { zone: 'Asia/Bangkok' }, expected: '2025-02-28T17:00:00.000Z' },
    { row: 'Connect log export UTC', input: '2025-03-01T00:00:00Z', expected: '2025-03-01T00:00:00.000Z' },
    { row: 'Connect log export offset', input: '2025-03-01T07:00:00+07:00', expected: '2025-03-01T00:00:00.000Z' },
    // | Voice VSS/VCS/VCA/VNU | `startTime`, `*Timestamp` | ISO UTC Z; VSS to the second, others with ms |
    { row: 'Voice VSS startTime', input: '2025-03-04T10:15:00Z', expected: '2025-03-04T10:15:00.000Z' },
    { row: 'Voice VCA timestamp', input: '2025-03-04T10:15:00.123Z', expected: '2025-03-04T10:15:00.123Z' },
    // | WhatsApp management events | `timestamp` | ISO UTC `…00Z` |
    { row: 'WhatsApp management timestamp', input: '2025-03-04T10:15:00Z', expected: '2025-03-04T10:15:00.000Z' },
    // | CC chat webhooks | `timestamp` | epoch ms number |
    { row: 'CC chat timestamp', input: 1741087911123, expected: '2025-03-04T11:31:51.123Z' },
    // | CC chat headers | `x-8x8-transmission-time` | epoch ms (a header, so a string) |
    { row: 'CC chat transmission-time header', input: '1741087911123', expected: '2025-03-04T11:31:51.123Z' },
    // | CC Event Streaming | `eventTS`, `interactionEventTS`, `queueTime`, `tim`, `otim` | epoch seconds |
    { row: 'CC Event Streaming eventTS', input: 1741087911, expected: '2025-03-04T11:31:51.000Z' },
    // | | `msgInfo.timestamp`, `callAnsweredTime`, `callHangupTime` | epoch ms |
    { row: 'CC Event Streaming msgInfo.timestamp (§3.2 sample)', input: 1741087911000, expected: '2025-03-04T11:31:51.000Z' },
    // | | `createInteractionTimestampNanos` | ns: exact as a string or bigint, and still right to the ms as a
    // lossy JSON number |
    { row: 'CC createInteractionTimestampNanos string', input: '1741087911123999999', expected: '2025-03-04T11:31:51.123Z' },
    { row: 'CC createInteractionTimestampNanos bigint', input: 1741087911123456789n, expected: '2025-03-04T11:31:51.123Z' },
    { row: 'CC createInteractionTimestampNanos number', input: 1741087911123456789, expected: '2025-03-04T11:31:51.123Z' },
    // | | `publishTime` | ISO |
    { row: 'CC Event Streaming publishTime', input: '2025-03-04T11:31:51.123Z', expected: '2025-03-04T11:31:51.123Z' },
    // | | `callAnsweredTenantTT` | tenant-local string. Its exact shape is undocumented; we assume
    // "YYYY-MM-DD HH:MM:SS" in the tenant's zone. |
    { row: 'CC callAnsweredTenantTT (assumed shape)', input: '2025-03-04 14:31:51', options: { zone: 'Europe/Istanbul' }, expected: '2025-03-04T11:31:51.000Z' },
    // | CC Historical | `creationTime`, `finishedTime.value`, `time` | ISO with tenant offset `…576+03:00` |
    { row: 'CC Historical creationTime', input: '2023-07-03T16:02:27.576+03:00', expected: '2023-07-03T13:02:27.576Z' },
    // | | `dateRange` (request) | ISO Z |
    { row: 'CC Historical dateRange', input: '2025-03-01T00:00:00.000Z', expected: '2025-03-01T00:00:00.000Z' },
    // | Chat Gateway REST | `createdAt` | ISO Z |
    { row: 'Chat Gateway createdAt', input: '2025-03-04T10:15:00.456Z', expected: '2025-03-04T10:15:00.456Z' },
    // | Work Analytics | `*TimeUTC` | epoch ms (`0` = null) |
    { row: 'Work startTimeUTC (§4.2 sample)', input: 1741090012345, expected: '2025-03-04T12:06:52.345Z' },
    { row: 'Work connectTimeUTC never connected', input: 0, expected: null },
    // | | `startTime`, etc. | ISO in the requested tz, offset `-0500` (no colon); `connectTime` "0" when not connected |
    { row: 'Work startTime (§4.2 sample, same instant as startTimeUTC)', input: '2025-03-04T07:06:52.345-0500', expected: '2025-03-04T12:06:52.345Z' },
    { row: 'Work startTime (§4.2 field table)', input: '2022-02-03T09:27:27.493-0500', expected: '2022-02-03T14:27:27.493Z' },
    { row: 'Work connectTime never connected', input: '0', expected: null },
    // | | request `startTime`/`endTime` | `YYYY-MM-DD HH:MM:SS` local to the `timeZone` parameter |
    { row: 'Work request startTime', input: '2025-03-04 07:06:52', options: NEW_YORK, expected: '2025-03-04T12:06:52.000Z' },
    { row: 'Work request startTime in summer', input: '2025-07-04 07:06:52', options: NEW_YORK, expected: '2025-07-04T11:06:52.000Z' },
    // | Work aggregated calls API | `startTime`, `stopTime` | epoch ms |
    { row: 'Work aggregated stopTime', input: 1741090311902, expected: '2025-03-04T12:11:51.902Z' },
    // | Cloud Storage | `createdTime` | `2022-11-01T21:22:22` (no zone; UTC assumed, §4.3) |
    { row: 'Cloud Storage createdTime', input: '2022-11-01T21:22:22', expected: '2022-11-01T21:22:22.000Z' },
    { row: 'Cloud Storage createdTime in a configured zone', input: '2022-11-01T21:22:22', options: { zone: 'Asia/Singapore' }, expected: '2022-11-01T13:22:22.000Z' },
    // | | filter values and `startTime` tag | epoch ms (§4.3 filter sample) |
    { row: 'Cloud Storage filter value', input: 1725148800000, expected: '2024-09-01T00:00:00.000Z' },
    // | OAuth responses | `issued_at` | epoch-ms string |
    { row: 'OAuth issued_at', input: '1741087911000', expected: '2025-03-04T11:31:51.000Z' },
    // | JaaS | `timestamp`, `startTimestamp`, `linkExpiration` | epoch ms |
    { row: 'JaaS timestamp', input: 1741089667000, expected: '2025-03-04T12:01:07.000Z' },
    // | | signature `t=` | epoch seconds (a header, so a string) |
    { row: 'JaaS signature t=', input: '1741089667', expected: '2025-03-04T12:01:07.000Z' },
  ]);
});

describe('toUtcIso: edges', () => {
  run([
    { row: 'null', input: null, expected: null },
    { row: 'undefined', input: undefined, expected: null },
    { row: 'empty', input: '', expected: null },
    { row: 'whitespace', input: '  \t', expected: null },
    { row: 'zero with a fraction', input: '0.000', expected: null },
    { row: 'negative number', input: -1741087911, expected: null },
    { row: 'negative string', input: '-1741087911', expected: null },
    { row: 'NaN', input: Number.NaN, expected: null },
    { row: 'Infinity', input: Number.POSITIVE_INFINITY, expected: null },
    { row: 'garbage', input: 'yesterday', expected: null },
    { row: 'impossible date', input: '2025-02-30T00:00:00Z', expected: null },
    { row: 'object', input: { timestamp: 1741087911 }, expected: null },
    { row: 'boolean', input: true, expected: null },
    { row: 'Date', input: new Date(1741087911123), expected: '2025-03-04T11:31:51.123Z' },
    { row: 'invalid Date', input: new Date(Number.NaN), expected: null },
    { row: 'surrounding whitespace', input: ' 2025-03-04T10:15:00Z\n', expected: '2025-03-04T10:15:00.000Z' },
    { row: 'truncates, never rounds, into the next second', input: '2025-12-31T23:59:59.9999999Z', expected: '2025-12-31T23:59:59.999Z' },
    { row: 'comma decimal separator', input: '2025-03-04T10:15:00,25Z', expected: '2025-03-04T10:15:00.250Z' },
    { row: 'hour-only offset', input: '2025-03-04T17:15:00+07', expected: '2025-03-04T10:15:00.000Z' },
    { row: 'an offset wins over the configured zone', input: '2025-03-04T10:15:00+00:00', options: NEW_YORK, expected: '2025-03-04T10:15:00.000Z' },
    { row: 'Z wins over the configured zone', input: '2025-03-04T10:15:00Z', options: NEW_YORK, expected: '2025-03-04T10:15:00.000Z' },
    { row: 'seconds with a fraction', input: 1741087911.123, expected: '2025-03-04T11:31:51.123Z' },
    { row: 'seconds with a fraction as text', input: '1741087911.5', expected: '2025-03-04T11:31:51.500Z' },
    { row: 'ms with a fraction is truncated', input: 1741087911123.9, expected: '2025-03-04T11:31:51.123Z' },
    { row: 'microseconds', input: 1741087911123456, expected: '2025-03-04T11:31:51.123Z' },
    // The unit boundaries: each is 1973-03-03T09:46:40Z read in the next finer unit.
    { row: 'largest seconds value', input: 99_999_999_999, expected: '5138-11-16T09:46:39.000Z' },
    { row: '1e11 is ms', input: 100_000_000_000, expected: '1973-03-03T09:46:40.000Z' },
    { row: '1e14 is µs', input: '100000000000000', expected: '1973-03-03T09:46:40.000Z' },
    { row: '1e17 is ns', input: '100000000000000000', expected: '1973-03-03T09:46:40.000Z' },
    { row: 'beyond what a Date holds', input: '99999999999999999999999', expected: null },
  ]);

  test('an unknown IANA zone is a configuration error, not a null', () => {
    assert.throws(() => toUtcIso('2025-03-04T10:15:00', { zone: 'Mars/Olympus_Mons' }), RangeError);
  });
});

describe('toUtcIso: zone-less local times across DST changes', () => {
  run([
    // America/New_York springs forward 2025-03-09 02:00 EST → 03:00 EDT: 02:xx does not exist
    // and moves forward by the gap (02:30 is read as 03:30 EDT).
    { row: 'last second before the gap', input: '2025-03-09T01:59:59', options: NEW_YORK, expected: '2025-03-09T06:59:59.000Z' },
    { row: 'inside the spring-forward gap', input: '2025-03-09T02:30:00', options: NEW_YORK, expected: '2025-03-09T07:30:00.000Z' },
    { row: 'first second after the gap', input: '2025-03-09 03:00:00', options: NEW_YORK, expected: '2025-03-09T07:00:00.000Z' },
    // It falls back 2025-11-02 02:00 EDT → 01:00 EST: 01:xx happens twice; we take the first (EDT).
    { row: 'before the overlap', input: '2025-11-02T00:59:59', options: NEW_YORK, expected: '2025-11-02T04:59:59.000Z' },
    { row: 'inside the fall-back overlap', input: '2025-11-02T01:30:00', options: NEW_YORK, expected: '2025-11-02T05:30:00.000Z' },
    { row: 'after the overlap', input: '2025-11-02T02:00:00', options: NEW_YORK, expected: '2025-11-02T07:00:00.000Z' },
    // The southern hemisphere: Sydney falls back 2025-04-06 03:00 AEDT → 02:00 AEST, springs forward 2025-10-05.
    { row: 'Sydney fall-back overlap', input: '2025-04-06T02:30:00', options: { zone: 'Australia/Sydney' }, expected: '2025-04-05T15:30:00.000Z' },
    { row: 'Sydney spring-forward gap', input: '2025-10-05T02:30:00', options: { zone: 'Australia/Sydney' }, expected: '2025-10-04T16:30:00.000Z' },
    // A zone with a half-hour DST shift.
    { row: 'Lord Howe spring-forward gap', input: '2025-10-05T02:15:00', options: { zone: 'Australia/Lord_Howe' }, expected: '2025-10-04T15:45:00.000Z' },
  ]);

  test('the overlap resolves the same whatever today is (luxon alone would not)', () => {
    const realNow = Settings.now;
    try {
      for (const today of [Date.UTC(2025, 0, 15), Date.UTC(2025, 6, 15)]) {
        Settings.now = () => today;
        assert.equal(toUtcIso('2025-11-02T01:30:00', NEW_YORK), '2025-11-02T05:30:00.000Z');
      }
    } finally {
      Settings.now = realNow;
    }
  });
});

describe('durationHhmmss', () => {
  const cases: Array<[number | null, string | null]> = [
    [0, '00:00:00'],
    [292, '00:04:52'], // Work Analytics talkTime "00:04:52"
    [3599, '00:59:59'],
    [3600, '01:00:00'],
    [86_399, '23:59:59'],
    [90_061, '25:01:01'], // hours run past 24
    [360_000, '100:00:00'],
    [59.9, '00:00:59'], // truncated
    [null, null],
    [-1, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
  ];
  for (const [seconds, text] of cases) {
    test(`${seconds} seconds is ${text}`, () => assert.equal(durationHhmmss(seconds), text));
  }
});

describe('parseHhmmss', () => {
  const cases: Array<[string, number | null]> = [
    ['00:04:52', 292], // Work Analytics talkTime (8x8.md §6 row "talkTime, etc.")
    ['00:00:00', 0],
    ['25:01:01', 90_061],
    ['100:00:00', 360_000],
    [' 01:00:00 ', 3600],
    ['4:52', null],
    ['00:61:00', null],
    ['00:00:60', null],
    ['00:04:52.5', null],
    ['-', null],
    ['', null],
  ];
  for (const [text, seconds] of cases) {
    test(`${JSON.stringify(text)} is ${seconds}`, () => assert.equal(parseHhmmss(text), seconds));
  }

  test('round-trips with durationHhmmss', () => {
    for (const seconds of [0, 1, 59, 60, 292, 3599, 3600, 86_400, 90_061, 360_000]) {
      assert.equal(parseHhmmss(durationHhmmss(seconds) as string), seconds);
    }
  });

  test('a non-string is null, not a throw', () => {
    assert.equal(parseHhmmss(292 as unknown as string), null);
  });
});
