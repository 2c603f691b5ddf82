/**
 * How the fake Connect log exports check a start-export request: the `{subAccountId}` path
 * parameter and the JSON body `LogExportRequest` [SMS/CA/VOICE]. `from`/`to` as `yyyy-MM-dd`,
 * `yyyy-MM-ddTHH:mm:ssZ`, `yyyy-MM-ddTHH:mm:ss` (UTC) or `yyyy-MM-ddTHH:mm:ss±hh:mm` ("The API
 * will automatically determine whether the datetime is UTC or local based on the format"); no
 * fraction of a second (none of the listed formats has one; OPEN: the schema also says `format:
 * date-time`, which would allow it); `limit` an integer, 0 = unlimited (INFERRED: negative
 * refused); SMS `phoneNumber` digits ("E.164", example `6511111111`), SMS/CA `countries`
 * two-letter codes, CA `channelUserId` `<ISO alpha-2>.<up to 128 alphanumerics>`; Voice takes
 * only from/to/limit. Anything else is 400 code 1002 (OPEN: status, code and message of a
 * refused body are not documented).
 *
 * Sources, as in index.ts: in the public repo `8x8Cloud/public-developer-docs` (snapshot
 * 859e59a, 2026-07-23), [SMS] `docs_oas/connect/sms_api.json`, [CA]
 * `docs_oas/connect/business_messaging_api.json`, [VOICE] `docs_oas/connect/voice_v1_api.json`,
 * and ../shared/reference/8x8.md §1.8 and §2.7 (our notes on them).
 */
import { DateTime } from 'luxon';
import type { Product } from './rows.js';

/** [SMS/CA/VOICE] `LogExportRequest.from`/`to`: a date, or a datetime to the second, UTC (`Z` or none) or with an offset. */
const TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?)?$/;
/** [SMS/CA/VOICE] the `subAccountId` path parameter's pattern. */
export const SUBACCOUNT = /^[A-Za-z0-9\-._&]{3,50}$/;
/** The body fields each product documents. */
const BODY_FIELDS: Readonly<Record<Product, readonly string[]>> = {
  sms: ['from', 'to', 'phoneNumber', 'countries', 'limit'],
  chatapps: ['from', 'to', 'phoneNumber', 'countries', 'limit', 'channelUserId'],
  voice: ['from', 'to', 'limit'],
};

/** Why a start-export body is refused, or null: only documented fields, each of its documented type and form. */
export function refuseBody(product: Product, body: unknown): string | null {
  if (body === undefined) return null; // "required": false; from/to then default (OPEN: the fake still needs them)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object';
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !BODY_FIELDS[product].includes(name));
  if (unknown !== undefined) return `Unknown field ${unknown}`;
  const limit = fields['limit'];
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)) return 'limit must be a whole number, 0 for unlimited';
  const phone = fields['phoneNumber'];
  if (phone !== undefined && (typeof phone !== 'string' || !/^\+?[1-9]\d{6,14}$/.test(phone))) return 'phoneNumber must be a phone number in E.164 format';
  const countries = fields['countries'];
  if (countries !== undefined && (!Array.isArray(countries) || !countries.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c)))) return 'countries must be two-letter ISO 3166 codes';
  const user = fields['channelUserId'];
  if (user !== undefined && (typeof user !== 'string' || !/^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/.test(user))) return 'channelUserId must be <ISO alpha-2>.<up to 128 alphanumerics>';
  return null;
}

/** A `from`/`to` value as an instant (UTC unless it carries an offset), or null when it is not one of the documented forms. */
export function readTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !TIME.test(value)) return null;
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  return parsed.isValid ? parsed.toJSDate() : null;
}
