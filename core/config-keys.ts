/**
 * The keys of the config schema, read from the schema itself: which keys a section takes
 * (for "did you mean …?" on a typo, with ./nearest.ts), every key with its default (for the tests that hold
 * README.md's table and switchboard.example.yaml to the schema).
 *
 * Keys are written as in the file, sections joined by dots; the items of a list are `[]`:
 * `server.rateLimit.max`, `syncs[].name`. A mapping whose keys the user chooses
 * (`models.vars`) is one key.
 */
import type { z } from 'zod';

/** One key of the config schema. */
export interface ConfigKey {
  /** e.g. `server.rateLimit.max`, `syncs[].mapping`, `warehouse.url` */
  key: string;
  /** False for a section (a mapping of known keys, or a list of them): `server.rateLimit`, `syncs`. */
  leaf: boolean;
  /** The schema's default, when it declares one: `{ value: 8080 }`; absent when the key has none. */
  default?: { value: unknown };
}

/** What the walker needs of a zod schema: its definition (zod 4 keeps it in `_zod.def`). */
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: readonly Schema[];
  discriminator?: string;
  element?: Schema;
  values?: readonly unknown[];
  entries?: Record<string, unknown>;
  defaultValue?: unknown;
}
type Schema = { _zod: { def: Def } } | z.ZodType;

function defOf(schema: Schema): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

/** A section: its keys, and, for a union of sections, which variants take which key. */
interface Section {
  fields: Map<string, Field>;
  /** For a discriminated union (`warehouse`): the discriminator and the keys each of its values takes. */
  variants?: { discriminator: string; keysByValue: Map<string, Set<string>> };
}

interface Field {
  schema: Schema;
  default?: { value: unknown };
}

const WRAPPERS = new Set(['optional', 'nullable', 'readonly', 'nonoptional', 'catch']);

/** The schema under defaults, optionals and preprocessing, with the default found on the way. */
function unwrap(schema: Schema): { schema: Schema; default?: { value: unknown } } {
  let current = schema;
  let found: { value: unknown } | undefined;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default' && def.innerType !== undefined) {
      found ??= { value: def.defaultValue };
      current = def.innerType;
    } else if (def.type === 'prefault' && def.innerType !== undefined) {
      // A prefault is parsed: its value fills the section's own defaults in.
      current = def.innerType;
    } else if (WRAPPERS.has(def.type) && def.innerType !== undefined) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in !== undefined && def.out !== undefined) {
      current = defOf(def.out).type === 'transform' ? def.in : def.out;
    } else {
      return found === undefined ? { schema: current } : { schema: current, default: found };
    }
  }
}

/** The section a schema describes, or null for a value (string, number, list of values, user-keyed mapping). */
function sectionOf(schema: Schema): Section | null {
  const def = defOf(unwrap(schema).schema);
  if (def.type === 'object' && def.shape !== undefined) {
    return { fields: new Map(Object.entries(def.shape).map(([name, field]) => [name, fieldOf(field)])) };
  }
  if (def.type === 'union' && def.options !== undefined) {
    const sections = def.options.map(sectionOf);
    if (sections.some((s) => s === null)) return null; // a union of values: a value
    const fields = new Map<string, Field>();
    const keysByValue = new Map<string, Set<string>>();
    for (const section of sections as Section[]) {
      for (const [name, field] of section.fields) if (!fields.has(name)) fields.set(name, field);
      const tag = def.discriminator === undefined ? undefined : section.fields.get(def.discriminator);
      for (const value of tag === undefined ? [] : literalValues(tag.schema)) keysByValue.set(value, new Set(section.fields.keys()));
    }
    return def.discriminator === undefined ? { fields } : { fields, variants: { discriminator: def.discriminator, keysByValue } };
  }
  return null;
}

function fieldOf(schema: Schema): Field {
  const { default: found } = unwrap(schema);
  return found === undefined ? { schema } : { schema, default: found };
}

function literalValues(schema: Schema): string[] {
  const def = defOf(unwrap(schema).schema);
  if (def.type === 'literal') return (def.values ?? []).map(String);
  if (def.type === 'enum') return Object.values(def.entries ?? {}).map(String);
  return [];
}

/** The element of a list, or null when the schema is not a list. */
function elementOf(schema: Schema): Schema | null {
  const def = defOf(unwrap(schema).schema);
  return def.type === 'array' && def.element !== undefined ? def.element : null;
}

/**
 * Every key of the schema, sections before their keys, in the schema's order.
 * @example configKeys(configSchema).find((k) => k.key === 'server.port') // { key: 'server.port', leaf: true, default: { value: 8080 } }
 */
export function configKeys(schema: Schema): ConfigKey[] {
  const keys: ConfigKey[] = [];
  const visit = (section: Section, prefix: string): void => {
    for (const [name, field] of section.fields) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      const child = sectionOf(field.schema);
      const element = elementOf(field.schema);
      const elementSection = element === null ? null : sectionOf(element);
      keys.push({ key, leaf: child === null && elementSection === null, ...(field.default === undefined ? {} : { default: field.default }) });
      if (child !== null) visit(child, key);
      if (elementSection !== null) visit(elementSection, `${key}[]`);
    }
  };
  const root = sectionOf(schema);
  if (root !== null) visit(root, '');
  return keys;
}

/**
 * The keys the section at `path` takes, or null when `path` is not a section. List indexes
 * in the path step into the list's items.
 * @example sectionKeys(configSchema, ['warehouse']) // ['type', 'path', 'rawSchema', …, 'url']
 */
export function sectionKeys(schema: Schema, path: readonly PropertyKey[]): { keys: string[]; variants?: Section['variants'] } | null {
  let section = sectionOf(schema);
  let list: Schema | null = null;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (list === null) return null;
      section = sectionOf(list);
      list = null;
      continue;
    }
    const field = section?.fields.get(String(segment));
    if (field === undefined) return null;
    list = elementOf(field.schema);
    section = sectionOf(field.schema);
  }
  if (section === null) return null;
  return section.variants === undefined ? { keys: [...section.fields.keys()] } : { keys: [...section.fields.keys()], variants: section.variants };
}
