/**
 * The phone_lookup materialization: a table of every (raw, region_hint) phone value the
 * model's SELECT yields, normalised in Node by core/normalize/phone.ts (libphonenumber), which
 * SQL cannot do. Only new pairs are added on each build; a full refresh rebuilds it.
 *
 * A table an older version made is upgraded in place on the next build: the columns added
 * since (`valid`) are added through the dialect (`ALTER TABLE … ADD COLUMN IF NOT EXISTS`, the
 * same on all four warehouses), and the rows written before them (`valid` NULL) are
 * normalised again, since the rules changed with them (0.3: +E.164 numbers the metadata
 * rejects are kept).
 */
import { normalizePhone } from '../../core/normalize/phone.js';
import type { SqlDialect, TableSpec } from '../dialect.js';
import { addColumns } from '../migrations/steps.js';
import type { Queryable, Warehouse, WriteRow } from '../warehouse.js';

/** The table a phone_lookup model fills. */
export function phoneLookupTable(schema: string, name: string): TableSpec {
  return {
    schema,
    name,
    columns: [
      { name: 'raw', type: 'text', nullable: false },
      { name: 'region_hint', type: 'text', nullable: false },
      { name: 'e164', type: 'text' },
      { name: 'extension', type: 'text' },
      { name: 'kind', type: 'text', nullable: false },
      // The newest landed_at among the rows that brought the pair: watermark() of the next run.
      { name: 'landed_at', type: 'timestamp' },
      // Whether libphonenumber's metadata accepts e164 (false without one). Last, as an ALTER
      // adds it to a table made before it existed. NULL only on rows awaiting the upgrade.
      { name: 'valid', type: 'boolean' },
    ],
    primaryKey: ['raw', 'region_hint'],
  };
}

/**
 * The phone_lookup materialization: in one transaction where DDL is transactional. Elsewhere
 * (BigQuery, Snowflake) the table is made first, and the new pairs are added in one write:
 * the table only ever gains rows, so it is whole either way. A full refresh there keeps the
 * table (readers would find it missing between a DROP and a CREATE) and empties and refills
 * it in one DML transaction.
 */
export async function buildPhoneLookup(warehouse: Warehouse, schema: string, name: string, select: string, fullRefresh: boolean): Promise<number> {
  const d = warehouse.dialect;
  const checked = upgradeChecked.get(warehouse) ?? new Set<string>();
  const upgrade = !checked.has(d.tableName(schema, name));
  let added: number;
  if (d.capabilities.supportsTransactionalDdl) {
    added = await warehouse.transaction((tx) => fillPhoneLookup(tx, d, schema, name, select, fullRefresh, { upgrade }));
  } else {
    await preparePhoneLookup(warehouse, d, schema, name, false, upgrade);
    if (!fullRefresh) {
      added = await addPhonePairs(warehouse, d, schema, name, select);
    } else {
      const rows = await phoneRows(warehouse, d, schema, name, select, { onlyNew: false });
      await warehouse.transaction(async (tx) => {
        await tx.run(`DELETE FROM ${d.tableName(schema, name)} WHERE TRUE`);
        await tx.writeRows(phoneLookupTable(schema, name), rows);
      });
      added = rows.length;
    }
  }
  // Recorded once the build is done (its transaction committed): the ALTER stays with it.
  upgradeChecked.set(warehouse, checked.add(d.tableName(schema, name)));
  return added;
}

/**
 * The lookups this process has brought up to date, per warehouse: {@link upgradePhoneLookup}
 * costs a catalog query and a scan, so `serve`, which builds every few minutes, pays them at
 * its first build only. A new process (after an upgrade, or a crash) checks again.
 */
const upgradeChecked = new WeakMap<Warehouse, Set<string>>();

/**
 * The phone_lookup materialization's statements, without a transaction of its own (the
 * benchmark's direct baseline runs them too): adds every (raw, region_hint) pair `select`
 * yields that the table lacks, normalised by core/normalize/phone.ts. Returns how many.
 * `upgrade: false` skips {@link upgradePhoneLookup} for a table known to be up to date.
 */
