/**
 * The data set of bench:models: entities from the family generators, placed on a timeline,
 * landed as the drainer would land them, and written as NDJSON files that DuckDB loads into
 * the raw tables.
 *
 * The timeline (bench/README.md explains why):
 * - base: (1 − delta share) of the events, from entities spread over `days` days and all
 *   landed by T0;
 * - delta: the rest, landed in the `windowMs` after T0 (one build interval): half are later
 *   events of entities already in the base (late receipts, participants leaving, calls
 *   ending, chats going on), half belong to entities that start in the window.
 * Every delta event lands after every base event, as the incremental models assume.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RAW_EVENT_COLUMNS } from '../ingest/raw-tables.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { dialectFor } from '../sql/warehouses/index.js';
import { FAMILY_TABLES, iso, NumberPool, type Entity, type Family, type Webhook } from './models-events.js';
import { chat, meeting } from './models-meetings.js';
import { messagingEntity } from './models-messaging.js';
import { Random } from './models-random.js';
import { voiceCall } from './models-voice.js';

/** Share of the events per family: roughly a contact centre that texts more than it calls. */
export const FAMILY_SHARES: Readonly<Record<Family, number>> = { messaging: 0.4, voice: 0.3, meetings: 0.2, 'contact-center': 0.1 };

/** Messaging comes from 8x8's published addresses (8x8.md §1.7); the others publish none. */
const SOURCE_IPS: Readonly<Record<Family, readonly string[]>> = {
  messaging: ['52.220.117.120', '52.220.109.9', '18.136.13.204', '34.142.20.188', '34.142.64.178', '50.112.250.190', '100.21.170.42'],
  voice: ['203.0.113.21', '203.0.113.22', '203.0.113.23'],
  'contact-center': ['198.51.100.40', '198.51.100.41'],
  meetings: ['192.0.2.70', '192.0.2.71', '192.0.2.72'],
};
const VERIFIED_BY: Readonly<Record<Family, string>> = { voice: 'auth-header', messaging: 'static-authorization', 'contact-center': 'jws-rs256', meetings: 'hmac-sha256' };
/** 8x8's retry delays after the first delivery (8x8.md §1.7: 1, 10, 30 and 90 s). */
const RETRY_DELAYS_MS = [1_000, 10_000, 30_000, 90_000];
/** The drainer lands a batch every few hundred ms; rows of one batch share landed_at. */
const DRAIN_TICK_MS = 250;

export interface DatasetOptions {
  events: number;
  days: number;
  /** Share of the events in the delta, e.g. 0.01. */
  deltaShare: number;
  /** How long after T0 the delta lands, e.g. 300 000 (5 minutes). */
  windowMs: number;
  seed: number;
  /** Where to write the NDJSON files. */
  dir: string;
  onProgress?: (generated: number) => void;
}

export type RawTable = (typeof FAMILY_TABLES)[Family];
type Counts = Record<RawTable, number>;

export interface Dataset {
  /** The newest landed_at of the base; the delta lands after it. */
  t0: number;
  customers: number;
  base: Counts;
  delta: Counts;
  /** Delta events of entities that have events in the base, and of entities new in the delta. */
  deltaExisting: number;
  deltaNew: number;
  files: { base: Record<RawTable, string>; delta: Record<RawTable, string> };
}

/** A Monday 10:00 UTC: the base ends, and the delta starts, in a working morning. */
const T0 = Date.UTC(2025, 2, 31, 10, 0, 0);

