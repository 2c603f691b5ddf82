/**
 * `meetings` and `meeting_participants` as JaaS defines them (docs/jaas/docs/webhooks-payload.md
 * in 8x8Cloud/public-developer-docs), on real DuckDB and real Postgres: a breakout room's
 * ROOM_CREATED/ROOM_DESTROYED (`isBreakout`) neither starts nor ends its meeting; a
 * PARTICIPANT_LEFT with `disconnectReason: switch_room` ("joins a breakout room from the main
 * room or vice versa") is no leave; a participant's reason is that of their latest leave by
 * 8x8's timestamp. JaaS promises no order ("events are not guaranteed to be cataloged in
 * chronological order"), so the same events land in several arrival orders, each in three
 * batches with an incremental build after each, and every order ends in the same rows.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { createRawTables, insertRawEvents, type RawEvent } from '../helpers/raw-events.js';

const T0 = Date.parse('2025-03-05T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const jaas = (key: string, eventType: string, meeting: string, room: string, minutes: number, data: Record<string, unknown> = {}): RawEvent => ({
  dedupeKey: `jaas:${key}`,
  family: 'meetings',
  eventType,
  body: JSON.stringify({
    idempotencyKey: key, customerId: 'c0ffee', appId: 'vpaas-magic-cookie-c0ffee', eventType, sessionId: meeting,
    timestamp: T0 + minutes * 60_000, fqn: `vpaas-magic-cookie-c0ffee/${room}`, data,
  }),
  landedAt: new Date(0), // set per arrival order
});

const main = { isBreakout: false };
const breakout = { isBreakout: true, breakoutRoomId: 'br-1' };
const person = (id: string, name: string) => ({ id: `user-${id}`, participantJid: `${id}@stage.8x8.vc`, participantId: id, name });

/** One meeting with a breakout room, one whose main room has not ended, one whose ROOM_CREATED never came. */
const EVENTS: RawEvent[] = [
  // standup: the main room 0–60; a breakout room 10–30
  jaas('r1', 'ROOM_CREATED', 'meet-br', 'standup', 0, { conference: 'standup@conference.x', ...main }),
  jaas('r2', 'ROOM_CREATED', 'meet-br', 'standup', 10, { conference: 'standup@conference.x', ...breakout }),
  jaas('r3', 'ROOM_DESTROYED', 'meet-br', 'standup', 30, { conference: 'standup@conference.x', ...breakout }),
  jaas('r4', 'ROOM_DESTROYED', 'meet-br', 'standup', 60, { conference: 'standup@conference.x', ...main }),
  // Ana: main → breakout → main, then leaves
  jaas('a1', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 1, { ...person('p-a', 'Ana'), moderator: 'true', ...main }),
  jaas('a2', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 11, { ...person('p-a', 'Ana'), disconnectReason: 'switch_room', ...main }),
  jaas('a3', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 11, { ...person('p-a', 'Ana'), ...breakout }),
  // isBreakout as the string "true", the way 8x8 sends `moderator`
  jaas('a4', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 30, { ...person('p-a', 'Ana'), disconnectReason: 'switch_room', isBreakout: 'true', breakoutRoomId: 'br-1' }),
  jaas('a5', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 30, { ...person('p-a', 'Ana'), ...main }),
  jaas('a6', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 50, { ...person('p-a', 'Ana'), disconnectReason: 'left', ...main }),
  // Bo: drops (unknown), rejoins, moves to the breakout room and is kicked there
  jaas('b1', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 2, { ...person('p-b', 'Bo'), moderator: false, ...main }),
  jaas('b2', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 5, { ...person('p-b', 'Bo'), disconnectReason: 'unknown', ...main }),
  jaas('b3', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 6, { ...person('p-b', 'Bo'), ...main }),
  jaas('b4', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 12, { ...person('p-b', 'Bo'), disconnectReason: 'switch_room', ...main }),
  jaas('b5', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 12, { ...person('p-b', 'Bo'), ...breakout }),
  jaas('b6', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 20, { ...person('p-b', 'Bo'), disconnectReason: 'kicked', ...breakout }),
  // Cy: moved to the breakout room, and no leave has arrived (yet); breakoutRoomId without isBreakout
  jaas('c1', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 3, { ...person('p-c', 'Cy'), ...main }),
  jaas('c2', 'PARTICIPANT_LEFT', 'meet-br', 'standup', 13, { ...person('p-c', 'Cy'), disconnectReason: 'switch_room', ...main }),
  jaas('c3', 'PARTICIPANT_JOINED', 'meet-br', 'standup', 13, { ...person('p-c', 'Cy'), breakoutRoomId: 'br-1' }),
  // a dial-in, from a number in +E.164 form that libphonenumber's metadata does not know
  jaas('d1', 'DIAL_IN_STARTED', 'meet-br', 'standup', 4, { direction: 'in', nick: '15555551220 (+15555551220)', participantJid: 'dial@x', participantId: 'p-dial' }),
  jaas('d2', 'DIAL_IN_ENDED', 'meet-br', 'standup', 40, { participantJid: 'dial@x', participantId: 'p-dial' }),

  // retro: the breakout room ended, the main room has not
  jaas('o1', 'ROOM_CREATED', 'meet-open', 'retro', 0, { conference: 'retro@conference.x', ...main }),
  jaas('o2', 'ROOM_CREATED', 'meet-open', 'retro', 5, { conference: 'retro@conference.x', ...breakout }),
  jaas('o3', 'ROOM_DESTROYED', 'meet-open', 'retro', 15, { conference: 'retro@conference.x', ...breakout }),
  jaas('o4', 'PARTICIPANT_JOINED', 'meet-open', 'retro', 1, { ...person('p-d', 'Di'), ...main }),

  // planning: the main room's ROOM_CREATED never came; the breakout room's events name another
  // room (the docs' examples show the main room's fqn; the main room's name wins either way)
  jaas('l1', 'PARTICIPANT_JOINED', 'meet-late', 'planning', 2, { ...person('p-e', 'Ed'), ...main }),
  jaas('l2', 'ROOM_CREATED', 'meet-late', 'planning-breakout', 10, { conference: 'x@breakout.x', ...breakout }),
  jaas('l3', 'ROOM_DESTROYED', 'meet-late', 'planning-breakout', 20, { conference: 'x@breakout.x', ...breakout }),
  jaas('l4', 'ROOM_DESTROYED', 'meet-late', 'planning', 40, { conference: 'planning@conference.x', ...main }),
];

