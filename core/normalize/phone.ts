import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { toRegion } from './calling-code.js';

export { phoneRegionForCallingCode } from './calling-code.js';

// Every rule below comes from ../shared/reference/8x8.md §7 ("Phone number formats"); each
// cites the row it handles. We use libphonenumber's 'max' metadata (~160 KB, server-side
// only): 'min' checks lengths only, 'max' checks the number ranges too, which is what
// flags samples like "+15555551220" (no US area code 555) as not valid. A number 8x8 sends
// in +E.164 form is kept whatever the metadata says, since the metadata lags real
// allocations and a dropped number loses the join to the CRM; `valid` carries the verdict.

/**
 * What a phone-ish value turned out to be.
 * - `e164`: a phone number; `e164` holds it (`"+6581968289"`). Either libphonenumber calls it
 *   valid, or it came in +E.164 form (`"+15555551220"`), which is kept even when the
 *   metadata does not know its range; {@link NormalizedPhone.valid} tells the two apart.
 * - `extension`: a short internal number (`"1042"`); `extension` holds it.
 * - `label`: a PBX destination or placeholder (`"CallQueue"`, `"Voicemail (120088)"`).
 * - `alphanumeric`: an SMS sender ID (`"ACME"`, `"8x8"`).
 * - `bsuid`: a WhatsApp business-scoped user id (`"US.13491208655302741918"`), not a phone.
 * - `invalid`: looked like a number but is none: masked, too short, or digits without '+' that
 *   no region hint or country code makes a valid number.
 * - `empty`: nothing there (`null`, `""`, `"N/A"`).
 */
export type PhoneKind = 'e164' | 'extension' | 'label' | 'alphanumeric' | 'bsuid' | 'invalid' | 'empty';

/** One phone-ish value, normalised. Never throws away what 8x8 sent. */
export interface NormalizedPhone {
  /** Exactly what arrived, as text; JSON numbers as their decimal string. `5515557212` → `"5515557212"`. `null` only for null, undefined and values that are neither strings nor numbers. */
  raw: string | null;
  /** The E.164 number when `kind` is `'e164'`, e.g. `"+15515557212"`; otherwise `null`. */
  e164: string | null;
  /** The extension: the value itself for `'extension'` (`"1042"`), the box of a label (`"Voicemail (120088)"` → `"120088"`), or a dialling extension (`"+1 202 555 5720 x77"` → `"77"`). */
  extension: string | null;
  /** What the value is; see {@link PhoneKind}. */
  kind: PhoneKind;
  /**
   * True when libphonenumber's metadata calls `e164` a valid number (`"+6581968289"`); false
   * for a +E.164 number it does not know (`"+15555551220"`, area code 555) and whenever
   * `e164` is null.
   */
  valid: boolean;
}

/** Where to look up national numbers that have no country code. */
export interface PhoneHints {
  /** ISO 3166 alpha-2 from the payload itself, e.g. Voice `sourceCountryCode: "SG"` or SMS `country`. Tried first. */
  region?: string;
  /** The configured fallback: the tenant's or PBX's country, e.g. `"US"`. Tried second. */
  defaultRegion?: string;
}

