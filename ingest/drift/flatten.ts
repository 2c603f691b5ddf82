/**
 * One event body as the set of JSON paths it holds and the type of the value at each: what
 * schema drift learns (README › Observability › Schema drift).
 *
 * - Paths start at `$`; an object's member is `.name` (or `["odd name"]` when the name is
 *   not a plain identifier), an array's elements are `[]`: `$.participants[].name`.
 * - Types are JSON's: `string`, `number`, `boolean`, `object`, `array`, `null`. A path may
 *   have several in one body (an array holding strings and numbers).
 * - Member names that are data rather than schema (a phone number, an e-mail address, a
 *   UUID, a long number or hex id, a name over 64 characters) become `*`: a map keyed by
 *   caller number would otherwise add a path per caller, and would put personal data in the
 *   path itself.
 * - At most {@link MAX_DEPTH} levels and {@link MAX_PATHS} paths per body are read; deeper or
 *   further is left out, so one odd payload costs little.
 */
import { storableText } from '../storable-text.js';

export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** One (path, type) of a body. */
export interface FlatPath {
  /** e.g. `$.participants[].name` */
  path: string;
  type: JsonType;
  /** The first value found at this path with this type (redacted before it is stored: redact.ts). */
  value: unknown;
}

/** Deepest nesting read below `$`. */
export const MAX_DEPTH = 16;
/** Most (path, type) pairs read from one body. */
export const MAX_PATHS = 1000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Names that are values: numbers and phone numbers, e-mail addresses, UUIDs, long hex ids. */
const DATA_NAMES = [/^[+(]?\d[\d\s().+-]*$/, /@/, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^[0-9a-f]{16,}$/i];

/** The JSON type of a parsed value. */
export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

/**
 * Every (path, type) in `body`, each once, keyed `<path>\t<type>`.
 * @example flattenJson({ id: 'm1', participants: [{ name: 'Ann' }] })
 *   → $ object, $.id string, $.participants array, $.participants[] object, $.participants[].name string
 */
export function flattenJson(body: unknown): Map<string, FlatPath> {
  const out = new Map<string, FlatPath>();
  const visit = (value: unknown, path: string, depth: number): void => {
    if (out.size >= MAX_PATHS) return;
    const type = jsonType(value);
    const key = `${path}\t${type}`;
    if (!out.has(key)) out.set(key, { path, type, value });
    if (depth >= MAX_DEPTH) return;
    if (type === 'array') {
      for (const item of value as unknown[]) visit(item, `${path}[]`, depth + 1);
    } else if (type === 'object') {
      for (const [name, child] of Object.entries(value as Record<string, unknown>)) visit(child, `${path}${member(name)}`, depth + 1);
    }
  };
  visit(body, '$', 0);
  return out;
}

/**
 * The path that encloses `path`: `$.a[].b` → `$.a[]` → `$.a` → `$` → null.
 * @example parentOf('$.participants[].name') → '$.participants[]'
 */
export function parentOf(path: string): string | null {
  if (path === '$') return null;
  // Where the last member starts: scanned from the left, since a quoted name may hold `.`, `[` or `"]`.
  let last = 1;
  for (let i = 1; i < path.length; ) {
    last = i;
    if (path.startsWith('[]', i)) i += 2;
    else if (path.startsWith('["', i)) {
      let j = i + 2;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      i = j + 2; // past `"]`
    } else {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j += 1;
      i = j;
    }
  }
  return path.slice(0, last);
}

/** `.name`, `["odd name"]`, or `.*` for a name that is data. */
function member(name: string): string {
  if (isDataName(name)) return '.*';
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(storableText(name))}]`;
}

/** True for a member name that is a value rather than schema (see the file comment). */
export function isDataName(name: string): boolean {
  return name.length > 64 || DATA_NAMES.some((re) => re.test(name));
}

/** Parses a stored body; null when it is not JSON (it always is once landed: XML receipts are read through `body_json`). */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
