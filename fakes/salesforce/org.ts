/**
 * The in-memory org behind the fake Salesforce: Tasks, Contacts and Leads, with the field
 * rules and DML results the REST API documents (../shared/reference/clients-and-apis.md §1.4,
 * §1.6, §1.7). Tests read it directly (`org.taskByExternalId('call-1')`) and script
 * per-record failures (`org.faults`, `org.validationRules`).
 *
 * Field names are case-insensitive, as in Salesforce (`id` and `Id` are the same field).
 * Error codes marked [?] below are Salesforce's names for the case as best known; the
 * reference does not pin them.
 *
 * Sources (docs corpus):
 * - A DML call that sets a field the profile may not create or update fails for that record
 *   with INVALID_FIELD_FOR_INSERT_UPDATE, "Unable to create/update fields: X. Please check the
 *   security settings of this field…" (errorcodes.htm lists the code; the wording is the one
 *   Salesforce writes, reference §1.6) — on an upsert that matches an existing record as on an
 *   update [? the docs do not spell out upsert].
 *
 * The objects, their fields and field properties, and Describe: schema.ts (with their sources).
 */
import { describeSObject, ID, SCHEMAS, TYPES, type FieldSpec, type FieldValue, type SObjectType } from './schema.js';

export type { FieldValue, SObjectType } from './schema.js';

/** One stored record; `Id` always set. */
export type StoredRecord = Record<string, FieldValue> & { Id: string };

/** An element of a SaveResult's `errors` (Collections use `statusCode`, not `errorCode`). */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
}

/** A whole request refused (HTTP 400 with `[{ message, errorCode }]`). */
export class RequestError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A scripted per-record failure: the next `times` records that match get `error`. */
export interface RecordFault {
  match: (record: Record<string, FieldValue>) => boolean;
  error: SaveError;
  times: number;
}

export class FakeOrg {
  /** Records by Id, per type; deleted records stay with IsDeleted = true (the recycle bin). */
  readonly records: Record<SObjectType, Map<string, StoredRecord>> = { Task: new Map(), Contact: new Map(), Lead: new Map(), Account: new Map(), Opportunity: new Map() };
  /** Custom validation rules: return an error (FIELD_CUSTOM_VALIDATION_EXCEPTION) to refuse a record. */
  readonly validationRules: Array<(type: SObjectType, record: StoredRecord) => SaveError | null> = [];
  /** Scripted failures such as UNABLE_TO_LOCK_ROW. */
  readonly faults: RecordFault[] = [];
  private counter = 0;
  /** Each object's fields: the standard ones plus, on Task, the external-ID fields. */
  private readonly specs: Record<SObjectType, Record<string, FieldSpec>>;

  /** External-ID fields (custom, External ID + Unique) on Task. */
  constructor(readonly externalIdFields: readonly string[] = ['Switchboard_Call_Id__c']) {
    const custom = Object.fromEntries(externalIdFields.map((f): [string, FieldSpec] => [f, { type: 'string', length: 255, label: f }]));
    this.specs = { ...Object.fromEntries(TYPES.map((t) => [t, SCHEMAS[t].fields])), Task: { ...SCHEMAS.Task.fields, ...custom } } as Record<SObjectType, Record<string, FieldSpec>>;
  }

  // ---- for tests ---------------------------------------------------------------------------

  addContact(fields: Record<string, FieldValue>): string {
    return this.insertRaw('Contact', fields);
  }

  addLead(fields: Record<string, FieldValue>): string {
    return this.insertRaw('Lead', { IsConverted: false, Company: 'Unknown', ...fields });
  }

  addAccount(fields: Record<string, FieldValue>): string {
    return this.insertRaw('Account', { Name: 'Acme', ...fields });
  }

  addOpportunity(fields: Record<string, FieldValue>): string {
    return this.insertRaw('Opportunity', { Name: 'Renewal', StageName: 'Prospecting', ...fields });
  }

  /**
   * `GET sobjects/{type}/describe`: the DescribeSObjectResult subset the fake knows
   * (resources_sobject_describe.htm). Field properties follow the object reference.
   */
  describe(type: SObjectType): Record<string, unknown> {
    return describeSObject(type, this.specs[type], this.externalIdFields);
  }

  /** The live Task whose external ID is `value`, if any. */
  taskByExternalId(value: string, field = this.externalIdFields[0] as string): StoredRecord | undefined {
    return [...this.records.Task.values()].find((r) => r.IsDeleted !== true && r[field] === value);
  }

  /** Live (not deleted) records of a type. */
  live(type: SObjectType): StoredRecord[] {
    return [...this.records[type].values()].filter((r) => r.IsDeleted !== true);
  }

  /** Moves a record to the recycle bin, as a user deleting it in Salesforce would. */
  remove(id: string): void {
    const record = this.find(id);
    if (record !== undefined) record.IsDeleted = true;
  }

