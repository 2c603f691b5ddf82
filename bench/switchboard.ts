/**
 * The real server for bench:ingest: `switchboard serve` in a child process, landing durably
 * in DuckDB under a temporary directory, and the checks made on what it landed.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '../sql/warehouses/index.js';
import { startChild, type Child } from './processes.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface SwitchboardOptions {
  dir: string;
  authorization: string;
  /** Diagnostics only (BENCH_FSYNC=0): acknowledged events could be lost in a crash. */
  fsync: boolean;
  /** Diagnostics only (BENCH_CPU_PROF=<dir>): the server writes a V8 CPU profile there on exit. */
  cpuProfileDir?: string | undefined;
  /** signals.enabled (BENCH_SIGNALS=0 turns them off, to measure what they cost landing). */
  signals?: boolean | undefined;
}

export function databasePath(dir: string): string {
  return join(dir, 'wh.duckdb');
}

/** Writes the config (durable landing, rate limit out of the way, quiet logs) and starts the server. */
export async function startSwitchboard(options: SwitchboardOptions): Promise<Child> {
  const config = join(options.dir, 'switchboard.json');
  writeFileSync(
    config,
    JSON.stringify({
      warehouse: { type: 'duckdb', path: databasePath(options.dir) },
      spool: { dir: join(options.dir, 'spool'), fsync: options.fsync },
      // One client address sends everything here; 8x8's real traffic comes from several.
      server: { rateLimit: { max: 10_000_000 } },
      // Only messaging is measured; with one secret set, the others would need theirs too.
      families: { voice: { enabled: false }, contactCenter: { enabled: false }, meetings: { enabled: false } },
      // On (port 0) for GET /status, the backlog; the public /readyz says only ready or not.
      admin: { enabled: true },
      // A scheduled model build would compete with the landing being measured.
      models: { schedule: 'off' },
      // On by default, as in production; BENCH_SIGNALS=0 measures landing without them.
      signals: { enabled: options.signals ?? true },
      log: { level: 'warn' },
    }),
  );
  const profile = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  return startChild(
    [...profile, CLI, 'serve', '--config', config, '--port', '0', '--admin-port', '0'],
    { SWITCHBOARD_MESSAGING_AUTHORIZATION: options.authorization, SWITCHBOARD_ADMIN_TOKEN: ADMIN_TOKEN },
    /Switchboard listening on (http:\/\/[^\s;()]+)/,
  );
}

/** The operator API token the bench's server gets (SWITCHBOARD_ADMIN_TOKEN), new each run. */
const ADMIN_TOKEN = `sbat_${randomBytes(32).toString('base64url')}`;

/** Bytes acknowledged but not yet in the warehouse, from the operator API's GET /status. */
export async function backlogBytes(server: Child): Promise<number> {
  const adminUrl = /Operator API on (http:\/\/[^\s;()]+)/.exec(server.output())?.[1];
  if (adminUrl === undefined) throw new Error(`the server printed no operator API address:\n${server.output()}`);
  const response = await fetch(`${adminUrl}/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const report = (await response.json()) as { spool?: { backlogBytes?: number } };
  const bytes = report.spool?.backlogBytes;
  if (typeof bytes !== 'number') throw new Error(`/status answered ${response.status} without spool.backlogBytes`);
  return bytes;
}

/** Polls until the backlog is 0. Resolves with the seconds it took, or null on timeout. */
export async function waitForDrain(server: Child, timeoutMs: number): Promise<{ seconds: number | null; backlog: number }> {
  const start = Date.now();
  for (;;) {
    const backlog = await backlogBytes(server);
    if (backlog === 0) return { seconds: (Date.now() - start) / 1000, backlog };
    if (Date.now() - start >= timeoutMs) return { seconds: null, backlog };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Landed {
  /** Rows in raw.messaging_events: distinct events. */
  events: number;
  /** sum(delivery_count): every delivery, retries included. */
  deliveries: number;
}

/** Counts what landed. Only once the server has stopped: DuckDB allows one process per file. */
export async function countLanded(dir: string): Promise<Landed> {
  const warehouse = await openWarehouse({ type: 'duckdb', path: databasePath(dir) });
  try {
    const [events] = await warehouse.all<{ n: number }>('SELECT count(*) AS n FROM raw.messaging_events');
    const [deliveries] = await warehouse.all<{ n: number }>('SELECT sum(delivery_count) AS n FROM raw.messaging_events');
    return { events: Number(events?.n ?? 0), deliveries: Number(deliveries?.n ?? 0) };
  } finally {
    await warehouse.close();
  }
}
