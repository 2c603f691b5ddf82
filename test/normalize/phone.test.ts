import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone, phoneRegionForCallingCode, type PhoneHints, type PhoneKind } from '../../core/normalize/phone.js';

interface Case {
  /** The row of ../shared/reference/8x8.md §7 (or the edge) this case proves. */
  row: string;
  input: unknown;
  hints?: PhoneHints;
  kind: PhoneKind;
  e164?: string | null;
  extension?: string | null;
  /** Defaults to the input as text. */
  raw?: string | null;
  /** Whether libphonenumber's metadata accepts the number; defaults to true for kind 'e164', false otherwise. */
  valid?: boolean;
}

function check(c: Case): void {
  const expected = {
    raw: c.raw !== undefined ? c.raw : typeof c.input === 'string' || typeof c.input === 'number' ? String(c.input) : null,
    e164: c.e164 ?? null,
    extension: c.extension ?? null,
    kind: c.kind,
    valid: c.valid ?? c.kind === 'e164',
  };
  assert.deepEqual(normalizePhone(c.input, c.hints), expected);
}

function run(cases: Case[]): void {
  for (const c of cases) {
    const shown = typeof c.input === 'bigint' ? `${c.input}n` : (JSON.stringify(c.input) ?? String(c.input));
    const verdict = c.kind === 'e164' && c.valid === false ? ' (kept, not valid by the metadata)' : '';
    test(`${c.row}: ${shown}${c.hints ? ` ${JSON.stringify(c.hints)}` : ''} is ${c.kind}${verdict}`, () => check(c));
  }
}