  // ---- schema ------------------------------------------------------------------------------

  isType(name: string): name is SObjectType {
    return name in SCHEMAS;
  }

  /** The canonical spelling of a field of `type`, or undefined. */
  field(type: SObjectType, name: string): string | undefined {
    const lower = name.toLowerCase();
    return Object.keys(this.specs[type]).find((f) => f.toLowerCase() === lower);
  }

  /** A Bulk API CSV cell as a field value: `#N/A` is null (blank the field); numbers and booleans typed. */
  fromText(type: SObjectType, field: string, text: string): FieldValue {
    if (text === '#N/A') return null;
    const spec = this.specs[type][field];
    if (spec?.type === 'int' && /^-?\d+$/.test(text)) return Number(text);
    if (spec?.type === 'boolean') return text.toLowerCase() === 'true';
    return text;
  }

  typeOfId(id: string): SObjectType | undefined {
    return TYPES.find((t) => id.startsWith(SCHEMAS[t].prefix));
  }

  find(id: string): StoredRecord | undefined {
    const type = this.typeOfId(id);
    if (type === undefined) return undefined;
    // 15- and 18-character forms name the same record.
    return this.records[type].get(id) ?? [...this.records[type].values()].find((r) => r.Id.slice(0, 15) === id.slice(0, 15));
  }

  /**
   * Request fields → canonical names, with the ones the DML call handles itself removed.
   * @throws RequestError INVALID_FIELD for a field the object does not have (the whole call fails).
   */
  canonical(type: SObjectType, input: Record<string, unknown>, skip: readonly string[] = ['attributes']): Record<string, FieldValue> {
    const out: Record<string, FieldValue> = {};
    for (const [name, value] of Object.entries(input)) {
      if (skip.includes(name)) continue;
      const field = this.field(type, name);
      if (field === undefined) throw new RequestError('INVALID_FIELD', `No such column '${name}' on sobject of type ${type}`);
      out[field] = value === undefined ? null : (value as FieldValue);
    }
    return out;
  }

  // ---- DML: one record ---------------------------------------------------------------------

  /** Creates a record; a taken external ID is DUPLICATE_VALUE. */
  insert(type: SObjectType, fields: Record<string, FieldValue>): SaveResult {
    if (fields.Id !== undefined && fields.Id !== null) return failure('INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: Id. Please check the security settings of this field and verify that it is read/write for your profile or permission set.', ['Id']);
    const error = this.check(type, fields, undefined);
    if (error !== null) return { success: false, errors: [error] };
    const id = this.insertRaw(type, fields);
    return { id, success: true, errors: [], created: true };
  }

  /** Updates by Id; a record in the recycle bin is ENTITY_IS_DELETED, an unknown Id INVALID_ID_FIELD [?]. */
  update(type: SObjectType, id: string, fields: Record<string, FieldValue>): SaveResult {
    if (!ID.test(id)) return failure('MALFORMED_ID', `${type} ID: id value of incorrect type: ${id}`, ['Id']);
    const existing = this.find(id);
    if (existing === undefined || this.typeOfId(id) !== type) return failure('INVALID_ID_FIELD', 'invalid record id', ['Id']);
    if (existing.IsDeleted === true) return failure('ENTITY_IS_DELETED', 'entity is deleted', []);
    const error = this.check(type, fields, existing);
    if (error !== null) return { id: existing.Id, success: false, errors: [error] };
    Object.assign(existing, withoutId(fields));
    return { id: existing.Id, success: true, errors: [] };
  }

  /** Upsert by an external-ID field: update the live match, else create. */
  upsert(type: SObjectType, extField: string, fields: Record<string, FieldValue>): SaveResult {
    const value = fields[extField];
    if (value === null || value === undefined || value === '') {
      return failure('REQUIRED_FIELD_MISSING', `Required fields are missing: [${extField}]`, [extField]);
    }
    const existing = this.live(type).find((r) => r[extField] === value);
    if (existing === undefined) return this.insert(type, fields);
    const result = this.update(type, existing.Id, fields);
    return result.success ? { ...result, created: false } : result;
  }

  /** Deletes by Id (to the recycle bin). */
  delete(id: string): SaveResult {
    if (!ID.test(id)) return failure('MALFORMED_ID', `malformed id ${id}`, []);
    const existing = this.find(id);
    if (existing === undefined) return failure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
    if (existing.IsDeleted === true) return { id: existing.Id, ...failure('ENTITY_IS_DELETED', 'entity is deleted', []) };
    existing.IsDeleted = true;
    return { id: existing.Id, success: true, errors: [] };
  }

  // ---- DML: many (sObject Collections) -----------------------------------------------------

