/**
 * Text that every warehouse can store, and JSON that every warehouse can parse.
 *
 * Two things arrive from the network that a warehouse refuses:
 * - in *text* columns: U+0000 (Postgres `text` cannot hold it) and unpaired UTF-16
 *   surrogates (not UTF-8 at all, so neither DuckDB nor Postgres takes them). They reach us
 *   in what an attacker controls before anything is verified: a rejected body, a JWS kid
 *   echoed in a reason.
 * - in *JSON*: the escapes `\u0000` (Postgres `json`/`jsonb`: "unsupported Unicode escape
 *   sequence") and unpaired `\ud800`…`\udfff` (both engines: "invalid input syntax" /
 *   "no low surrogate"). They are legal in a verified event's body (RFC 8259 §7 allows any
 *   code unit escaped), so the body is kept as it came and models read a parseable copy.
 */

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `text` with NUL and unpaired surrogates replaced by U+FFFD, so any warehouse stores it.
 * For what Switchboard writes *about* a request (reasons, headers, routes); never for a
 * verified body, which is stored exactly.
 * @example storableText('kid \ud800x') → 'kid \ufffdx'
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/** True when {@link storableText} would change nothing. */
export function isStorableText(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  return !UNSTORABLE.test(text);
}

/**
 * Every JSON string escape in one pass, so an escaped backslash (`\\u0000`, which is the
 * six characters `\u0000` as text) is never mistaken for an escape of its own. Pairs first:
 * a high surrogate escape followed by a low one is a valid character.
 */
const ESCAPE = /\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\[^u]/g;

/**
 * A copy of the JSON text `body` that every warehouse's JSON functions parse: `\u0000` and
 * unpaired surrogate escapes become `\ufffd`, everything else stays byte for byte. Returns
 * null when `body` needs no change (the common case, checked without a regex pass when the
 * body holds no `\u` at all).
 * @example jsonSafeCopy('{"x":"a\\u0000b"}') → '{"x":"a\\ufffdb"}'
 */
export function jsonSafeCopy(body: string): string | null {
  if (!body.includes('\\u')) return null;
  let changed = false;
  const copy = body.replace(ESCAPE, (match: string, _high?: string, _low?: string, single?: string) => {
    if (single === undefined) return match; // a surrogate pair, or another escape (\\, \", \n…)
    const code = Number.parseInt(single, 16);
    if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) {
      changed = true;
      return '\\ufffd';
    }
    return match;
  });
  return changed ? copy : null;
}
