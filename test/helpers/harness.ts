/**
 * Starts the whole landing server in-process on a temp directory, for inject() tests:
 * real spool, real warehouse (DuckDB file or a fresh Postgres schema), real families.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../core/config.js';
import { createLandingServer, type LandingServer } from '../../ingest/landing-server.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { buildTestRequest, type TestRequestOptions } from '../../ingest/test-events.js';
import type { SqlRow } from '../../sql/warehouse.js';
import { adminDataDir, clientToken } from '../../ingest/admin-tokens.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { TEST_POSTGRES_URL, uniqueSchema } from './postgres.js';

export interface Harness {
  dir: string;
  config: Config;
  server: LandingServer;
  /** Posts a sample event for `family`, authenticated like 8x8 would. */
  send(family: FamilyName, options?: TestRequestOptions & { headers?: Record<string, string>; ip?: string }): Promise<InjectResult>;
  /** Lands everything in the spool now. */
  drain(): Promise<void>;
  query<T extends SqlRow = SqlRow>(sql: string): Promise<T[]>;
  /** The operator API's bootstrap token (role operate), as the CLI would find it. */
  adminToken: string;
  /** An operator API request with the bootstrap token (or `token`; null for none). */
  admin(request: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  /** `raw.<table>` as the harness's raw schema spells it. */
  raw(table: string): string;
  close(): Promise<void>;
}

export interface InjectResult {
  statusCode: number;
  headers: Record<string, unknown>;
  json: { status?: string; dedupeKey?: string; error?: { code: string; message: string } };
}

export interface HarnessOptions {
  /** Config file content (merged over nothing: defaults apply). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  warehouse?: 'duckdb' | 'postgres';
  /** The raw schema when `config` supplies its own Postgres warehouse (dropped on close). */
  rawSchema?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const rawSchema = options.rawSchema ?? (options.warehouse === 'postgres' ? uniqueSchema() : 'raw');
  const warehouse =
    options.warehouse === 'postgres'
      ? { type: 'postgres', url: TEST_POSTGRES_URL, rawSchema }
      : { type: 'duckdb', path: join(dir, 'warehouse.duckdb'), rawSchema };
  const file = { warehouse, spool: { dir: join(dir, 'data', 'spool') }, log: { level: 'silent' }, ...options.config };
  writeFileSync(join(dir, 'switchboard.json'), JSON.stringify(file));
  const config = loadConfig({ cwd: dir, env: options.env ?? {} });
  const server = await createLandingServer(config, pino({ level: 'silent' }), dir);
  const d = server.warehouse.dialect;
  const adminToken = clientToken(adminDataDir(config, dir), process.env) ?? '';

  return {
    dir,
    config,
    server,
    async send(family, sendOptions = {}) {
      const request = await buildTestRequest(family, config, { cwd: dir, ...sendOptions });
      const response = await server.app.inject({
        method: 'POST',
        url: request.path,
        headers: { ...request.headers, ...sendOptions.headers },
        payload: request.body,
        remoteAddress: sendOptions.ip ?? '127.0.0.1',
      });
      return { statusCode: response.statusCode, headers: response.headers, json: safeJson(response.body) };
    },
    async drain() {
      await server.landing.settled();
      await server.drainer.drainAll();
    },
    query: (sql) => server.warehouse.all(sql),
    adminToken,
    admin({ token = adminToken, headers, ...request }) {
      return server.admin.inject({ ...request, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });
    },
    raw: (table) => d.tableName(rawSchema, table),
    async close() {
      await server.audit.flush(); // else a late audit row could re-create the schema dropped below
      if (rawSchema !== 'raw') await server.warehouse.run(`DROP SCHEMA IF EXISTS ${d.quoteIdent(rawSchema)} CASCADE`);
      await server.close();
    },
  };
}

function safeJson(text: string): InjectResult['json'] {
  try {
    return JSON.parse(text) as InjectResult['json'];
  } catch {
    return {};
  }
}