export function generateDataset(options: DatasetOptions): Dataset {
  const r = new Random(options.seed);
  const numbers = new NumberPool(r, Math.max(500, Math.round(options.events / 50)));
  const tables = Object.values(FAMILY_TABLES);
  const zero = (): Counts => Object.fromEntries(tables.map((t) => [t, 0])) as Counts;
  const files = {
    base: Object.fromEntries(tables.map((t) => [t, join(options.dir, `base-${t}.ndjson`)])) as Record<RawTable, string>,
    delta: Object.fromEntries(tables.map((t) => [t, join(options.dir, `delta-${t}.ndjson`)])) as Record<RawTable, string>,
  };
  const writers = {
    base: Object.fromEntries(tables.map((t) => [t, new NdjsonWriter(files.base[t])])) as Record<RawTable, NdjsonWriter>,
    delta: Object.fromEntries(tables.map((t) => [t, new NdjsonWriter(files.delta[t])])) as Record<RawTable, NdjsonWriter>,
  };
  const counts = { base: zero(), delta: zero() };
  const perFamily = { existing: zeroFamilies(), fresh: zeroFamilies(), base: zeroFamilies() };
  let generated = 0;
  let reported = 0;
  const make = (family: Family, multiEvent: boolean): Entity => {
    if (family === 'voice') return voiceCall(r, numbers);
    if (family === 'messaging') return messagingEntity(r, numbers, multiEvent);
    if (family === 'meetings') return meeting(r, numbers);
    return chat(r);
  };
  /** Lands the entity's events that land by `until`; returns how many landed at or before T0, and after. */
  const land = (e: Entity, start: number, until: number): { before: number; after: number } => {
    let before = 0;
    let after = 0;
    for (const planned of e.events) {
      const at = start + planned.offset;
      const row = landedRow(r, planned.write(start), at);
      if (row.landedAt > until) continue;
      const phase = row.landedAt <= T0 ? 'base' : 'delta';
      const table = FAMILY_TABLES[e.family];
      writers[phase][table].write(row.line);
      counts[phase][table] += 1;
      if (phase === 'base') before += 1;
      else after += 1;
    }
    generated += before + after;
    if (generated - reported >= 100_000) {
      reported = generated;
      options.onProgress?.(generated);
    }
    return { before, after };
  };

  const deltaTarget = Math.round(options.events * options.deltaShare);
  const existingTarget = Math.round(deltaTarget / 2);
  let deltaExisting = 0;
  let deltaNew = 0;
  // Entities in flight at T0: some events before it, at least one in the window after it.
  while (deltaExisting < existingTarget) {
    const family = behind(perFamily.existing);
    const e = make(family, true);
    const start = straddle(r, e, options.windowMs);
    if (start === null) continue;
    const { before, after } = land(e, start, T0 + options.windowMs);
    if (before > 0) deltaExisting += after;
    else deltaNew += after;
    perFamily.existing[family] += after;
    perFamily.base[family] += before;
  }
  // Entities that start in the window; what happens after it has not happened yet.
  while (deltaNew < deltaTarget - existingTarget) {
    const family = behind(perFamily.fresh);
    const { after } = land(make(family, false), T0 + r.int(0, options.windowMs - 1), T0 + options.windowMs);
    deltaNew += after;
    perFamily.fresh[family] += after;
  }
  // Entities wholly in the base, spread over the days before T0.
  const baseTarget = options.events - deltaTarget;
  let base = tables.reduce((n, t) => n + counts.base[t], 0);
  while (base < baseTarget) {
    const family = behind(perFamily.base);
    const e = make(family, false);
    const span = (e.events[e.events.length - 1]?.offset ?? 0) + 10_000;
    const start = T0 - span - Math.round(r.next() * (options.days * 86_400_000 - span));
    const { before } = land(e, start, T0);
    base += before;
    perFamily.base[family] += before;
  }
  for (const phase of ['base', 'delta'] as const) for (const t of tables) writers[phase][t].close();
  return { t0: T0, customers: numbers.customers.length, base: counts.base, delta: counts.delta, deltaExisting, deltaNew, files };
}

/** Slack for delivery and drain lags (at most ~2.3 s), so an event sent before T0 also lands before it. */
const LAND_SLACK_MS = 3_000;

/**
 * A start for `e` that puts T0 between two of its events, with the later one sent within the
 * window, so some events land before T0 and some after; null when no gap allows it.
 */
