/**
 * POST /docs/catalog: the columns of the relations asked about that exist, from the warehouse
 * the server holds (read role); those that do not exist are left out; a malformed body is 400.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startHarness, type Harness } from '../helpers/harness.js';
import type { RelationColumns } from '../../sql/engine/docs-catalog.js';

describe('POST /docs/catalog', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
    await h.drain();
  });
  after(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
  });

  test('answers the columns of the relations that exist, in table order, and leaves out the rest', async () => {
    const raw = h.config.file.warehouse.rawSchema;
    const res = await h.admin({
      method: 'POST',
      url: '/docs/catalog',
      payload: { relations: [{ schema: raw, name: 'meetings_events' }, { schema: 'analytics', name: 'calls' }, { schema: raw, name: 'meetings_events' }] },
    });
    assert.equal(res.statusCode, 200, res.body);
    const { relations } = res.json() as { relations: RelationColumns[] };
    assert.deepEqual(relations.map((r) => [r.schema, r.name, r.kind]), [[raw, 'meetings_events', 'table']], 'calls is not built; a relation asked twice is answered once');
    const columns = relations[0]?.columns ?? [];
    assert.deepEqual(columns.map((c) => c.ordinal), columns.map((_, i) => i + 1));
    assert.ok(columns.some((c) => c.name === 'dedupe_key' && c.dataType.length > 0));
  });

  test('a body without relations, or a relation without a name, is 400', async () => {
    for (const payload of [{}, { relations: [{ schema: 'raw' }] }, { relations: [{ schema: '', name: 'x' }] }]) {
      const res = await h.admin({ method: 'POST', url: '/docs/catalog', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
  });
});