const MEETINGS = [
  { meeting_id: 'meet-br', room_name: 'standup', started_at: at(0), ended_at: at(60), duration_seconds: 3600, participant_count: 4, dial_in_count: 1 },
  { meeting_id: 'meet-late', room_name: 'planning', started_at: at(2), ended_at: at(40), duration_seconds: 2280, participant_count: 1, dial_in_count: 0 },
  { meeting_id: 'meet-open', room_name: 'retro', started_at: at(0), ended_at: null, duration_seconds: null, participant_count: 1, dial_in_count: 0 },
];

const PARTICIPANTS = [
  { meeting_id: 'meet-br', participant_id: 'p-a', name: 'Ana', is_moderator: true, joined_at: at(1), left_at: at(50), duration_seconds: 2940, phone_e164: null, disconnect_reason: 'left' },
  { meeting_id: 'meet-br', participant_id: 'p-b', name: 'Bo', is_moderator: false, joined_at: at(2), left_at: at(20), duration_seconds: 1080, phone_e164: null, disconnect_reason: 'kicked' },
  { meeting_id: 'meet-br', participant_id: 'p-c', name: 'Cy', is_moderator: false, joined_at: at(3), left_at: null, duration_seconds: null, phone_e164: null, disconnect_reason: null },
  { meeting_id: 'meet-br', participant_id: 'p-dial', name: null, is_moderator: false, joined_at: at(4), left_at: at(40), duration_seconds: 2160, phone_e164: '+15555551220', disconnect_reason: null },
  { meeting_id: 'meet-late', participant_id: 'p-e', name: 'Ed', is_moderator: false, joined_at: at(2), left_at: null, duration_seconds: null, phone_e164: null, disconnect_reason: null },
  { meeting_id: 'meet-open', participant_id: 'p-d', name: 'Di', is_moderator: false, joined_at: at(1), left_at: null, duration_seconds: null, phone_e164: null, disconnect_reason: null },
];

