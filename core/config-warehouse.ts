/**
 * The `warehouse:` section of the config: the warehouses' own schemas (declared in
 * `sql/warehouses/<name>/config.ts`, passed in by the caller, since core does not import sql/)
 * combined into one, picked by `type`, with a message that names the supported types.
 */
import { z } from 'zod';
import { nearest } from './nearest.js';

/**
 * A warehouse's `warehouse:` block, as its folder under sql/warehouses/ declares it: a strict
 * object whose `type` is a literal (`duckdb`, `postgres`, …) and which has a `rawSchema`.
 */
export type WarehouseSchema = z.ZodObject<z.core.$ZodLooseShape, z.core.$strict>;

/** What every warehouse's settings have in common, whichever warehouse it is. */
export interface WarehouseSettings {
  /** e.g. `duckdb`; the folder under sql/warehouses/ that opens it. */
  type: string;
  /** The schema (dataset) the raw tables are in, e.g. `raw`. */
  rawSchema: string;
}

/**
 * The warehouses the config may name, from sql/warehouses/index.ts (core does not know them).
 * @example { schemas: [duckDbConfigSchema, postgresConfigSchema], notYet: { snowflake: 'Snowflake is not supported yet' } }
 */
export interface WarehouseChoices<W extends readonly [WarehouseSchema, ...WarehouseSchema[]]> {
  /** One schema per warehouse; the first is the default, so all its keys have defaults. */
  schemas: W;
  /** Warehouse types known but not openable in this release, with why: `{ snowflake: 'Snowflake is not supported yet' }`. */
  notYet?: Readonly<Record<string, string>>;
}

/** The `type` literal of each warehouse schema, in order. */
function typesOf(schemas: readonly WarehouseSchema[]): string[] {
  return schemas.flatMap((schema) => [...((schema.shape as Record<string, z.ZodType>).type?._zod.values ?? [])].map(String));
}

/** `warehouse.type` when it names no warehouse this release opens (zod's own wording would list the variants only). */
function unsupportedWarehouse(input: unknown, types: readonly string[], notYet: Readonly<Record<string, string>>): string {
  const type = input !== null && typeof input === 'object' ? (input as Record<string, unknown>).type : undefined;
  const why = typeof type === 'string' ? notYet[type.toLowerCase()] : undefined;
  const close = typeof type === 'string' && why === undefined ? nearest(type, types) : undefined;
  const reason = why !== undefined ? `. ${why}` : close !== undefined ? ` (did you mean ${close}?)` : '';
  const [first = '', ...others] = types;
  const choices = others.length === 0 ? `${first} (the default)` : `${[`${first} (the default)`, ...others.slice(0, -1)].join(', ')} or ${others.at(-1) ?? ''}`;
  return `${JSON.stringify(type)} is not a warehouse this release supports: use ${choices}${reason}`;
}

/** `warehouse:`: one of the warehouses' schemas, picked by `type`; without `type`, the first (DuckDB). */
export function warehouseSection<const W extends readonly [WarehouseSchema, ...WarehouseSchema[]]>(choices: WarehouseChoices<W>) {
  const types = typesOf(choices.schemas);
  const notYet = choices.notYet ?? {};
  const union = z.discriminatedUnion('type', choices.schemas, {
    error: (issue) => (issue.code === 'invalid_union' ? unsupportedWarehouse(issue.input, types, notYet) : undefined),
  });
  // An absent section is parsed as `{}`: the default warehouse with its defaults.
  return union.prefault({} as z.input<typeof union>);
}
