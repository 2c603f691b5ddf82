/**
 * The body sample `switchboard dlq show` prints: enough to see what was refused, not a copy
 * of someone's personal data. The stored rows keep the body as it came (raw.rejections, the
 * quarantine file); the sample masks, as the stored headers already do for credentials:
 *
 * - the value of any JSON key that names a credential (token, secret, password,
 *   authorization, signature, api key, cookie) becomes `[redacted]`;
 * - e-mail addresses keep only their domain: `***@example.com`;
 * - phone numbers keep their last 4 digits, `+***4567`: a JSON string that is one (7 to 15
 *   digits, with `+`, spaces, dots, dashes or brackets; not a date), and in any text a `+`
 *   followed by one;
 * - the result is cut to {@link SAMPLE_CHARS} characters.
 *
 * @example redactedSample('{"from":"+14155550123","token":"x"}') → '{"from":"+***0123","token":"[redacted]"}'
 */
import { REDACTED } from '../../ingest/records.js';

/** The longest sample, in characters. */
export const SAMPLE_CHARS = 1000;

const CREDENTIAL_KEY = /token|secret|password|passwd|authori[sz]ation|signature|api[-_]?key|cookie|credential/i;
const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
/** A whole value that is a phone number (dates excluded below). */
const PHONE_VALUE = /^\+?[\d\s().-]+$/;
/** In free text: a number written with its `+`. */
const PLUS_PHONE = /\+\d[\d\s().-]{5,}\d/g;

/** `text` masked and cut (see the file's header); null stays null. */
export function redactedSample(text: string | null | undefined, maxChars = SAMPLE_CHARS): string | null {
  if (text === null || text === undefined) return null;
  let masked: string;
  try {
    masked = JSON.stringify(redactValue(JSON.parse(text) as unknown));
  } catch {
    masked = maskText(text);
  }
  return masked.length > maxChars ? `${masked.slice(0, maxChars)}… (${masked.length - maxChars} more characters)` : masked;
}

function redactValue(value: unknown, key = ''): unknown {
  if (CREDENTIAL_KEY.test(key) && value !== null && typeof value !== 'object') return REDACTED;
  if (typeof value === 'string') return isPhone(value) ? maskPhone(value) : maskText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}

function isPhone(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return PHONE_VALUE.test(value) && digits >= 7 && digits <= 15 && !/^\d{4}-\d{2}-\d{2}/.test(value.trim());
}

function maskPhone(value: string): string {
  return `${value.trim().startsWith('+') ? '+' : ''}***${value.replace(/\D/g, '').slice(-4)}`;
}

function maskText(text: string): string {
  return text.replace(EMAIL, '***@$1').replace(PLUS_PHONE, (match) => {
    const digits = match.replace(/\D/g, '').length;
    return digits >= 7 && digits <= 15 ? maskPhone(match) : match;
  });
}