function straddle(r: Random, e: Entity, windowMs: number): number | null {
  const cuts: Array<[number, number]> = [];
  for (let k = 1; k < e.events.length; k++) {
    const previous = (e.events[k - 1] as Entity['events'][number]).offset;
    const next = (e.events[k] as Entity['events'][number]).offset;
    // T0 sits `cut` ms after the entity's start: after event k−1 has landed, before event k is sent.
    const low = Math.max(previous + LAND_SLACK_MS, next - windowMs + LAND_SLACK_MS);
    const high = next - 1_000;
    if (low < high) cuts.push([low, high]);
  }
  if (cuts.length === 0) return null;
  const [low, high] = r.pick(cuts);
  return T0 - Math.round(r.between(low, high));
}

function zeroFamilies(): Record<Family, number> {
  return { messaging: 0, voice: 0, meetings: 0, 'contact-center': 0 };
}

/** The family furthest below its share of `counts`. */
function behind(counts: Readonly<Record<Family, number>>): Family {
  const total = Object.values(counts).reduce((a, b) => a + b, 0) + 1;
  let best: Family = 'messaging';
  let gap = -Infinity;
  for (const [family, share] of Object.entries(FAMILY_SHARES) as Array<[Family, number]>) {
    const g = share * total - counts[family];
    if (g > gap) [best, gap] = [family, g];
  }
  return best;
}

/**
 * The raw row the drainer would write for a webhook sent at `at`: received a moment later,
 * retried now and then, landed with the next drain batch.
 */
function landedRow(r: Random, hook: Webhook, at: number): { line: string; landedAt: number } {
  const received = at + r.int(30, 800);
  const deliveries = r.chance(0.03) ? r.int(2, 3) : 1;
  const lastReceived = deliveries === 1 ? received : received + RETRY_DELAYS_MS.slice(0, deliveries - 1).reduce((a, b) => a + b, 0);
  const landedAt = Math.ceil((received + r.int(20, 1_500)) / DRAIN_TICK_MS) * DRAIN_TICK_MS;
  const row = {
    dedupe_key: hook.dedupeKey,
    family: hook.family,
    event_type: hook.eventType,
    body: hook.body,
    headers: hook.headers,
    source_ip: r.pick(SOURCE_IPS[hook.family]),
    verified_by: VERIFIED_BY[hook.family],
    first_delivery_id: r.uuid(),
    first_received_at: iso(received),
    last_received_at: iso(lastReceived),
    delivery_count: deliveries,
    landed_at: iso(landedAt),
  };
  return { line: JSON.stringify(row), landedAt };
}

/** Appends lines to a file through a 4 MiB buffer. */
class NdjsonWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(line: string): void {
    this.parts.push(line, '\n');
    this.size += line.length + 1;
    if (this.size >= 4 * 1024 * 1024) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.parts.length > 0) writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/**
 * Appends NDJSON files to `raw.<table>` in landed_at order, as the drainer appends. The
 * tables must exist (rawEventTable). DuckDB-only: bench:models measures DuckDB.
 *
 * It opens the file with DuckDB directly, not through openWarehouse: the warehouse switches
 * file access off for every connection (sql/warehouses/duckdb/open.ts), and read_ndjson is
 * file access. The benchmark's own loader needs it; nothing in Switchboard does. Call it
 * while no warehouse holds the file.
 */
export async function loadRawFiles(path: string, schema: string, files: ReadonlyArray<{ table: RawTable; file: string }>): Promise<void> {
  const d = dialectFor('duckdb');
  const columns = RAW_EVENT_COLUMNS.map((c) => `${d.stringLiteral(c.name)}: ${d.stringLiteral(d.typeName(c.type))}`).join(', ');
  const names = RAW_EVENT_COLUMNS.map((c) => d.quoteIdent(c.name)).join(', ');
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    for (const { table, file } of files) {
      await connection.run(
        `INSERT INTO ${d.tableName(schema, table)} (${names}) SELECT ${names} FROM read_ndjson(${d.stringLiteral(file)}, columns = {${columns}}) ORDER BY landed_at`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
