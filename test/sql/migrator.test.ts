/**
 * The migrator (sql/migrations/migrator.ts) on real DuckDB and Postgres, with small lists of
 * its own: order and once-only, the refusal of a newer warehouse, a failed migration that the
 * next start retries, the lock (two migrators at once, a killed migrator's lock).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { migrate, migrationsTable, type Migration, type MigrationContext } from '../../sql/migrations/migrator.js';
import { migrationLockTable } from '../../sql/migrations/lock.js';
import { addColumns, createTables } from '../../sql/migrations/steps.js';
import type { TableSpec } from '../../sql/table-spec.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';

const duckdbDir = mkdtempSync(join(tmpdir(), 'migrator-'));
const prefix = `sbmig_${randomBytes(4).toString('hex')}_`;
after(async () => {
  rmSync(duckdbDir, { recursive: true, force: true });
  const wh = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
  try {
    const schemas = await wh.all<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE left(nspname, length($1)) = $1', [prefix]);
    for (const { name } of schemas) await wh.run(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await wh.close();
  }
});

let n = 0;
const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, `wh-${++n}.duckdb`) }) },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL, schemaPrefix: `${prefix}${++n}_` }) },
] as const;

const ctx: MigrationContext = { rawSchema: 'raw', modelsSchema: 'analytics' };

const notes = (schema: string, withExtra = false): TableSpec => ({
  schema,
  name: 'notes',
  primaryKey: ['id'],
  columns: [{ name: 'id', type: 'text', nullable: false }, { name: 'body', type: 'text' }, ...(withExtra ? [{ name: 'extra', type: 'text' as const }] : [])],
});

/** A component `t` with a table made by 0001 and a column added by 0002; `up` calls are counted. */
function list(calls: string[]): Migration[] {
  return [
    {
      id: 't/0001_notes',
      description: 'notes',
      up: async (q, d, c) => {
        calls.push('t/0001_notes');
        await createTables(q, d, c.rawSchema, [notes(c.rawSchema)]);
      },
    },
    {
      id: 't/0002_notes_extra',
      description: 'notes gains extra',
      up: async (q, d, c) => {
        calls.push('t/0002_notes_extra');
        await addColumns(q, d, notes(c.rawSchema, true), ['extra']);
      },
    },
  ];
}

async function recorded(wh: Warehouse): Promise<string[]> {
  const t = migrationsTable(ctx.rawSchema);
  const rows = await wh.all<{ id: string }>(`SELECT id FROM ${wh.dialect.tableName(t.schema, t.name)} ORDER BY id`);
  return rows.map((r) => r.id);
}