describe('normalizePhone: every observed format in 8x8.md §7', () => {
  run([
    // | SMS inbound | `source`, `destination` | E.164 with `+` (`+6581968289`) |
    { row: 'SMS inbound source/destination', input: '+6581968289', kind: 'e164', e164: '+6581968289' },
    // | SMS DR | `destination` | E.164 with `+` |
    { row: 'SMS DR destination', input: '+5511987654321', kind: 'e164', e164: '+5511987654321' },
    // | SMS DR | `source` | may be alphanumeric sender ID (`"8x8"`, `"ACME"`) |
    { row: 'SMS DR source sender ID with digits', input: '8x8', kind: 'alphanumeric' },
    { row: 'SMS DR source sender ID', input: 'ACME', kind: 'alphanumeric' },
    // | SMS send API | `destination` | international or national format (national needs `country`) |
    { row: 'SMS send API national with country', input: '81968289', hints: { region: 'SG' }, kind: 'e164', e164: '+6581968289' },
    { row: 'SMS send API national without country', input: '81968289', kind: 'invalid' },
    // | SMS log export filter | `phoneNumber` | example `6511111111` (no `+`): the doc's example is
    // not a valid Singapore number (SG has no 1xxx xxxx range), so it stays invalid; a real one gets its '+'.
    { row: 'SMS log export phoneNumber (doc example)', input: '6511111111', kind: 'invalid' },
    { row: 'SMS log export phoneNumber', input: '6581968289', kind: 'e164', e164: '+6581968289' },
    // | SMS/ChatApps message GET and CSV | `msisdn` | masked `+63922110xxxx` unless unmasked |
    { row: 'message GET masked msisdn', input: '+63922110xxxx', kind: 'invalid' },
    { row: 'message CSV masked msisdn without +', input: '63922110XXXX', kind: 'invalid' },
    // | ChatApps | `user.msisdn` | E.164; absent for LINE etc. |
    { row: 'ChatApps user.msisdn', input: '+5511987654321', kind: 'e164', e164: '+5511987654321' },
    { row: 'ChatApps user.msisdn absent', input: undefined, kind: 'empty' },
    // | ChatApps | `user.channelUserId` | BSUID `US.13491208655302741918` (v3) or phone digits without `+` (v2) |
    { row: 'ChatApps v3 channelUserId BSUID', input: 'US.13491208655302741918', kind: 'bsuid' },
    { row: 'ChatApps v3 channelUserId BSUID (§1.4 sample)', input: 'BR.48213377019284431', kind: 'bsuid' },
    { row: 'ChatApps v2 channelUserId digits', input: '5511987654321', kind: 'e164', e164: '+5511987654321' },
    // | WhatsApp raw events | `wa_id` | digits, no `+` |
    { row: 'WhatsApp wa_id', input: '6581968289', kind: 'e164', e164: '+6581968289' },
    // | Voice VSS/VCA/VCS | `source`, `destination` | E.164 with `+`, ISO alpha-2 `*CountryCode`;
    // one sample `+656833033` is too short by today's metadata: 8x8 sent it in +E.164 form, so it is kept
    { row: 'Voice source with sourceCountryCode', input: '+6568330330', hints: { region: 'SG' }, kind: 'e164', e164: '+6568330330' },
    { row: 'Voice too-short sample', input: '+656833033', hints: { region: 'SG' }, kind: 'e164', e164: '+656833033', valid: false },
    // | Voice VNU | `msisdn` | E.164 |
    { row: 'Voice VNU msisdn', input: '+6581968289', kind: 'e164', e164: '+6581968289' },
    // | Voice CSV | `SourceEndpoint` | number, format unconfirmed; `SourceCountryCode` numeric
    { row: 'Voice CSV endpoint with numeric calling code', input: '81968289', hints: { region: phoneRegionForCallingCode(65) }, kind: 'e164', e164: '+6581968289' },
    { row: 'Voice CSV endpoint with country code', input: '6581968289', hints: { region: 'SG' }, kind: 'e164', e164: '+6581968289' },
    // | CC Event Streaming `attachedData` | `phoneNum` | JSON number, national (NANP 10-digit `5515557212`) |
    { row: 'CC phoneNum JSON number with tenant region', input: 5515557212, hints: { defaultRegion: 'US' }, kind: 'e164', e164: '+15515557212' },
    { row: 'CC phoneNum (§3.2 sample)', input: 4155550142, hints: { region: 'US' }, kind: 'e164', e164: '+14155550142' },
    { row: 'CC phoneNum without any region', input: 5515557212, kind: 'invalid' },
    // | | `remotePhoneNum` | `"+15515557212"` |
    { row: 'CC remotePhoneNum', input: '+15515557212', kind: 'e164', e164: '+15515557212' },
    // | | `cha` / `inboundChannelid` | number `13125555068` (country code, no `+`) or `"N/A"` |
    { row: 'CC cha number', input: 13125555068, kind: 'e164', e164: '+13125555068' },
    { row: 'CC cha toll-free (§3.2 sample)', input: 18005550199, kind: 'e164', e164: '+18005550199' },
    { row: 'CC cha N/A', input: 'N/A', kind: 'empty' },
    // | | `callerId` | number |
    { row: 'CC callerId number', input: 16693335195, kind: 'e164', e164: '+16693335195' },
    // | CC Historical | `destination`, `origination`, `customerPhone` | digits without `+` (`"16693335195"`), or queue/channel names |
    { row: 'CC Historical digits', input: '16693335195', kind: 'e164', e164: '+16693335195' },
    { row: 'CC Historical digits with a foreign tenant region', input: '16693335195', hints: { defaultRegion: 'GB' }, kind: 'e164', e164: '+16693335195' },
    { row: 'CC Historical queue name', input: 'Support Queue EMEA', kind: 'label' },
    // | CC Chat Gateway | `data.msisdn`, `user.phone` | free text (`"+1234567890"` in examples): a placeholder,
    // one digit short, but in +E.164 form
    { row: 'CC Chat Gateway doc placeholder', input: '+1234567890', kind: 'e164', e164: '+1234567890', valid: false },
    { row: 'CC Chat Gateway free text', input: '+1 (202) 555-5720', kind: 'e164', e164: '+12025555720' },
    // | Work Analytics | `caller` | `+15555551220` for external callers; extensions (`"1042"`) for internal.
    // The doc's sample has the fictional area code 555, which 'max' metadata rejects: kept, not valid.
    { row: 'Work caller (doc sample, area code 555)', input: '+15555551220', kind: 'e164', e164: '+15555551220', valid: false },
    { row: 'Work caller (second doc sample)', input: '+15551234567', kind: 'e164', e164: '+15551234567', valid: false },
    { row: 'Work caller external', input: '+12025555720', kind: 'e164', e164: '+12025555720' },
    { row: 'Work caller internal extension', input: '1042', kind: 'extension', extension: '1042' },
    // | | `callee` | extension, `"CallQueue"`, `"Voicemail (120088)"`, or a number |
    { row: 'Work callee extension', input: '120088', kind: 'extension', extension: '120088' },
    { row: 'Work callee CallQueue', input: 'CallQueue', kind: 'label' },
    { row: 'Work callee voicemail', input: 'Voicemail (120088)', kind: 'label', extension: '120088' },
    { row: 'Work lastLegDisposition-style bare label', input: 'Voicemail', kind: 'label' },
    { row: 'Work callee number', input: '+12025555720', kind: 'e164', e164: '+12025555720' },
    // | | `dnis` | digits without `+` (`"12025555720"`) |
    { row: 'Work dnis', input: '12025555720', kind: 'e164', e164: '+12025555720' },
    // | | `callerId` | `"NAME,+1…"` |
    { row: 'Work callerId composite', input: 'JANE DOE,+12025555720', kind: 'e164', e164: '+12025555720' },
    { row: 'Work callerId composite (doc sample, area code 555)', input: 'MARK SMITH,+15555551220', kind: 'e164', e164: '+15555551220', valid: false },
    { row: 'Work callerId composite (second doc sample)', input: '15551234567,+15551234567', kind: 'e164', e164: '+15551234567', valid: false },
    { row: 'Work callerId composite with an extension', input: 'RECEPTION,1042', kind: 'extension', extension: '1042' },
    // | | `callerName` | may be digits |
    { row: 'Work callerName digits', input: '12025555720', kind: 'e164', e164: '+12025555720' },
    { row: 'Work callerName text', input: 'Doe, Jane', kind: 'label' },
    // digits without '+' are read only as a number the metadata accepts: no country is assumed
    { row: 'Work callerName digits (doc sample, area code 555)', input: '15551234567', kind: 'invalid' },
    // | Cloud Storage tags | `address` | `+16695555518` |
    { row: 'Cloud Storage address', input: '+16695555518', kind: 'e164', e164: '+16695555518' },
    // | | `callerId` | `15615551212` (no `+`) |
    { row: 'Cloud Storage callerId', input: '15615551212', kind: 'e164', e164: '+15615551212' },
    // | JaaS | dial `nick` | `"40364630871 (+40364630871)"` |
    { row: 'JaaS nick', input: '40364630871 (+40364630871)', kind: 'e164', e164: '+40364630871' },
    { row: 'JaaS nick with a broken parenthesis falls back to the digits', input: '40364630871 (+4036)', kind: 'e164', e164: '+40364630871' },
    { row: 'JaaS nick whose E.164 the metadata does not know', input: '15555551220 (+15555551220)', kind: 'e164', e164: '+15555551220', valid: false },
    // | JaaS | `USAGE.deviceId` | phone number for dial participants |
    { row: 'JaaS USAGE deviceId', input: '+40364630871', kind: 'e164', e164: '+40364630871' },
    // | JaaS | admin API `phoneNo` | `"+40747777777"` |
    { row: 'JaaS phoneNo', input: '+40747777777', kind: 'e164', e164: '+40747777777' },
    // | Partner SDK | `phoneNumber` | extension `"711159"` |
    { row: 'Partner SDK phoneNumber', input: '711159', kind: 'extension', extension: '711159' },
  ]);
});

