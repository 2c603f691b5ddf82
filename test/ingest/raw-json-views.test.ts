/**
 * Each raw event table's JSON view (`<table>_json`, ingest/raw-tables.ts): `body` as JSON, so
 * `->` and `->>` read it the same way on DuckDB and Postgres, also for the bodies a plain
 * cast would refuse (an XML receipt, a `\u0000` escape). The view is created with its table,
 * left alone when up to date, and redefined in place when an older version made it with
 * fewer columns. Real DuckDB and real Postgres.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGING_SAMPLES, SMS_RECEIPT_XML } from '../../ingest/families/messaging/samples.js';
import { ensureRawEventTable, RAW_EVENT_COLUMNS } from '../../ingest/raw-tables.js';
import type { Queryable, SqlParam, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

/** A messaging event whose text holds `\u0000`, which neither warehouse's JSON takes as it is. */
const NUL_BODY = (() => {
  const event = JSON.parse(MESSAGING_SAMPLES['sms-inbound']) as { payload: { umid: string; body: string } };
  event.payload.umid = 'b5d2e0a1-0c1d-4e2f-8a3b-4c5d6e7f8091';
  event.payload.body = 'a\u0000b';
  return JSON.stringify(event);
})();

/** Every statement `q` runs, for asserting which DDL happened. */
function recording(q: Queryable): { q: Queryable; ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    q: {
      run: (sql: string, params?: readonly SqlParam[]) => (ran.push(sql), q.run(sql, params)),
      all: (sql, params) => q.all(sql, params),
      writeRows: (table, rows, options) => q.writeRows(table, rows, options),
    },
  };
}

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`raw JSON views on ${warehouse}`, () => {
    let h: Harness;
    let raw: string;
    before(async () => {
      h = await startHarness({ warehouse });
      raw = h.config.file.warehouse.rawSchema;
      assert.equal((await h.send('messaging', { body: SMS_RECEIPT_XML, headers: { 'content-type': 'text/xml; charset=utf-8' } })).statusCode, 200);
      assert.equal((await h.send('messaging', { body: NUL_BODY })).statusCode, 200);
      assert.equal((await h.send('meetings')).statusCode, 200);
      await h.drain();
    });
    after(() => h.close());

    test('->> reads an XML receipt as its JSON rendering, and a \\u0000 body as the copy models read', async () => {
      const rows = await h.query<{ state: string | null; text: string | null; umid: string }>(
        `SELECT body->'payload'->>'umid' AS umid, body->'payload'->'status'->>'state' AS state, body->'payload'->>'body' AS text FROM ${h.raw('messaging_events_json')} ORDER BY 1`,
      );
      assert.deepEqual(rows, [
        { umid: '9e09ac86-bd74-5465-851d-1eb5a5fdbb9a', state: 'undelivered', text: null },
        { umid: 'b5d2e0a1-0c1d-4e2f-8a3b-4c5d6e7f8091', state: null, text: 'a\ufffdb' },
      ]);
      const [meeting] = await h.query<{ moderator: string }>(`SELECT body->'data'->>'moderator' AS moderator FROM ${h.raw('meetings_events_json')}`);
      assert.deepEqual(meeting, { moderator: 'true' });
    });

    test("the view has the table's columns in its order, less body_json, and the table's rows", async () => {
      const columns = await h.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = '${h.raw('x').split('.')[0]?.replaceAll('"', '')}' AND table_name = 'voice_events_json' ORDER BY ordinal_position`,
      );
      assert.deepEqual(columns.map((c) => c.column_name), RAW_EVENT_COLUMNS.map((c) => c.name).filter((c) => c !== 'body_json'));
      const [table] = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('messaging_events')}`);
      const [view] = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('messaging_events_json')}`);
      assert.equal(Number(view?.n), 2);
      assert.equal(Number(view?.n), Number(table?.n));
    });

    test('an up-to-date view is left alone; one an older version made with fewer columns gains the new ones, and views built on it keep working', async () => {
      const wh = h.server.warehouse;
      const again = recording(wh);
      await ensureRawEventTable(again.q, wh.dialect, raw, 'meetings_events');
      assert.deepEqual(again.ran.filter((s) => /VIEW/i.test(s)), []);

      const view = h.raw('meetings_events_json');
      const older = RAW_EVENT_COLUMNS.map((c) => c.name).filter((c) => c !== 'body_json' && c !== 'conflict_of');
      await wh.run(`DROP VIEW ${view}`);
      await wh.run(`CREATE VIEW ${view} AS SELECT ${older.map((c) => (c === 'body' ? `CAST(body AS ${wh.dialect.typeName('json')}) AS body` : c)).join(', ')} FROM ${h.raw('meetings_events')}`);
      await wh.run(`CREATE VIEW ${h.raw('my_meetings')} AS SELECT dedupe_key, body->>'eventType' AS event FROM ${view}`);
      const upgrade = recording(wh);
      await ensureRawEventTable(upgrade.q, wh.dialect, raw, 'meetings_events');
      assert.equal(upgrade.ran.filter((s) => /^CREATE OR REPLACE VIEW/.test(s)).length, 1);
      assert.deepEqual(await h.query(`SELECT conflict_of FROM ${view}`), [{ conflict_of: null }]);
      assert.deepEqual(await h.query(`SELECT event FROM ${h.raw('my_meetings')}`), [{ event: 'PARTICIPANT_JOINED' }]);
      await wh.run(`DROP VIEW ${h.raw('my_meetings')}`);
    });
  });
}

test('on Postgres, processes creating the same raw table and view at once all succeed', async () => {
  const schema = uniqueSchema();
  const warehouses: Warehouse[] = [];
  for (let i = 0; i < 4; i++) warehouses.push(await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL, poolSize: 1 }));
  const [first] = warehouses as [Warehouse];
  try {
    await first.run(first.dialect.createSchema(schema));
    await Promise.all(warehouses.map((wh) => ensureRawEventTable(wh, wh.dialect, schema, 'voice_events')));
    const [row] = await first.all<{ n: number }>(`SELECT count(*) AS n FROM ${first.dialect.tableName(schema, 'voice_events_json')}`);
    assert.equal(Number(row?.n), 0);
  } finally {
    await first.run(`DROP SCHEMA IF EXISTS ${first.dialect.schemaName(schema)} CASCADE`);
    for (const wh of warehouses) await wh.close();
  }
});
