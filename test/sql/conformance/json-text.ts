/**
 * Conformance: `dialect.jsonText`, the JSON extraction every model uses, run for real.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withWarehouse, type OpenWarehouse } from './fixtures.js';

const DOC = JSON.stringify({ payload: { umid: 'u-1', 'a.b': 'dotted', 'q"k': 'quoted', n: 42, nested: { x: 'é 🎉' }, nil: null } });

export function jsonTextTests(open: OpenWarehouse): void {
  test('jsonText extracts text at a path: strings unquoted, numbers as text, absent and null as NULL', async () => {
    await withWarehouse(open, async (wh) => {
      const d = wh.dialect;
      const doc = d.typedParam(1, 'text');
      const [row] = await wh.all(
        `SELECT ${d.jsonText(doc, ['payload', 'umid'])} AS umid, ${d.jsonText(doc, ['payload', 'a.b'])} AS dotted, ` +
          `${d.jsonText(doc, ['payload', 'q"k'])} AS quoted, ${d.jsonText(doc, ['payload', 'n'])} AS n, ` +
          `${d.jsonText(doc, ['payload', 'nested', 'x'])} AS x, ${d.jsonText(doc, ['payload', 'missing'])} AS missing, ` +
          `${d.jsonText(doc, ['payload', 'nil'])} AS nil`,
        [DOC],
      );
      assert.deepEqual(row, { umid: 'u-1', dotted: 'dotted', quoted: 'quoted', n: '42', x: 'é 🎉', missing: null, nil: null });
    });
  });
}
