/**
 * The rows and CSV files of the fake Connect log exports. SMS has the documented columns
 * [SMS 200 "SMS Logs files format"], Voice those of 8x8.md §2.7, every field quoted
 * (INFERRED). Chat Apps columns are NOT documented [CA lists none]: the fake serves the SMS
 * columns plus `channel` and `channeluserid` unless `chatappsColumns` says otherwise. `msisdn`
 * and `body` are masked (`+63922110xxxx`, `**MASKED**`) unless `unmasked` ("sensitive data such
 * as message content and phone numbers are masked by default" [SMS 200]; the mask's form is
 * from the message-details example).
 *
 * Sources, as in index.ts: in the public repo `8x8Cloud/public-developer-docs` (snapshot
 * 859e59a, 2026-07-23), [SMS] `docs_oas/connect/sms_api.json`, [CA]
 * `docs_oas/connect/business_messaging_api.json`, [VOICE] `docs_oas/connect/voice_v1_api.json`,
 * and ../shared/reference/8x8.md §1.8 and §2.7 (our notes on them).
 */
import { randomUUID } from 'node:crypto';

export type Product = 'sms' | 'chatapps' | 'voice';
export type Row = Record<string, string>;

/** The documented SMS log-export columns, in order (Chat Apps: "same shape"). */
export const SMS_COLUMNS = [
  'umid', 'subaccountid', 'direction', 'country', 'operator', 'mcc', 'mnc', 'status_value', 'status_details', 'status_errorcode', 'status_errormessage',
  'status_timestamp', 'msisdn', 'source', 'encoding', 'createdat', 'smscount', 'price_currency', 'price_persms', 'price_total', 'clientmessageid',
  'clientbatchid', 'batchid', 'body',
] as const;

/** The documented Voice log-export columns, in order. */
export const VOICE_COLUMNS = [
  'SessionId', 'CallId', 'AccountId', 'SubAccountId', 'Direction', 'SourceCountryCode', 'SourceCountry', 'SourceOperator', 'SourceMCC', 'SourceMNC',
  'SourceEndpoint', 'DestinationCountryCode', 'DestinationCountry', 'DestinationOperator', 'DestinationMCC', 'DestinationMNC', 'DestinationEndpoint',
  'InitiatedAt', 'ConnectedAt', 'DisconnectedAt', 'DurationInSec', 'Product', 'BillingUnit', 'BillingIncrement', 'BillableDurationInSec', 'UnitPrice',
  'UnitPriceCurrency', 'TotalPriceOfCall', 'CallType', 'SipStatus', 'SessionStatus', 'CallStatus', 'TTSLength', 'MOS', 'Content',
] as const;

/** The default Chat Apps columns: an assumption, not documented (see `chatappsColumns`). */
export const CHATAPPS_COLUMNS = [...SMS_COLUMNS, 'channel', 'channeluserid'] as const;

export const COLUMNS: Readonly<Record<Product, readonly string[]>> = { sms: SMS_COLUMNS, chatapps: CHATAPPS_COLUMNS, voice: VOICE_COLUMNS };
/** The column a product's rows are filtered on. */
export const TIME_COLUMN: Readonly<Record<Product, string>> = { sms: 'createdat', chatapps: 'createdat', voice: 'InitiatedAt' };

/** `msisdn` and `body` as 8x8 masks them by default (see the top of this file). */
export function mask(row: Row): Row {
  const msisdn = row['msisdn'] ?? '';
  return { ...row, msisdn: msisdn.length > 4 ? `${msisdn.slice(0, -4)}xxxx` : msisdn, body: '**MASKED**' };
}

