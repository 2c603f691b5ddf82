/**
 * The fake Salesforce org's schema: the objects it knows (Task, Contact, Lead, Account,
 * Opportunity), their fields with the properties the object reference gives them, and what
 * Describe answers about them. The org (org.ts) enforces the properties.
 *
 * Sources (docs corpus):
 * - Task fields, their types and their properties (Create, Update, Nillable, Restricted
 *   picklist): Object Reference › Task,
 *   https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-task.html
 *   (also atlas.en-us.api.meta/api/sforce_api_objects_task.htm). `TaskSubtype` is a picklist
 *   with Create but not Update: it can be set when a Task is created, never changed after.
 *   `WhatId` is the polymorphic "Related To" reference (Account, Opportunity, Campaign, Case,
 *   Contract, custom objects); the fake models Account and Opportunity only. Which WhoId/WhatId
 *   combinations Salesforce refuses (a Lead WhoId with a WhatId) the fake leaves open.
 * - Contact.AccountId: Object Reference › Contact,
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
 *   (reference to Account; Create, Filter, Nillable, Update).
 * - Describe (`GET sobjects/{type}/describe`): DescribeSObjectResult with a `fields` array whose
 *   elements carry `name`, `type`, `createable`, `updateable`, `nillable`, `referenceTo`,
 *   `picklistValues` (REST API Developer Guide › sObject Describe,
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm).
 *   The fake answers a subset of the properties.
 */

export type SObjectType = 'Task' | 'Contact' | 'Lead' | 'Account' | 'Opportunity';
/** Every type the fake knows, in a fixed order. */
export const TYPES: readonly SObjectType[] = ['Task', 'Contact', 'Lead', 'Account', 'Opportunity'];
export type FieldValue = string | number | boolean | null;

/** Field properties from the object reference; both default to true. */
export interface Access {
  /** "Create" in the reference: may be set on insert. */
  createable?: boolean;
  /** "Update" in the reference: may be changed later. */
  updateable?: boolean;
}

export type FieldSpec = Access &
  (
    | { type: 'id' }
    | { type: 'string'; length: number; label: string }
    | { type: 'picklist'; values: readonly string[]; label: string }
    | { type: 'int'; label: string }
    | { type: 'date'; label: string }
    | { type: 'boolean'; label: string }
    | { type: 'reference'; to: readonly SObjectType[]; label: string }
  );

const TASK_STATUS = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];

export const SCHEMAS: Record<SObjectType, { prefix: string; fields: Record<string, FieldSpec> }> = {
  Task: {
    prefix: '00T',
    fields: {
      Id: { type: 'id' },
      Subject: { type: 'string', length: 255, label: 'Subject' },
      Type: { type: 'string', length: 40, label: 'Type' },
      // Create, not Update (object-task.html): set on insert only.
      TaskSubtype: { type: 'picklist', values: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], label: 'Task Subtype', updateable: false },
      CallType: { type: 'picklist', values: ['Inbound', 'Outbound', 'Internal'], label: 'Call Type' },
      CallDurationInSeconds: { type: 'int', label: 'Call Duration' },
      CallObject: { type: 'string', length: 255, label: 'Call Object Identifier' },
      CallDisposition: { type: 'string', length: 255, label: 'Call Result' },
      ActivityDate: { type: 'date', label: 'Due Date Only' },
      Status: { type: 'picklist', values: TASK_STATUS, label: 'Status' },
      Priority: { type: 'picklist', values: ['High', 'Normal', 'Low'], label: 'Priority' },
      Description: { type: 'string', length: 32_000, label: 'Description' },
      WhoId: { type: 'reference', to: ['Contact', 'Lead'], label: 'Name ID' },
      // "Related To": Account, Opportunity, … (object-task.html); the fake knows these two.
      WhatId: { type: 'reference', to: ['Account', 'Opportunity'], label: 'Related To ID' },
      IsDeleted: { type: 'boolean', label: 'Deleted', createable: false, updateable: false },
    },
  },
  Account: {
    prefix: '001',
    fields: {
      Id: { type: 'id' },
      Name: { type: 'string', length: 255, label: 'Account Name' },
      Phone: { type: 'string', length: 40, label: 'Account Phone' },
      IsDeleted: { type: 'boolean', label: 'Deleted', createable: false, updateable: false },
    },
  },
  Opportunity: {
    prefix: '006',
    fields: {
      Id: { type: 'id' },
      Name: { type: 'string', length: 120, label: 'Name' },
      StageName: { type: 'string', length: 255, label: 'Stage' },
      IsDeleted: { type: 'boolean', label: 'Deleted', createable: false, updateable: false },
    },
  },
  Contact: {
    prefix: '003',
    fields: {
      Id: { type: 'id' },
      // "ID of the account that's the parent of this contact"; nillable (a private Contact has none).
      AccountId: { type: 'reference', to: ['Account'], label: 'Account ID' },
      FirstName: { type: 'string', length: 40, label: 'First Name' },
      LastName: { type: 'string', length: 80, label: 'Last Name' },
      Phone: { type: 'string', length: 40, label: 'Business Phone' },
      MobilePhone: { type: 'string', length: 40, label: 'Mobile Phone' },
      Email: { type: 'string', length: 80, label: 'Email' },
      IsDeleted: { type: 'boolean', label: 'Deleted' },
    },
  },
  Lead: {
    prefix: '00Q',
    fields: {
      Id: { type: 'id' },
      FirstName: { type: 'string', length: 40, label: 'First Name' },
      LastName: { type: 'string', length: 80, label: 'Last Name' },
      Company: { type: 'string', length: 255, label: 'Company' },
      Phone: { type: 'string', length: 40, label: 'Phone' },
      MobilePhone: { type: 'string', length: 40, label: 'Mobile Phone' },
      IsConverted: { type: 'boolean', label: 'Converted' },
      IsDeleted: { type: 'boolean', label: 'Deleted' },
    },
  },
};

export const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * `GET sobjects/{type}/describe` for one object: the DescribeSObjectResult subset the fake
 * knows (resources_sobject_describe.htm). Field properties follow the object reference.
 * @param fields the object's fields, the org's external-ID fields included
 */
export function describeSObject(type: SObjectType, fields: Record<string, FieldSpec>, externalIdFields: readonly string[]): Record<string, unknown> {
  const described = Object.entries(fields).map(([name, spec]) => ({
    name,
    label: spec.type === 'id' ? `${type} ID` : spec.label,
    type: spec.type,
    length: spec.type === 'string' ? spec.length : 0,
    // The Id is read-only; others default to createable and updateable.
    createable: spec.type !== 'id' && spec.createable !== false,
    updateable: spec.type !== 'id' && spec.updateable !== false,
    nillable: spec.type !== 'id' && spec.type !== 'boolean' && name !== 'Priority' && name !== 'Status',
    externalId: type === 'Task' && externalIdFields.includes(name),
    unique: type === 'Task' && externalIdFields.includes(name),
    referenceTo: spec.type === 'reference' ? [...spec.to] : [],
    picklistValues: spec.type === 'picklist' ? spec.values.map((value) => ({ value, label: value, active: true, defaultValue: false })) : [],
    restrictedPicklist: spec.type === 'picklist',
  }));
  return { name: type, label: type, keyPrefix: SCHEMAS[type].prefix, createable: true, updateable: true, deletable: true, queryable: true, fields: described };
}