describe('normalizePhone: edges', () => {
  run([
    { row: 'null', input: null, kind: 'empty' },
    { row: 'empty string', input: '', kind: 'empty' },
    { row: 'whitespace only keeps the raw', input: '   ', kind: 'empty' },
    { row: 'Work Analytics dash', input: '-', kind: 'empty' },
    { row: 'surrounding whitespace is ignored but kept in raw', input: '  +6581968289\n', kind: 'e164', e164: '+6581968289' },
    { row: 'a dialling extension is split off', input: '+1 202-555-5720 x77', kind: 'e164', e164: '+12025555720', extension: '77' },
    { row: 'RFC 3966 extension', input: '+12025555720;ext=88', kind: 'e164', e164: '+12025555720', extension: '88' },
    { row: 'fractional JSON number', input: 5515557212.5, kind: 'invalid' },
    { row: 'negative JSON number', input: -5515557212, kind: 'invalid' },
    { row: 'unsafe JSON number', input: 2 ** 60, kind: 'invalid' },
    { row: 'NaN', input: Number.NaN, kind: 'invalid' },
    { row: 'bigint', input: 13125555068n, kind: 'e164', e164: '+13125555068', raw: '13125555068' },
    { row: 'boolean has no raw text', input: true, kind: 'invalid' },
    { row: 'object has no raw text', input: { msisdn: '+6581968289' }, kind: 'invalid' },
    { row: 'too many digits', input: '123456789012345678901', kind: 'invalid' },
    { row: 'seven digits, no region', input: '5551234', kind: 'invalid' },
    { row: 'a one-digit operator extension', input: '0', kind: 'extension', extension: '0' },
    { row: 'short with a plus is not an extension', input: '+1042', kind: 'invalid' },
    { row: '+E.164 form with six digits is too short to keep', input: '+123456', kind: 'invalid' },
    { row: '+E.164 form with seven digits is kept', input: '+2901234', kind: 'e164', e164: '+2901234', valid: false },
    { row: '+E.164 form with fifteen digits is kept', input: '+999123456789012', kind: 'e164', e164: '+999123456789012', valid: false },
    { row: '+E.164 form with sixteen digits is too long', input: '+9991234567890123', kind: 'invalid' },
    { row: 'no country code starts with 0', input: '+0123456789', kind: 'invalid' },
    { row: '+E.164 form with punctuation (a CRM writes it so) is kept as the same number', input: '+1 (555) 555-1220', kind: 'e164', e164: '+15555551220', valid: false },
    { row: '+E.164 form keeps its dialling extension', input: '+15555551220 x12', kind: 'e164', e164: '+15555551220', extension: '12', valid: false },
    { row: 'a region hint does not change a +E.164 number', input: '+15555551220', hints: { region: 'SG' }, kind: 'e164', e164: '+15555551220', valid: false },
    { row: 'digits without + that the metadata rejects stay invalid', input: '15555551220', hints: { defaultRegion: 'US' }, kind: 'invalid' },
    { row: 'letters inside a +number are no +E.164 form', input: '+1555CALLNOW', kind: 'label' },
    { row: 'feature code', input: '*86', kind: 'invalid' },
    { row: 'vanity letters are not converted', input: '1-800-FLOWERS', kind: 'label' },
    { row: 'withheld caller', input: 'Anonymous', kind: 'label' },
    { row: 'label with a word in parentheses', input: 'Sales (EMEA)', kind: 'label' },
    { row: 'sender ID longer than 11 characters is a label', input: 'ACMECORPORATION', kind: 'label' },
    { row: 'region hint is trimmed and upper-cased', input: '81968289', hints: { region: ' sg ' }, kind: 'e164', e164: '+6581968289' },
    { row: 'unknown region hints are ignored', input: '16693335195', hints: { region: 'XX', defaultRegion: 'N/A' }, kind: 'e164', e164: '+16693335195' },
    { row: 'region is tried before defaultRegion', input: '91234567', hints: { region: 'NO', defaultRegion: 'SG' }, kind: 'e164', e164: '+4791234567' },
    { row: 'defaultRegion is used when region does not fit', input: '91234567', hints: { region: 'US', defaultRegion: 'SG' }, kind: 'e164', e164: '+6591234567' },
    { row: 'a national reading under the hint beats a country-code reading', input: '6591234567', hints: { region: 'SG' }, kind: 'e164', e164: '+6591234567' },
    { row: 'country code 65 without + and no hint', input: '6591234567', kind: 'e164', e164: '+6591234567' },
  ]);

  test('the same input always gives an equal, fresh result', () => {
    const a = normalizePhone('+6581968289');
    const b = normalizePhone('+6581968289');
    assert.deepEqual(a, b);
    assert.notEqual(a, b);
  });
});

describe('phoneRegionForCallingCode', () => {
  const cases: Array<[string | number, string | undefined]> = [
    [65, 'SG'], // Voice CSV SourceCountryCode (8x8.md §7 row "Voice CSV")
    ['65', 'SG'],
    ['+44', 'GB'],
    [' 44 ', 'GB'],
    [1, 'US'], // shared by NANP; the main region wins
    [7, 'RU'],
    [40, 'RO'],
    [800, undefined], // non-geographic
    [999, undefined],
    ['SG', undefined],
    ['', undefined],
    [6.5, undefined],
    ['1234', undefined],
  ];
  for (const [code, region] of cases) {
    test(`${JSON.stringify(code)} is ${region ?? 'no region'}`, () => {
      assert.equal(phoneRegionForCallingCode(code), region);
    });
  }
});