/** RFC 4180 CSV, every field quoted (8x8's files quote; commas and newlines in bodies survive). */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
  return [columns.map(quote).join(','), ...rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

const BODIES = ['Your code is 482913', 'Hi Ana, your order #1042 has shipped, track it at https://acme.example/t/1042', 'Line one\nline two, with "quotes"', 'Reply STOP to opt out'];

const iso = (ms: number): string => new Date(ms).toISOString();

/** An SMS / Chat Apps export row: realistic defaults under `planted`. */
export function smsRow(planted: Partial<Row>, i: number, subAccountId = 'acme_sub'): Row {
  const created = Date.parse(planted['createdat'] ?? '2026-03-07T05:00:00.123Z');
  const outbound = i % 3 !== 2;
  const parts = String(1 + (i % 2));
  const defaults: Row = {
    umid: randomUUID(), subaccountid: subAccountId, direction: outbound ? '1' : '0', country: 'PH', operator: 'Globe Telecom', mcc: '515', mnc: '02',
    status_value: outbound ? 'delivered' : 'received', status_details: outbound ? 'delivered_to_recipient' : '', status_errorcode: '0', status_errormessage: '',
    status_timestamp: iso(created + 2_317), msisdn: `+63922110${String(1000 + (i % 9000)).padStart(4, '0')}`, source: outbound ? 'ACME' : '+6531580000',
    encoding: 'GSM7', createdat: iso(created), smscount: parts, price_currency: 'EUR', price_persms: '0.0154', price_total: (0.0154 * Number(parts)).toFixed(4),
    clientmessageid: i % 2 === 0 ? `order-${1000 + i}` : '', clientbatchid: '', batchid: '', body: BODIES[i % BODIES.length] as string,
  };
  return { ...defaults, ...(planted as Row) };
}

/** A Voice export row: realistic defaults under `planted`. */
export function voiceRow(planted: Partial<Row>, i: number, subAccountId = 'acme_sub'): Row {
  const initiated = Date.parse(planted['InitiatedAt'] ?? '2026-03-07T05:00:00.123Z');
  const answered = i % 4 !== 3;
  const duration = answered ? 30 + (i % 9) * 47 : 0;
  const defaults: Row = {
    SessionId: randomUUID(), CallId: answered ? randomUUID() : '', AccountId: 'acme', SubAccountId: subAccountId, Direction: i % 2 === 0 ? 'outbound' : 'inbound',
    SourceCountryCode: '65', SourceCountry: 'Singapore', SourceOperator: 'Singtel', SourceMCC: '525', SourceMNC: '01', SourceEndpoint: '+6531580000',
    DestinationCountryCode: '63', DestinationCountry: 'Philippines', DestinationOperator: 'Globe Telecom', DestinationMCC: '515', DestinationMNC: '02',
    DestinationEndpoint: `+63922110${String(1000 + (i % 9000)).padStart(4, '0')}`, InitiatedAt: iso(initiated), ConnectedAt: answered ? iso(initiated + 6_042) : '',
    DisconnectedAt: iso(initiated + 6_042 + duration * 1000), DurationInSec: String(duration), Product: 'Voice Messaging', BillingUnit: 'minute', BillingIncrement: '60+60',
    BillableDurationInSec: String(Math.ceil(duration / 60) * 60), UnitPrice: '0.0410', UnitPriceCurrency: 'USD', TotalPriceOfCall: (Math.ceil(duration / 60) * 0.041).toFixed(4),
    CallType: 'PSTN', SipStatus: answered ? '200' : '480', SessionStatus: answered ? 'COMPLETED' : 'NO_ANSWER', CallStatus: answered ? 'COMPLETED' : 'NO_ANSWER',
    TTSLength: answered ? '112' : '0', MOS: answered ? '4.3' : '', Content: answered ? 'Hello, this is Acme: your appointment is tomorrow at 10' : '',
  };
  return { ...defaults, ...(planted as Row) };
}

export interface SeedOptions {
  count: number;
  /** The first row's time. */
  start: Date;
  /** Time between rows. Default 10 minutes. */
  spacingMs?: number;
}

/** `count` SMS (or Chat Apps) rows from `start`, `spacingMs` apart, with ms like 8x8's. */
export function seedSmsRows(options: SeedOptions): Row[] {
  return Array.from({ length: options.count }, (_, i) => smsRow({ createdat: iso(options.start.getTime() + i * (options.spacingMs ?? 600_000) + (i % 7) * 113) }, i));
}

/** `count` Voice rows from `start`, `spacingMs` apart. */
export function seedVoiceRows(options: SeedOptions): Row[] {
  return Array.from({ length: options.count }, (_, i) => voiceRow({ InitiatedAt: iso(options.start.getTime() + i * (options.spacingMs ?? 600_000) + (i % 7) * 113) }, i));
}