export async function fillPhoneLookup(
  q: Queryable, d: SqlDialect, schema: string, name: string, select: string, fullRefresh: boolean, { upgrade = true }: { upgrade?: boolean } = {},
): Promise<number> {
  await preparePhoneLookup(q, d, schema, name, fullRefresh, upgrade);
  return addPhonePairs(q, d, schema, name, select);
}

/** The lookup's schema and table (DDL), dropped first on a full refresh; a table that was there is upgraded. */
async function preparePhoneLookup(q: Queryable, d: SqlDialect, schema: string, name: string, fullRefresh: boolean, upgrade: boolean): Promise<void> {
  await q.run(d.createSchema(schema));
  if (fullRefresh) await q.run(d.dropTable(d.tableName(schema, name)));
  await q.run(d.createTable(phoneLookupTable(schema, name)));
  // A table just dropped and created is new: nothing to upgrade.
  if (upgrade && !fullRefresh) await upgradePhoneLookup(q, d, schema, name);
}

/** Columns added after the lookup first shipped (0.3: `valid`), nullable, in the order added. */
const ADDED_COLUMNS = ['valid'] as const;

/**
 * Brings a lookup an older version made up to date: adds the columns it lacks (no ALTER, so
 * no lock, when it has them), then normalises again every row whose `valid` is NULL, i.e.
 * written before the column existed, in place (upsert on the key; `landed_at` kept). The
 * second step runs on every build, not only right after the ALTER: where DDL is not
 * transactional (BigQuery, Snowflake) a build stopped between the two resumes it next time.
 * @returns how many rows it normalised again
 */
export async function upgradePhoneLookup(q: Queryable, d: SqlDialect, schema: string, name: string): Promise<number> {
  const table = phoneLookupTable(schema, name);
  await addColumns(q, d, table, ADDED_COLUMNS);
  const stale = await q.all<{ raw: string; region_hint: string; landed_at: string | null }>(
    `SELECT raw, region_hint, landed_at FROM ${d.tableName(schema, name)} WHERE valid IS NULL`,
  );
  const rows = stale.map(({ raw, region_hint, landed_at }) => phoneRow(raw, region_hint, landed_at));
  await q.writeRows(table, rows, { onMatch: { e164: 'replace', extension: 'replace', kind: 'replace', valid: 'replace' } });
  return rows.length;
}

/** Adds the pairs the lookup lacks; returns how many. */
async function addPhonePairs(q: Queryable, d: SqlDialect, schema: string, name: string, select: string): Promise<number> {
  const rows = await phoneRows(q, d, schema, name, select, { onlyNew: true });
  await q.writeRows(phoneLookupTable(schema, name), rows);
  return rows.length;
}

/** Each (raw, region_hint) pair `select` yields (`onlyNew`: that the lookup lacks), normalised. */
async function phoneRows(q: Queryable, d: SqlDialect, schema: string, name: string, select: string, { onlyNew }: { onlyNew: boolean }): Promise<WriteRow[]> {
  const target = d.tableName(schema, name);
  const missing = onlyNew ? `AND NOT EXISTS (SELECT 1 FROM ${target} AS p WHERE p.raw = c.raw AND p.region_hint = COALESCE(c.region_hint, '')) ` : '';
  const pairs = await q.all<{ raw: string; region_hint: string; landed_at: string | null }>(
    `SELECT c.raw, COALESCE(c.region_hint, '') AS region_hint, MAX(c.landed_at) AS landed_at FROM (${select}) AS c WHERE c.raw IS NOT NULL ${missing}` +
      `GROUP BY c.raw, COALESCE(c.region_hint, '')`,
  );
  return pairs.map(({ raw, region_hint, landed_at }) => phoneRow(raw, region_hint, landed_at));
}

/** One row of the lookup: the pair, normalised. */
function phoneRow(raw: string, regionHint: string, landedAt: string | null): WriteRow {
  const phone = normalizePhone(raw, regionHint === '' ? {} : { region: regionHint });
  return {
    raw, region_hint: regionHint, e164: phone.e164, extension: phone.extension, kind: phone.kind,
    landed_at: landedAt === null ? null : new Date(landedAt), valid: phone.valid,
  };
}