/** mulberry32: a small deterministic PRNG, so an order that fails can be rebuilt from its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const ORDERS: Array<[string, RawEvent[]]> = [
  ['as they happened', EVENTS],
  ['reversed', [...EVENTS].reverse()],
  ['shuffled (seed 7)', shuffled(EVENTS, 7)],
  ['shuffled (seed 1234)', shuffled(EVENTS, 1234)],
];
const BATCHES = 3;
const ARRIVALS = Date.parse('2025-03-06T00:00:00Z');

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: ':memory:' }), schemas: () => ({ raw: 'raw', analytics: 'analytics' }), drop: false },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schemas: () => ({ raw: uniqueSchema('raw'), analytics: uniqueSchema('analytics') }), drop: true },
] as const;

for (const target of targets) {
  describe(`meetings as JaaS defines them on ${target.name}`, () => {
    const opened: Array<{ wh: Warehouse; schemas: { raw: string; analytics: string } }> = [];
    after(async () => {
      for (const { wh, schemas } of opened) {
        if (target.drop) for (const schema of [schemas.raw, schemas.analytics]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(schema)} CASCADE`);
        await wh.close();
      }
    });

    for (const [label, order] of ORDERS) {
      test(`events arriving ${label}, in ${BATCHES} incremental builds: breakouts and room switches handled, the latest leave's reason`, async () => {
        const wh = await target.open();
        const schemas = target.schemas();
        opened.push({ wh, schemas });
        await createRawTables(wh, schemas.raw);
        const settings: ProjectSettings = { targetSchema: schemas.analytics, sources: { raw: schemas.raw }, vars: { default_region: '' }, lookbackSeconds: 3600 };
        const project = await loadProject(BUNDLED_MODELS_DIR, wh.dialect);
        const runBuild = async (fullRefresh = false) => {
          const results = await build(wh, project, { settings, select: ['+meetings', '+meeting_participants'], fullRefresh });
          assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.node}: ${r.message}`), []);
        };
        const arrived = order.map((event, i) => ({ ...event, landedAt: new Date(ARRIVALS + i * 1000) }));
        const size = Math.ceil(arrived.length / BATCHES);
        for (let start = 0; start < arrived.length; start += size) {
          await insertRawEvents(wh, schemas.raw, arrived.slice(start, start + size));
          await runBuild();
        }
        const read = async (table: string, columns: string[], orderBy: string) =>
          (await wh.all(`SELECT ${columns.join(', ')} FROM ${wh.dialect.tableName(schemas.analytics, table)} ORDER BY ${orderBy}`)).map(numbers);
        const meetings = () => read('meetings', Object.keys(MEETINGS[0]!), 'meeting_id');
        const participants = () => read('meeting_participants', Object.keys(PARTICIPANTS[0]!), 'meeting_id, participant_id');
        assert.deepEqual(await meetings(), MEETINGS);
        assert.deepEqual(await participants(), PARTICIPANTS);
        await runBuild(true);
        assert.deepEqual(await meetings(), MEETINGS, 'a full rebuild agrees');
        assert.deepEqual(await participants(), PARTICIPANTS, 'a full rebuild agrees');
      });
    }
  });
}

/** BIGINT columns as numbers (the drivers may give bigint or text). */
function numbers(row: SqlRow): SqlRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k.endsWith('_seconds') || k.endsWith('_count') ? (v === null ? null : Number(v)) : v]));
}
