/**
 * Turns zod's validation issues into config problems an operator can act on: each names the
 * key as written in the file (`warehouse.tpye`, `syncs[1].mapping`), says what is allowed,
 * shows what was given, and for a typo suggests the nearest valid key or value.
 *
 * @example
 *   describeIssues(result.error.issues, configSchema, raw)
 *   // [{ key: 'warehouse.tpye', message: 'unknown key; did you mean warehouse.type? …' }]
 */
import type { z } from 'zod';
import { configKeys, sectionKeys } from './config-keys.js';
import { nearest } from './nearest.js';

/** One thing to fix in the config. */
export interface ConfigProblem {
  /** The key as written, e.g. `server.port` or `syncs[0].name`; `(top level)` for the file itself. */
  key: string;
  /** What is wrong and what is allowed, e.g. `must be at most 65535 (got 70000)`. */
  message: string;
}

/**
 * The message zod's own wording is replaced by (pass `error: () => ZOD_DEFAULT` to safeParse):
 * an issue carrying it gets wording from here; one with a message from the schema keeps it.
 */
export const ZOD_DEFAULT = '\u0000zod-default';

/** The fields of zod 4's issues this file reads (they differ by `code`). */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  keys?: string[];
  values?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  format?: string;
  pattern?: string;
  errors?: Issue[][];
  issues?: Issue[];
}

type Schema = Parameters<typeof configKeys>[0];

/** Every problem the issues describe, one per unknown key. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: Schema): ConfigProblem[] {
  return (issues as readonly Issue[]).flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? (issue.keys ?? []).map((name) => unknownKey(schema, issue, name)) : [{ key: keyOf(issue.path), message: describe(issue) }],
  );
}

/** A path as written in the file: `syncs[0].name`. */
export function keyOf(path: readonly PropertyKey[]): string {
  let key = '';
  for (const segment of path) key += typeof segment === 'number' ? `[${segment}]` : `${key === '' ? '' : '.'}${String(segment)}`;
  return key === '' ? '(top level)' : key;
}

/** A path as the schema's keys spell it: list indexes become `[]` (`syncs[].name`). */
function schemaKey(path: readonly PropertyKey[]): string {
  return keyOf(path).replace(/\[\d+\]/g, '[]');
}

function unknownKey(schema: Schema, issue: Issue, name: string): ConfigProblem {
  const key = keyOf([...issue.path, name]);
  const section = sectionKeys(schema, issue.path);
  const where = issue.path.length === 0 ? 'the top level' : keyOf(issue.path);
  if (section === null) return { key, message: `unknown key: remove it or check its spelling` };
  const variants = section.variants;
  if (variants !== undefined && section.keys.includes(name)) {
    // A key of another variant, e.g. warehouse.url while the warehouse is DuckDB.
    const given = issue.input !== null && typeof issue.input === 'object' ? (issue.input as Record<string, unknown>)[variants.discriminator] : undefined;
    const takers = [...variants.keysByValue].filter(([, names]) => names.has(name)).map(([value]) => value);
    const fallback = configKeys(schema).find((k) => k.key === `${schemaKey(issue.path)}.${variants.discriminator}`)?.default?.value;
    const current = given === undefined ? `not set, so it is ${String(fallback)} (the default)` : String(given);
    return {
      key,
      message: `applies only when ${where}.${variants.discriminator} is ${takers.join(' or ')}, and ${where}.${variants.discriminator} is ${current}. Set ${where}.${variants.discriminator}: ${takers[0] ?? '?'}, or remove ${key}.`,
    };
  }
  const close = nearest(name, section.keys);
  if (close !== undefined) return { key, message: `unknown key; did you mean ${keyOf([...issue.path, close])}?` };
  // The right key in the wrong section, e.g. server.maxBytes for spool.maxBytes.
  const elsewhere = configKeys(schema).filter((k) => k.key.split('.').at(-1)?.toLowerCase() === name.toLowerCase());
  const hint = elsewhere.length > 0 ? `; ${elsewhere.map((k) => k.key).join(' or ')} ${elsewhere.length === 1 ? 'is' : 'are'} elsewhere` : '';
  return { key, message: `unknown key${hint}. The keys of ${where} are: ${section.keys.join(', ')}.` };
}

function describe(issue: Issue): string {
  // Sections and lists are not repeated back; a value is.
  const got = issue.input === undefined || (issue.input !== null && typeof issue.input === 'object') ? '' : ` (got ${show(issue.input)})`;
  if (issue.message !== ZOD_DEFAULT) {
    // The schema's own wording ("must be a size like 1GB"); a custom check has shown the value itself.
    return issue.code === 'custom' ? issue.message : `${issue.message}${got}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required: give ${expected(issue.expected)}`;
      return `must be ${expected(issue.expected)}, not ${show(issue.input)}`;
    case 'too_small':
      return `${bound(issue, 'at least', 'more than', issue.minimum)}${got}`;
    case 'too_big':
      return `${bound(issue, 'at most', 'less than', issue.maximum)}${got}`;
    case 'invalid_value': {
      const allowed = (issue.values ?? []).map(String);
      const close = typeof issue.input === 'string' ? nearest(issue.input, allowed) : undefined;
      return `${show(issue.input)} is not allowed: use ${oneOf(allowed)}${close === undefined ? '' : ` (did you mean ${close}?)`}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return `must be a URL such as https://example.com${got}`;
      if (issue.format === 'regex') return `must match ${issue.pattern ?? 'the expected pattern'}${got}`;
      return `must be a valid ${issue.format ?? 'value'}${got}`;
    case 'invalid_union': {
      const kinds = new Set((issue.errors ?? []).flatMap((branch) => branch.filter((i) => i.code === 'invalid_type').map((i) => expected(i.expected))));
      return kinds.size > 0 ? `must be ${oneOf([...kinds])}, not ${show(issue.input)}` : `is not allowed${got}`;
    }
    case 'invalid_key': {
      const inner = issue.issues?.[0];
      return `the key ${show(issue.input)} is not allowed here: ${inner === undefined || inner.message === ZOD_DEFAULT ? 'check its spelling' : inner.message}`;
    }
    default:
      return `is not valid${got}`;
  }
}

function bound(issue: Issue, inclusiveWord: string, exclusiveWord: string, limit: number | bigint | undefined): string {
  const n = Number(limit);
  if (issue.origin === 'array' || issue.origin === 'set') return `must list ${inclusiveWord} ${n} ${n === 1 ? 'entry' : 'entries'}`;
  if (issue.origin === 'string') return n === 1 && inclusiveWord === 'at least' ? 'must not be empty' : `must be ${inclusiveWord} ${n} characters long`;
  return `must be ${issue.inclusive === false ? exclusiveWord : inclusiveWord} ${n}`;
}

function expected(type: string | undefined): string {
  switch (type) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a text value';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a section of keys';
    case 'record':
      return 'a mapping of names to values';
    case 'array':
      return 'a list';
    default:
      return type ?? 'a value';
  }
}

/** A value as the operator wrote it, shortened. */
function show(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a section';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function oneOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