  /**
   * Runs `each` over records in order. With allOrNone, one failure rolls every change back and
   * the others report ALL_OR_NONE_OPERATION_ROLLED_BACK (reference §1.4).
   */
  many<T>(items: readonly T[], allOrNone: boolean, each: (item: T) => SaveResult): SaveResult[] {
    const saved = allOrNone ? this.snapshot() : null;
    const results = items.map(each);
    if (saved !== null && results.some((r) => !r.success)) {
      this.restore(saved);
      return results.map((r) =>
        r.success
          ? failure('ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header', [])
          : { success: false, errors: r.errors },
      );
    }
    return results;
  }

  // ---- internals ---------------------------------------------------------------------------

  private insertRaw(type: SObjectType, fields: Record<string, FieldValue>): string {
    this.counter += 1;
    const id = `${SCHEMAS[type].prefix}${String(this.counter).padStart(12, '0')}AAA`;
    const defaults: Record<string, FieldValue> = type === 'Task' ? { Status: 'Not Started', Priority: 'Normal' } : {};
    this.records[type].set(id, { ...defaults, ...withoutId(fields), IsDeleted: false, Id: id });
    return id;
  }

  /** Field rules, external-ID uniqueness, scripted faults and validation rules; the first error. */
  private check(type: SObjectType, fields: Record<string, FieldValue>, existing: StoredRecord | undefined): SaveError | null {
    const specs = this.specs[type];
    // A field the call may not set refuses the record whatever its value (object-task.html
    // properties; INVALID_FIELD_FOR_INSERT_UPDATE, errorcodes.htm).
    const locked = Object.keys(fields).filter((name) => {
      const spec = specs[name];
      return spec !== undefined && spec.type !== 'id' && (existing === undefined ? spec.createable === false : spec.updateable === false);
    });
    if (locked.length > 0) {
      return {
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: locked,
      };
    }
    for (const [name, value] of Object.entries(fields)) {
      const spec = specs[name];
      if (spec === undefined || value === null || spec.type === 'id') continue;
      if (spec.type === 'string' && String(value).length > spec.length) {
        return { statusCode: 'STRING_TOO_LONG', message: `${spec.label}: data value too large: ${String(value).slice(0, 40)} (max length=${spec.length})`, fields: [name] };
      }
      if (spec.type === 'picklist' && !spec.values.includes(String(value))) {
        return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `${spec.label}: bad value for restricted picklist field: ${String(value)}`, fields: [name] };
      }
      if (spec.type === 'int' && !Number.isInteger(Number(value))) {
        return { statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${spec.label}: value not of required type: ${String(value)}`, fields: [name] };
      }
      if (spec.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
        return { statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${spec.label}: value not of required type: ${String(value)}`, fields: [name] };
      }
      if (spec.type === 'reference') {
        const id = String(value);
        if (!ID.test(id)) return { statusCode: 'MALFORMED_ID', message: `${spec.label}: id value of incorrect type: ${id}`, fields: [name] };
        const target = this.find(id);
        const targetType = this.typeOfId(id);
        if (targetType === undefined || !spec.to.includes(targetType)) {
          return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `${spec.label}: id value of incorrect type: ${id}`, fields: [name] };
        }
        if (target === undefined) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [name] };
        if (target.IsDeleted === true) return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [name] };
      }
    }
    for (const field of type === 'Task' ? this.externalIdFields : []) {
      const value = fields[field];
      if (value === undefined || value === null) continue;
      const other = this.live(type).find((r) => r[field] === value && r.Id !== existing?.Id);
      if (other !== undefined) {
        return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: ${field} duplicates value on record with id: ${other.Id}`, fields: [] };
      }
    }
    const merged = { ...(existing ?? { Id: '' }), ...fields } as StoredRecord;
    const fault = this.faults.find((f) => f.times > 0 && f.match(merged));
    if (fault !== undefined) {
      fault.times -= 1;
      return fault.error;
    }
    for (const rule of this.validationRules) {
      const error = rule(type, merged);
      if (error !== null) return error;
    }
    return null;
  }

  private snapshot(): Record<SObjectType, Map<string, StoredRecord>> {
    const copy = (m: Map<string, StoredRecord>) => new Map([...m].map(([k, v]) => [k, { ...v }]));
    return Object.fromEntries(TYPES.map((t) => [t, copy(this.records[t])])) as Record<SObjectType, Map<string, StoredRecord>>;
  }

  private restore(saved: Record<SObjectType, Map<string, StoredRecord>>): void {
    for (const type of Object.keys(saved) as SObjectType[]) {
      this.records[type].clear();
      for (const [k, v] of saved[type]) this.records[type].set(k, v);
    }
  }
}

function failure(statusCode: string, message: string, fields: string[]): SaveResult {
  return { success: false, errors: [{ statusCode, message, fields }] };
}

function withoutId(fields: Record<string, FieldValue>): Record<string, FieldValue> {
  const { Id: _, ...rest } = fields;
  return rest;
}