/** Internal numbers are shorter than any E.164 national number we expect ("1042", Partner SDK "711159"). */
const MAX_EXTENSION_DIGITS = 6;
/** An SMS alphanumeric sender ID: up to 11 letters and digits, at least one letter (GSM 03.40 TP-OA). */
const SENDER_ID = /^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9]{1,11}$/;
/** PBX destinations 8x8 Work writes where a number would go, plus the usual withheld-caller words [INFERRED]. */
const PBX_LABEL = /^(?:call\s*queue|voice\s*mail|auto\s*attendant|ring\s*group|hunt\s*group|anonymous|private|restricted|unavailable|unknown)\b/i;
/** Written where a number is absent: CC Event Streaming `cha: "N/A"`; Work Analytics uses "-". */
const PLACEHOLDER = /^(?:n\/?a|-+|null|none)$/i;
/** `<ISO country>.<digits>`: https://developer.8x8.com/connect/docs/inbound-chatapps-message (v3 `channelUserId`). */
const BSUID = /^[A-Z]{2}\.\d{6,}$/;
/** A number with its tail masked, e.g. `msisdn: "+63922110xxxx"` from the SMS message GET (8x8.md §1.8). */
const MASKED = /^\+?[\d\s.-]*\d[xX*]{2,}$/;
/** Digits with the usual punctuation. */
const NUMBER_BODY = /^\+?[\d\s().\/-]*\d[\d\s().\/-]*$/;
/** A dialling extension after a number: `x77`, `ext. 77`, `;ext=77`. */
const DIAL_EXTENSION = /(?:;ext=|\s*(?:ext\.?|x|#)\s*)\d{1,7}$/i;
/**
 * A number in +E.164 form, maybe written with the usual punctuation and a dialling extension:
 * '+', a country code (never 0) and at most 15 digits in all (ITU-T E.164 §6.1). Seven digits
 * at least, the shortest international numbers in use (St Helena +290 XXXX), so that "+1042"
 * stays no number.
 */
const PLUS_E164 = /^\+(?=[1-9])([\d\s().\/-]*\d)(?:(?:;ext=|\s*(?:ext\.?|x|#)\s*)(\d{1,7}))?$/i;
const E164_DIGITS = { min: 7, max: 15 } as const;
/** Fewest digits before a dialling extension, so that the sender ID "8x8" is not read as 8 ext. 8. */
const MIN_DIGITS_BEFORE_EXTENSION = 7;
/** `"<outer> (<inner>)"`: JaaS dial `nick` and Work Analytics "Voicemail (120088)". */
const PARENTHESISED = /^(.+?)\s*\(\s*([^()]+?)\s*\)$/;

/**
 * Normalises any phone-ish value 8x8 sends to E.164, and says what it is when it is not a
 * phone number. Pure: the same input and hints always give the same result.
 *
 * National numbers are read with `hints.region`, then `hints.defaultRegion`; digits that
 * already start with a country code get a `+` when that makes a valid number. Extensions,
 * labels and sender IDs are never forced into E.164. `raw` always keeps the input.
 *
 * @example
 *   normalizePhone('+6581968289')                   // { raw: '+6581968289', e164: '+6581968289', extension: null, kind: 'e164' }
 *   normalizePhone(5515557212, { region: 'US' })    // e164 '+15515557212' (CC phoneNum, a JSON number)
 *   normalizePhone('16693335195')                   // e164 '+16693335195' (CC Historical, no '+')
 *   normalizePhone('1042')                          // kind 'extension', extension '1042'
 *   normalizePhone('Voicemail (120088)')            // kind 'label', extension '120088'
 *   normalizePhone('ACME')                          // kind 'alphanumeric'
 *   normalizePhone('40364630871 (+40364630871)')    // e164 '+40364630871' (JaaS nick)
 *   normalizePhone('+63922110xxxx')                 // kind 'invalid' (masked)
 *   normalizePhone('+15555551220')                  // e164 '+15555551220', valid false (metadata: no area code 555)
 */
export function normalizePhone(value: unknown, hints: PhoneHints = {}): NormalizedPhone {
  const raw = rawText(value);
  if (raw === null) {
    return result(null, value === null || value === undefined ? 'empty' : 'invalid');
  }
  // A JSON number that is not a whole, non-negative, exactly representable integer is no phone.
  if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) return result(raw, 'invalid');
  const regions = [toRegion(hints.region), toRegion(hints.defaultRegion)].filter((r): r is CountryCode => r !== undefined);
  return { ...classify(raw.trim(), regions), raw };
}

function classify(text: string, regions: CountryCode[]): NormalizedPhone {
  if (text === '' || PLACEHOLDER.test(text)) return result(text, 'empty');
  // WhatsApp v3 `channelUserId` (§7 row "ChatApps user.channelUserId"): an id, not a phone.
  if (BSUID.test(text)) return result(text, 'bsuid');
  // SMS/ChatApps message GET and CSV `msisdn` (§7): 8x8 masks it unless unmasked. libphonenumber
  // would silently drop the x's and read "+63922110", so catch it first.
  if (MASKED.test(text)) return result(text, 'invalid');

  const parenthesised = PARENTHESISED.exec(text);
  if (parenthesised !== null) return classifyParenthesised(text, parenthesised[1] as string, parenthesised[2] as string, regions);

  // Work Analytics `callerId` "NAME,+1…" (§7): the number is after the last comma.
  const comma = text.lastIndexOf(',');
  if (comma >= 0) {
    const tail = text.slice(comma + 1).trim();
    if (isNumberLike(tail)) return classifyNumber(tail, regions);
  }

  if (/[A-Za-z]/.test(text) && !isNumberLike(text)) {
    // SMS DR `source` may be a sender ID ("8x8", "ACME"), and Work Analytics `callee` may be
    // "CallQueue" (§7). Both fields mix these with numbers, so the split between the two
    // kinds is a best guess; neither is ever turned into E.164.
    // https://developer.8x8.com/connect/docs/delivery-receipts-for-outbound-sms
    // https://developer.8x8.com/analytics/docs/work-analytics-call-detail-records
    if (PBX_LABEL.test(text)) return result(text, 'label');
    return result(text, SENDER_ID.test(text) ? 'alphanumeric' : 'label');
  }
  if (isNumberLike(text)) return classifyNumber(text, regions);
  return result(text, 'invalid');
}

/**
 * `"<outer> (<inner>)"`. JaaS dial `nick` "40364630871 (+40364630871)" puts the E.164 in
 * the parentheses (https://developer.8x8.com/jaas/docs/webhooks-events); Work Analytics
 * `callee` "Voicemail (120088)" puts the mailbox there. Anything else is a label.
 */
function classifyParenthesised(text: string, outer: string, inner: string, regions: CountryCode[]): NormalizedPhone {
  if (inner.startsWith('+')) {
    const fromInner = classifyNumber(inner, regions);
    if (fromInner.kind === 'e164') return fromInner;
  }
  if (/[A-Za-z]/.test(outer)) {
    return { ...result(text, 'label'), extension: isExtension(inner) ? inner : null };
  }
  if (isNumberLike(outer)) return classifyNumber(outer, regions);
  return result(text, 'label');
}

/** Digits, maybe with '+', punctuation and an extension. */
function classifyNumber(text: string, regions: CountryCode[]): NormalizedPhone {
  // Work Analytics `caller` "1042" and Partner SDK `phoneNumber` "711159" (§7): internal extensions.
  if (isExtension(text)) return { ...result(text, 'extension'), extension: text };
  if (text.startsWith('+')) return fromParsed(text, parsePhoneNumberFromString(text), { plusForm: true });

  // Reference §7 rule 3: national numbers with the payload's region, then the default region
  // (CC Event Streaming `phoneNum` 5515557212 is NANP national)…
  for (const region of regions) {
    const parsed = parsePhoneNumberFromString(text, region);
    if (parsed?.isValid()) return fromParsed(text, parsed, { plusForm: false });
  }
  // …then digits that already carry a country code but no '+': CC Historical "16693335195",
  // Work Analytics `dnis` "12025555720", Cloud Storage `callerId` "15615551212", CC `cha`
  // 13125555068, SMS log filter "6511111111", WhatsApp `wa_id`.
  return fromParsed(text, parsePhoneNumberFromString(`+${text}`), { plusForm: false });
}

/**
 * A number libphonenumber calls valid becomes E.164 (`valid` true). So does one that came in
 * +E.164 form (`plusForm`), whatever the metadata says (`valid` false): Voice VSS sends
 * "+656833033", one digit short of a Singapore number by today's metadata (§7 row "Voice
 * VSS/VCA/VCS": "validate and do not assume"), and Work Analytics `caller` "+15555551220"
 * has an area code the metadata does not list; 8x8 put a '+' in front, so they are kept, as
 * sent. Digits without a '+' are only read as a number the metadata accepts: which country
 * they belong to is a guess otherwise.
 * https://developer.8x8.com/connect/docs/voice/webhook-guides/voice-session-summary-webhook
 */
function fromParsed(text: string, parsed: ReturnType<typeof parsePhoneNumberFromString>, { plusForm }: { plusForm: boolean }): NormalizedPhone {
  if (parsed?.isValid()) return { raw: text, e164: parsed.number, extension: parsed.ext ?? null, kind: 'e164', valid: true };
  const kept = plusForm ? plusE164(text) : null;
  if (kept !== null) return { raw: text, e164: kept.e164, extension: kept.extension, kind: 'e164', valid: false };
  return result(text, 'invalid');
}

/** `text` as '+' and digits when it is in +E.164 form ({@link PLUS_E164}), with any dialling extension; else null. */
function plusE164(text: string): { e164: string; extension: string | null } | null {
  const match = PLUS_E164.exec(text);
  if (match === null) return null;
  const digits = (match[1] as string).replace(/\D/g, '');
  if (digits.length < E164_DIGITS.min || digits.length > E164_DIGITS.max) return null;
  return { e164: `+${digits}`, extension: match[2] ?? null };
}

function isNumberLike(text: string): boolean {
  const body = text.replace(DIAL_EXTENSION, '');
  if (body === text) return NUMBER_BODY.test(text);
  return NUMBER_BODY.test(body) && body.replace(/\D/g, '').length >= MIN_DIGITS_BEFORE_EXTENSION;
}

function isExtension(text: string): boolean {
  return text.length <= MAX_EXTENSION_DIGITS && /^\d+$/.test(text);
}

function result(raw: string | null, kind: PhoneKind): NormalizedPhone {
  return { raw, e164: null, extension: null, kind, valid: false };
}

/** Strings as they are; numbers and bigints as decimal text; anything else has no raw text. */
function rawText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return null;
}
