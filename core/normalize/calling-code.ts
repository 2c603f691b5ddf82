import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';

/**
 * The main ISO 3166 alpha-2 region for an international calling code, or `undefined`.
 *
 * The Voice log export CSV gives `SourceCountryCode` as the numeric calling code (65),
 * unlike the Voice webhooks, which give ISO alpha-2 (`"SG"`); this turns the former into
 * a region hint for `normalizePhone`. See ../shared/reference/8x8.md §7, row "Voice CSV".
 * Where several regions share a code, libphonenumber's main region wins (1 → US, 44 → GB,
 * 7 → RU). Non-geographic codes (800, 870, 882…) have no region.
 *
 * @example
 *   phoneRegionForCallingCode(65)     // 'SG'
 *   phoneRegionForCallingCode('+44')  // 'GB'
 *   phoneRegionForCallingCode('1')    // 'US'
 *   phoneRegionForCallingCode(800)    // undefined (international freephone)
 *   phoneRegionForCallingCode('SG')   // undefined (already a region, not a calling code)
 */
export function phoneRegionForCallingCode(code: string | number): string | undefined {
  const text = typeof code === 'number' ? (Number.isSafeInteger(code) ? String(code) : '') : code.trim();
  const match = /^\+?(\d{1,3})$/.exec(text);
  if (match === null) return undefined;
  return metadata.country_calling_codes[match[1] as string]?.[0];
}

/**
 * A region hint as libphonenumber wants it, or `undefined` when it is missing or unknown.
 * Hints come from payloads (`sourceCountryCode: "sg"`, `country: "N/A"`), so they are
 * trimmed, upper-cased and checked rather than trusted.
 *
 * @example
 *   toRegion(' sg ')  // 'SG'
 *   toRegion('XX')    // undefined
 */
export function toRegion(hint: string | undefined): CountryCode | undefined {
  if (typeof hint !== 'string') return undefined;
  const region = hint.trim().toUpperCase();
  return isSupportedCountry(region) ? region : undefined;
}
