/**
 * The one sample value a drift row keeps, redacted under the PII policy (`models.pii`), so
 * that `analytics.schema_drift` never holds personal data in the clear: it is read by alerts,
 * the console and every analyst, who may not read the raw tables.
 *
 * - `null`, booleans and numbers are kept, except an integer of 7 digits or more, which may
 *   be a phone number and is treated as one.
 * - A string in a format that holds no personal data is kept: an ISO 8601 date or time
 *   (`2026-03-01T10:00:00Z`), a UUID.
 * - A string that looks like a phone number (optional `+`, at least 7 digits, no letters)
 *   follows `models.pii.phone`; every other string (names, e-mail addresses, message text,
 *   URLs) follows `models.pii.body`.
 * - Under `hash`: `sha256:` and the salted SHA-256 hex of the value (salt
 *   SWITCHBOARD_PII_HASH_SALT, as the models' `pii()` hashes), so equal values match.
 *   Under `mask`, and under `keep` too (a sample is never kept as it is: `keep` is a choice
 *   about curated columns, not about drift rows): a phone number keeps its last 4
 *   characters (`********0100`, as the models mask it); any other string keeps only its
 *   shape: letters become `x`/`X`, digits `9`, the rest stays (`jane.doe@acme.com` →
 *   `xxxx.xxx@xxxx.xxx`), cut at 40 characters.
 * - Objects and arrays are not values: `{a, b}` (their member names, as flatten.ts spells
 *   them) and `[3 items]`.
 */
import { createHash } from 'node:crypto';
import { storableText } from '../storable-text.js';
import { isDataName } from './flatten.js';

export type PiiPolicy = 'keep' | 'mask' | 'hash';

/** The policies that apply, from `models.pii`, and the hash salt. */
export interface SamplePolicy {
  phone: PiiPolicy;
  body: PiiPolicy;
  /** SWITCHBOARD_PII_HASH_SALT; '' when unset. */
  hashSalt: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE = /^\+?[\d\s().-]+$/;
const SHAPE_LIMIT = 40;

/**
 * @example redactSample('+14155550100', { phone: 'keep', body: 'keep', hashSalt: '' }) → '********0100'
 * @example redactSample('Jane Doe', { phone: 'mask', body: 'hash', hashSalt: 's' }) → 'sha256:…'
 */
export function redactSample(value: unknown, policy: SamplePolicy): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) >= 1_000_000 ? phone(String(value), policy) : String(value);
  if (typeof value === 'string') {
    if (ISO_TIME.test(value) || UUID.test(value)) return value;
    if (PHONE.test(value) && (value.match(/\d/g)?.length ?? 0) >= 7) return phone(value, policy);
    return policy.body === 'hash' ? hashed(value, policy.hashSalt) : shape(value);
  }
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (typeof value === 'object') return `{${Object.keys(value as object).slice(0, 10).map((k) => (isDataName(k) ? '*' : storableText(k))).join(', ')}}`;
  return typeof value;
}

function phone(value: string, policy: SamplePolicy): string {
  if (policy.phone === 'hash') return hashed(value, policy.hashSalt);
  return value.length > 4 ? `${'*'.repeat(value.length - 4)}${value.slice(-4)}` : '*'.repeat(value.length);
}

function hashed(value: string, salt: string): string {
  return `sha256:${createHash('sha256').update(`${salt}${value}`, 'utf8').digest('hex')}`;
}

function shape(value: string): string {
  const cut = [...value].slice(0, SHAPE_LIMIT);
  const masked = cut.map((c) => (/\p{Lu}/u.test(c) ? 'X' : /\p{L}/u.test(c) ? 'x' : /\p{N}/u.test(c) ? '9' : /[\s\p{P}\p{S}]/u.test(c) ? c : '?')).join('');
  return storableText(cut.length < [...value].length ? `${masked}…` : masked);
}
