/**
 * Schema drift's rules without a warehouse: how a body becomes paths and types, how a sample
 * is redacted, which destination errors name a field, and what the learner records as drift
 * (warm-up, added, type changed, missing, possible rename).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenJson, parentOf } from '../../ingest/drift/flatten.js';
import { redactSample, type SamplePolicy } from '../../ingest/drift/redact.js';
import { fieldsIn } from '../../ingest/drift/destination.js';
import { DriftRecords, LearnedType, type DriftRecord, type DriftRules } from '../../ingest/drift/learner.js';

const KEEP: SamplePolicy = { phone: 'keep', body: 'keep', hashSalt: '' };

describe('flattening a body into paths', () => {
  test('objects, arrays as [], every JSON type, each (path, type) once', () => {
    const flat = flattenJson({ id: 'm1', n: 3, ok: true, gone: null, participants: [{ name: 'Ann' }, { name: 'Bo', role: 'host' }], tags: ['a', 1] });
    const pairs = [...flat.values()].map((p) => `${p.path} ${p.type}`).sort();
    assert.deepEqual(pairs, [
      '$ object',
      '$.gone null',
      '$.id string',
      '$.n number',
      '$.ok boolean',
      '$.participants array',
      '$.participants[] object',
      '$.participants[].name string',
      '$.participants[].role string',
      '$.tags array',
      '$.tags[] number',
      '$.tags[] string',
    ]);
    assert.equal(flat.get('$.participants[].name\tstring')?.value, 'Ann', 'the first value is kept');
  });

  test('member names that are data become *, odd names are quoted, and parentOf walks back up', () => {
    const flat = flattenJson({ byNumber: { '+14155550100': { n: 1 }, 'ann@example.com': 2 }, 'a.b': { 'x"]y': 1 } });
    const paths = new Set([...flat.values()].map((p) => p.path));
    assert.ok(paths.has('$.byNumber.*'));
    assert.ok(paths.has('$.byNumber.*.n'));
    assert.ok(![...paths].some((p) => p.includes('4155550100') || p.includes('ann@')), 'no phone number or address in a path');
    assert.ok(paths.has('$["a.b"]["x\\"]y"]'));
    assert.equal(parentOf('$["a.b"]["x\\"]y"]'), '$["a.b"]');
    assert.equal(parentOf('$["a.b"]'), '$');
    assert.equal(parentOf('$.participants[].name'), '$.participants[]');
    assert.equal(parentOf('$.participants[]'), '$.participants');
    assert.equal(parentOf('$'), null);
  });
});

describe('redacting a sample under the PII policy', () => {
  test('phone numbers keep their last 4 characters under keep and mask, and are hashed under hash', () => {
    assert.equal(redactSample('+14155550100', KEEP), '********0100');
    assert.equal(redactSample('+1 (415) 555-0100', { ...KEEP, phone: 'mask' }), '*************0100');
    assert.equal(redactSample(14155550100, KEEP), '*******0100', 'a long integer is treated as a phone number');
    const hashed = redactSample('+14155550100', { phone: 'hash', body: 'keep', hashSalt: 'salt' });
    assert.match(hashed, /^sha256:[0-9a-f]{64}$/);
    assert.equal(hashed, redactSample('+14155550100', { phone: 'hash', body: 'keep', hashSalt: 'salt' }), 'equal values hash alike');
    assert.notEqual(hashed, redactSample('+14155550100', { phone: 'hash', body: 'keep', hashSalt: 'other' }), 'the salt is mixed in');
  });

  test('other strings keep only their shape (or a hash); times, UUIDs, numbers and booleans are kept', () => {
    assert.equal(redactSample('jane.doe@example.com', KEEP), 'xxxx.xxx@xxxxxxx.xxx');
    assert.equal(redactSample('Jane Doe', KEEP), 'Xxxx Xxx');
    assert.match(redactSample('jane.doe@example.com', { ...KEEP, body: 'hash' }), /^sha256:[0-9a-f]{64}$/);
    assert.equal(redactSample('x'.repeat(50), KEEP), `${'x'.repeat(40)}…`);
    assert.equal(redactSample('2026-03-01T10:00:00.123Z', KEEP), '2026-03-01T10:00:00.123Z');
    assert.equal(redactSample('9a441d60-ceaf-4eba-b0a8-a7d940a76e1b', KEEP), '9a441d60-ceaf-4eba-b0a8-a7d940a76e1b');
    assert.equal(redactSample(1824, KEEP), '1824');
    assert.equal(redactSample(false, KEEP), 'false');
    assert.equal(redactSample(null, KEEP), 'null');
    assert.equal(redactSample({ url: 'u', '+14155550100': 1 }, KEEP), '{url, *}');
    assert.equal(redactSample([1, 2, 3], KEEP), '[3 items]');
  });
});

describe('destination errors that name a field', () => {
  test('Salesforce, Zendesk and Slack, as the syncs record them', () => {
    assert.deepEqual(fieldsIn("SB_SYNC_SALESFORCE_REQUEST_REFUSED: sync x: Salesforce answered HTTP 400 INVALID_FIELD: No such column 'Bogus__c' on sobject of type Task. Check the sync's object and mapping"), [
      { field: 'Bogus__c', code: 'INVALID_FIELD' },
    ]);
    assert.deepEqual(fieldsIn('SB_SYNC_SALESFORCE_BULK_JOB_FAILED: job 750x failed: InvalidBatch : Field name not found : Old_Field__c. Check'), [{ field: 'Old_Field__c', code: 'InvalidBatch' }]);
    assert.deepEqual(
      fieldsIn('Unable to create/update fields: TaskSubtype, Status. Please check the security settings of this field (TaskSubtype, Status)', 'INVALID_FIELD_FOR_INSERT_UPDATE'),
      [
        { field: 'TaskSubtype', code: 'INVALID_FIELD_FOR_INSERT_UPDATE' },
        { field: 'Status', code: 'INVALID_FIELD_FOR_INSERT_UPDATE' },
      ],
    );
    assert.deepEqual(fieldsIn('bad field names on insert/update call: Foo__c (Foo__c)', 'INVALID_FIELD'), [{ field: 'Foo__c', code: 'INVALID_FIELD' }]);
    assert.deepEqual(fieldsIn('SB_SYNC_ZENDESK_UNKNOWN_FIELD: syncs[t].mapping names priorty, requester_phone, which are not a Zendesk ticket field here. Use …'), [
      { field: 'priorty', code: 'SB_SYNC_ZENDESK_UNKNOWN_FIELD' },
      { field: 'requester_phone', code: 'SB_SYNC_ZENDESK_UNKNOWN_FIELD' },
    ]);
    assert.deepEqual(fieldsIn('channel_not_found: chat.postMessage in C0GONE: channel_not_found. Slack knows no channel C0GONE'), [{ field: 'channel:C0GONE', code: 'channel_not_found' }]);
    assert.deepEqual(fieldsIn('SB_SYNC_SALESFORCE_AUTH_FAILED: Salesforce refused the login'), []);
    assert.deepEqual(fieldsIn('Subject: data value too large (Subject)', 'STRING_TOO_LONG'), [], 'a value problem is not schema drift');
  });
});

describe('the learner', () => {
  const rules: DriftRules = { warmupEvents: 3, missingAfterEvents: 10, missingMinSeen: 3 };
  const base = { id: 'x', status: 'done', who: { name: 'Ann' } };
  let clock = Date.parse('2026-03-01T00:00:00Z');

  function feed(learned: LearnedType, bodies: unknown[]): DriftRecord[] {
    const out = new DriftRecords();
    for (const body of bodies) learned.learn(new Date((clock += 1000)), flattenJson(body), rules, out);
    learned.checkMissing(rules, out);
    learned.takeDirty();
    return out.values();
  }
  const found = (records: DriftRecord[]) => records.filter((r) => r.found).map((r) => `${r.kind} ${r.path}${r.renamedFrom === null ? '' : ` from ${r.renamedFrom}`}${r.oldType === null || r.newType === null ? '' : ` ${r.oldType}→${r.newType}`}`);

  test('the warm-up is baseline; after it, only the outermost new path is drift, and it counts its events', () => {
    const learned = new LearnedType('meetings', 'X', []);
    assert.deepEqual(found(feed(learned, [base, { ...base, extra: 1 }, base])), [], 'new paths inside the warm-up are learned silently');
    const added = feed(learned, [{ ...base, recording: { url: 'u', size: 3 } }]);
    assert.deepEqual(found(added), ['path_added $.recording'], 'one drift for a new object, not one per member');
    assert.equal(added[0]?.value && typeof added[0].value, 'object');
    const again = feed(learned, [{ ...base, recording: { url: 'v', size: 4 } }, { ...base, recording: { url: 'w', size: 5 } }]);
    assert.deepEqual(found(again), [], 'seen again: no new drift…');
    assert.deepEqual(again.map((r) => [r.kind, r.count]), [['path_added', 2]], '…but its count grows');
  });

  test('a type change is drift; a field that is sometimes null is not', () => {
    const learned = new LearnedType('voice', 'Y', []);
    feed(learned, [base, base, base, base]);
    assert.deepEqual(found(feed(learned, [{ ...base, status: null }])), []);
    assert.deepEqual(found(feed(learned, [{ ...base, status: 7 }])), ['type_changed $.status string→number']);
    assert.deepEqual(found(feed(learned, [{ ...base, status: 8 }])), []);
  });

  test('a regular path that stops appearing is missing once; an optional one never is', () => {
    const learned = new LearnedType('voice', 'Z', []);
    const optional = (i: number) => (i % 5 === 0 ? { opt: 1 } : {});
    feed(learned, Array.from({ length: 20 }, (_, i) => ({ ...base, ...optional(i) })));
    const quiet = feed(learned, Array.from({ length: 9 }, () => ({ id: 'x', who: { name: 'Ann' } })));
    assert.deepEqual(found(quiet), [], 'nine events without it: not yet');
    const missing = feed(learned, Array.from({ length: 30 }, () => ({ id: 'x', who: { name: 'Ann' } })));
    assert.deepEqual(found(missing), ['path_missing $.status'], 'the tenth: missing; $.opt (in a fifth of the events) is not');
    assert.equal(missing[0]?.oldType, 'string');
    assert.equal(missing[0]?.count, 39, 'counted in the events that lacked it when it was found');
    assert.deepEqual(found(feed(learned, Array.from({ length: 30 }, () => ({ id: 'x', who: { name: 'Ann' } })))), [], 'recorded once');
    const gone = feed(learned, [...Array.from({ length: 5 }, () => base), ...Array.from({ length: 30 }, () => ({ id: 'x', who: { name: 'Ann' } }))]);
    assert.deepEqual(found(gone), ['path_missing $.status'], 'back, then gone again: found again (the same row counts it)');
    assert.equal(new Set([missing[0]?.driftId, gone[0]?.driftId]).size, 1);
  });

  test('a path that appears as a regular one disappears is a possible rename', () => {
    const learned = new LearnedType('meetings', 'R', []);
    feed(learned, Array.from({ length: 10 }, () => ({ ...base, who: { name: 'Ann', mail: 'a@x' } })));
    const renamed = { ...base, who: { name: 'Ann', email: 'a@x' } };
    const first = feed(learned, [renamed]);
    assert.deepEqual(found(first), ['path_added $.who.email'], 'the new path is drift at once');
    const later = feed(learned, Array.from({ length: 12 }, () => renamed));
    assert.deepEqual(found(later), ['possible_rename $.who.email from $.who.mail string→string'], 'the old one gone: a rename, not a missing path');
  });
});