for (const target of targets) {
  describe(`the migrator on ${target.name}`, () => {
    test('applies each migration once, in order, records it with this version, and a second start applies nothing', async () => {
      const wh = await target.open();
      try {
        const calls: string[] = [];
        const applied: string[] = [];
        const first = await migrate(wh, list(calls), ctx, { version: '1.2.3', onApplied: (m) => applied.push(m.id) });
        assert.deepEqual(first.applied, ['t/0001_notes', 't/0002_notes_extra']);
        assert.deepEqual(applied, first.applied);
        const t = migrationsTable(ctx.rawSchema);
        const rows = await wh.all(`SELECT id, description, switchboard_version FROM ${wh.dialect.tableName(t.schema, t.name)} ORDER BY id`);
        assert.deepEqual(rows, [
          { id: 't/0001_notes', description: 'notes', switchboard_version: '1.2.3' },
          { id: 't/0002_notes_extra', description: 'notes gains extra', switchboard_version: '1.2.3' },
        ]);
        await wh.run(`INSERT INTO ${wh.dialect.tableName('raw', 'notes')} (id, body, extra) VALUES ('a', 'b', 'c')`);

        const again = await migrate(wh, list(calls), ctx, { version: '1.2.3' });
        assert.deepEqual(again.applied, []);
        assert.deepEqual(calls, ['t/0001_notes', 't/0002_notes_extra'], 'nothing ran twice');
        assert.deepEqual(await wh.all(`SELECT id, body, extra FROM ${wh.dialect.tableName('raw', 'notes')}`), [{ id: 'a', body: 'b', extra: 'c' }]);
      } finally {
        await wh.close();
      }
    });

    test('a warehouse a newer Switchboard migrated is refused with SB_MIGRATE_NEWER, and nothing runs', async () => {
      const wh = await target.open();
      try {
        const newer = [...list([]), { id: 't/0003_future', description: 'later', up: async () => undefined }];
        await migrate(wh, newer, ctx, { version: '9.9.9' });
        const calls: string[] = [];
        await assert.rejects(migrate(wh, list(calls), ctx, { version: '1.2.3' }), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'SB_MIGRATE_NEWER');
          assert.match(error.message, /migrated by a newer Switchboard \(9\.9\.9\): it has t\/0003_future, which Switchboard 1\.2\.3 does not know/);
          assert.match(error.message, /Upgrade Switchboard .* or point warehouse\.path \/ warehouse\.url/);
          return true;
        });
        assert.deepEqual(calls, []);
      } finally {
        await wh.close();
      }
    });

    test('a migration that throws is SB_MIGRATE_FAILED naming it, is not recorded, and runs again (and completes) at the next start', async () => {
      const wh = await target.open();
      try {
        const calls: string[] = [];
        const [first, second] = list(calls) as [Migration, Migration];
        // Half done, then the failure: the column is added, but the migration throws before it ends.
        const broken: Migration = {
          ...second,
          up: async (q, d, c) => {
            await second.up(q, d, c);
            throw new Error('permission denied for schema raw');
          },
        };
        await assert.rejects(migrate(wh, [first, broken], ctx, { version: '1.2.3' }), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'SB_MIGRATE_FAILED');
          assert.match(error.message, /^migration t\/0002_notes_extra \(notes gains extra\) failed: permission denied for schema raw\. It is not recorded as applied/);
          return true;
        });
        assert.deepEqual(await recorded(wh), ['t/0001_notes']);
        const lock = migrationLockTable(ctx.rawSchema);
        assert.deepEqual(await wh.all(`SELECT holder FROM ${wh.dialect.tableName(lock.schema, lock.name)}`), [{ holder: '' }], 'the lock was released');

        const retried = await migrate(wh, [first, second], ctx, { version: '1.2.3' });
        assert.deepEqual(retried.applied, ['t/0002_notes_extra'], 're-run from its start over the half-done change');
        assert.deepEqual(await recorded(wh), ['t/0001_notes', 't/0002_notes_extra']);
      } finally {
        await wh.close();
      }
    });

    test("a killed migrator's lock is taken once it has expired; a live one is waited for, then SB_MIGRATE_LOCKED", async () => {
      const wh = await target.open();
      try {
        await migrate(wh, [], ctx, { version: '1.2.3' }); // the version and lock tables
        const lock = migrationLockTable(ctx.rawSchema);
        const d = wh.dialect;
        const setLock = (holder: string, expiresAt: Date): Promise<void> =>
          wh.run(`INSERT INTO ${d.tableName(lock.schema, lock.name)} (name, holder, expires_at) VALUES ('migrate', ${d.param(1)}, ${d.param(2)})`, [holder, expiresAt]);
        await setLock('web-1:4242:dead', new Date(Date.now() + 60_000));
        const waited: Array<string | undefined> = [];
        let slept = 0;
        await assert.rejects(
          migrate(wh, list([]), ctx, { version: '1.2.3', waitMs: 0, onWaiting: (h) => waited.push(h?.holder), sleep: async () => void (slept += 1) }),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'SB_MIGRATE_LOCKED');
            assert.match(error.message, /another migrator, web-1:4242:dead \(until .*\), has held the migration lock/);
            return true;
          },
        );
        assert.deepEqual(waited, ['web-1:4242:dead']);
        assert.deepEqual(await recorded(wh), []);

        // The same lock, seen from after its expiry (the process holding it was killed and never renewed it).
        const later = (): Date => new Date(Date.now() + 61_000);
        const result = await migrate(wh, list([]), ctx, { version: '1.2.3', now: later });
        assert.deepEqual(result.applied, ['t/0001_notes', 't/0002_notes_extra']);
        assert.equal(slept, 0);
      } finally {
        await wh.close();
      }
    });
  });
}

test('two migrators starting together on one Postgres: each migration runs once, and both end up current', async () => {
  const schemaPrefix = `${prefix}two_`;
  const a = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL, schemaPrefix });
  const b = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL, schemaPrefix });
  try {
    const runs: string[] = [];
    // Whoever takes the lock first holds it inside its first migration until the other is
    // seen waiting for it: the two are truly concurrent, with no timing involved.
    let opened!: () => void;
    const gate = new Promise<void>((resolve) => (opened = resolve));
    const gated = (migrations: Migration[]): Migration[] =>
      migrations.map((m) => ({
        ...m,
        up: async (q, d, c) => {
          await gate;
          await m.up(q, d, c);
        },
      }));
    const waiting: string[] = [];
    const onWaiting = (who: string) => () => {
      waiting.push(who);
      opened();
    };
    const [first, second] = await Promise.all([
      migrate(a, gated(list(runs)), ctx, { version: '1.2.3', holder: 'a', pollMs: 20, onWaiting: onWaiting('a') }),
      migrate(b, gated(list(runs)), ctx, { version: '1.2.3', holder: 'b', pollMs: 20, onWaiting: onWaiting('b') }),
    ]);
    assert.deepEqual(runs, ['t/0001_notes', 't/0002_notes_extra'], 'no migration ran twice');
    assert.deepEqual([...first.applied, ...second.applied].sort(), ['t/0001_notes', 't/0002_notes_extra']);
    assert.equal(waiting.length, 1, 'one of them waited for the other');
    assert.deepEqual(await recorded(a), ['t/0001_notes', 't/0002_notes_extra']);
  } finally {
    await a.close();
    await b.close();
  }
});
