/**
 * The people a call's WhoId can point at: Contacts, and Leads not converted yet, pulled from
 * Salesforce with SOQL (jsforce follows `nextRecordsUrl` page by page) into the warehouse
 * table `salesforce_people`, one row per person and phone field, the number normalised to
 * E.164 by the same code as the models (core/normalize/phone.ts).
 *
 * The table is the model `models/outbound/salesforce_people.sql`, which a build creates empty
 * (and never fills), so `salesforce_call_tasks` builds before any sync has run; the pull
 * replaces its rows in one transaction, and creates it when no build has yet.
 */
import type { Connection } from 'jsforce';
import { normalizePhone } from '../../../core/normalize/phone.js';
import type { Warehouse, WriteRow } from '../../../sql/warehouse.js';
import type { TableSpec } from '../../../sql/dialect.js';
import { SalesforceSession } from './session.js';

export const PEOPLE_TABLE = 'salesforce_people';

/**
 * The table's columns, in the model's column order (an incremental build inserts
 * `SELECT *`, so the order must match models/outbound/salesforce_people.sql).
 */
export function salesforcePeopleTable(schema: string): TableSpec {
  return {
    schema,
    name: PEOPLE_TABLE,
    columns: [
      { name: 'id', type: 'text', nullable: false },
      { name: 'object', type: 'text', nullable: false },
      { name: 'phone_field', type: 'text', nullable: false },
      { name: 'phone_raw', type: 'text', nullable: false },
      { name: 'phone_e164', type: 'text' },
      { name: 'pulled_at', type: 'timestamp', nullable: false },
      // Added later, so last: the migration sync/0003 appends it to a table made before.
      { name: 'account_id', type: 'text' },
    ],
    primaryKey: ['id', 'phone_field'],
  };
}

/**
 * The SOQL of each pull: who can be a WhoId, with a phone to match on, and a Contact's account.
 * Contact.AccountId is the "ID of the account that's the parent of this contact" (null for a
 * private Contact): Object Reference › Contact,
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm.
 * A Lead has no account; Lead.ConvertedAccountId is set only by converting it ("The ID of the
 * account created in the lead conversion", Change Data Capture › Change Events for Lead
 * Conversion), and converted Leads are not pulled, so Leads get a null account_id.
 */
export const PEOPLE_QUERIES = {
  Contact: 'SELECT Id, AccountId, Phone, MobilePhone FROM Contact WHERE Phone != null OR MobilePhone != null',
  Lead: 'SELECT Id, Phone, MobilePhone FROM Lead WHERE IsConverted = false AND (Phone != null OR MobilePhone != null)',
} as const;

const PHONE_FIELDS = ['Phone', 'MobilePhone'] as const;

/** jsforce stops after maxFetch records (default 10,000); an org has no more people than this. */
const MAX_FETCH = 50_000_000;

export interface PullOptions {
  /** ISO country for national numbers (`models.defaultRegion`), e.g. `US`. */
  defaultRegion?: string | undefined;
  signal?: AbortSignal;
  /** Stamped on every row; default now. */
  now?: Date;
}

type PersonRecord = { Id: string; AccountId?: string | null; Phone?: string | null; MobilePhone?: string | null };

/**
 * Pulls Contacts and Leads and replaces the rows of `<schema>.salesforce_people` with them,
 * atomically.
 * @param source a logged-in jsforce Connection, or the destination's session.
 * @example await pullSalesforcePeople(destination.session, warehouse, 'analytics', { defaultRegion: 'US' })
 */
export async function pullSalesforcePeople(
  source: Connection | SalesforceSession,
  warehouse: Warehouse,
  schema: string,
  options: PullOptions = {},
): Promise<{ contacts: number; leads: number }> {
  const pulledAt = options.now ?? new Date();
  const fetch = async (object: keyof typeof PEOPLE_QUERIES): Promise<PersonRecord[]> => {
    options.signal?.throwIfAborted();
    const run = async (conn: Connection) => (await conn.query<PersonRecord>(PEOPLE_QUERIES[object], { autoFetch: true, maxFetch: MAX_FETCH })).records;
    return source instanceof SalesforceSession ? source.call(`pull of ${object}s`, run) : run(source);
  };
  const contacts = await fetch('Contact');
  const leads = await fetch('Lead');

  const rows: WriteRow[] = [];
  for (const [object, records] of [['Contact', contacts], ['Lead', leads]] as const) {
    for (const record of records) {
      for (const field of PHONE_FIELDS) {
        const raw = record[field];
        if (raw === null || raw === undefined || raw.trim() === '') continue;
        const phone = normalizePhone(raw, options.defaultRegion === undefined ? {} : { defaultRegion: options.defaultRegion });
        rows.push({ id: record.Id, object, phone_field: field, phone_raw: raw, phone_e164: phone.e164, pulled_at: pulledAt, account_id: record.AccountId ?? null });
      }
    }
  }

  const d = warehouse.dialect;
  const table = salesforcePeopleTable(schema);
  await warehouse.run(d.createSchema(schema));
  await warehouse.run(d.createTable(table));
  await warehouse.transaction(async (tx) => {
    await tx.run(`DELETE FROM ${d.tableName(schema, table.name)}`);
    await tx.writeRows(table, rows, { mode: 'append' });
  });
  return { contacts: contacts.length, leads: leads.length };
}
