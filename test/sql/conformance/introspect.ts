/**
 * Conformance: the introspector (sql/introspect.ts, Warehouse.introspector) lists schemas
 * unprefixed, tables and views with their kind, and columns in table order with their
 * nullability, the same on every warehouse, also inside a transaction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relationExists, relationKind, relationKinds } from '../../../sql/engine/execute.js';
import { listColumns, listRelations, listSchemas } from '../../../sql/introspect.js';
import { createTable, SCHEMA, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

export function introspectTests(open: OpenWarehouse): void {
  test('the introspector lists the schema it made, unprefixed, and no system schema', async () => {
    await withWarehouse(open, async (wh) => {
      await createTable(wh, table('ix_schemas', { id: 'text' }));
      const schemas = await wh.introspector.schemas();
      assert.ok(schemas.includes(SCHEMA), `${SCHEMA} in ${schemas.join(', ')}`);
      assert.deepEqual([...schemas].sort(), schemas, 'sorted');
      for (const system of ['information_schema', 'pg_catalog']) assert.ok(!schemas.includes(system), system);
      if (wh.dialect.schemaPrefix !== '') assert.ok(schemas.every((s) => !s.startsWith(wh.dialect.schemaPrefix)), 'unprefixed');
      assert.deepEqual(await listSchemas(wh, wh.dialect), schemas);
    });
  });

  test('the introspector lists tables and views with their kind, and nothing for an unknown schema', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('ix_table', { id: 'text' }));
      await wh.run(`CREATE OR REPLACE VIEW ${wh.dialect.tableName(SCHEMA, 'ix_view')} AS SELECT id FROM ${name}`);
      const mine = (await wh.introspector.relations([SCHEMA])).filter((r) => r.name === 'ix_table' || r.name === 'ix_view');
      assert.deepEqual(mine, [
        { schema: SCHEMA, name: 'ix_table', kind: 'table' },
        { schema: SCHEMA, name: 'ix_view', kind: 'view' },
      ]);
      assert.deepEqual(await wh.introspector.relations(['no_such_schema']), []);
      assert.deepEqual(await wh.introspector.relations([]), []);
      assert.equal(await relationKind(wh, SCHEMA, 'ix_view'), 'view');
      assert.equal(await relationKind(wh, SCHEMA, 'ix_table'), 'table');
      assert.equal(await relationExists(wh, SCHEMA, 'ix_missing'), false);
      const kinds = await relationKinds(wh, [SCHEMA, 'no_such_schema']);
      assert.equal(kinds.get(`${SCHEMA}.ix_table`), 'table');
      assert.equal(kinds.get(`${SCHEMA}.ix_view`), 'view');
    });
  });

  test('the introspector lists columns in table order with nullability, and none for an unknown table', async () => {
    await withWarehouse(open, async (wh) => {
      await createTable(wh, table('ix_columns', { id: 'text', n: 'bigint!', seen_at: 'timestamp', doc: 'json' }, ['id']));
      const columns = await wh.introspector.columns(SCHEMA, 'ix_columns');
      assert.deepEqual(
        columns.map(({ name, nullable, ordinal }) => ({ name, nullable, ordinal })),
        [
          { name: 'id', nullable: false, ordinal: 1 },
          { name: 'n', nullable: false, ordinal: 2 },
          { name: 'seen_at', nullable: true, ordinal: 3 },
          { name: 'doc', nullable: true, ordinal: 4 },
        ],
      );
      for (const column of columns) assert.ok(typeof column.dataType === 'string' && column.dataType.length > 0, `${column.name} has a type`);
      assert.match(columns[1]!.dataType, /big|int/i);
      assert.deepEqual(await wh.introspector.columns(SCHEMA, 'ix_no_such_table'), []);
    });
  });

  test('the introspector works inside a transaction and sees what it created', async () => {
    await withWarehouse(open, async (wh) => {
      await createTable(wh, table('ix_tx_before', { id: 'text' }));
      const spec = table('ix_tx_made', { id: 'text', label: 'text' });
      const seen = await wh.transaction(async (tx) => {
        await tx.run(wh.dialect.createTable(spec));
        return {
          relations: (await listRelations(tx, wh.dialect, [SCHEMA])).filter((r) => r.name.startsWith('ix_tx_')).map((r) => r.name),
          columns: (await listColumns(tx, wh.dialect, SCHEMA, 'ix_tx_made')).map((c) => c.name),
          kind: await relationKind(tx, SCHEMA, 'ix_tx_made', wh.dialect),
        };
      });
      assert.deepEqual(seen, { relations: ['ix_tx_before', 'ix_tx_made'], columns: ['id', 'label'], kind: 'table' });
    });
  });
}
