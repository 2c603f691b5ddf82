/**
 * Starts the whole landing server in-process on a temp directory, for inject() tests:
 * real spool, real warehouse (DuckDB file or a fresh Postgres schema), real families.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { createSwitchboardServer, type SwitchboardServer } from '../../server/switchboard-server.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { buildTestRequest, type TestRequestOptions } from '../../ingest/test-events.js';
import type { SqlRow } from '../../sql/warehouse.js';
import { adminDataDir, clientToken } from '../../server/admin-tokens.js';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { TEST_POSTGRES_URL, uniqueSchema } from './postgres.js';

export interface Harness {
  dir: string;
  config: Config;
  /** The running server; replaced by {@link Harness.restart}. */
  server: SwitchboardServer;
  /** Closes the server (keeping its data: spool, warehouse) and starts a new one on the same config. */
  restart(): Promise<void>;
  /** Stops the server (dropping a Postgres test schema) but keeps the directory, e.g. for a CLI run on its files. */
  stop(): Promise<void>;
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
  /** The server's logger (default: silent). */
  logger?: Logger;
  /** Runs after the config is written and before the server starts (e.g. to prepare the warehouse). */
  beforeStart?: (dir: string, config: Config) => Promise<void>;
  /** Use `env` exactly as given: no TEST_SECRETS for the secrets it leaves out. */
  exactEnv?: boolean;
}

/**
 * Distinct values for every secret. Setting any one secret ends the development fallback
 * (core/secrets.ts), so a test that sets some gets these for the rest.
 */
export const TEST_SECRETS: Readonly<Record<string, string>> = {
  SWITCHBOARD_MESSAGING_AUTHORIZATION: 'Bearer harness-messaging-static',
  SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET: 'harness-oauth-client-secret',
  SWITCHBOARD_VOICE_AUTH_HEADER: 'Bearer harness-voice-header',
  SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_harnessmeetingssecret000000',
};

/** `env` as given when it sets no secret (the try-out); otherwise completed with TEST_SECRETS. */
export function withTestSecrets(env: Record<string, string>): Record<string, string> {
  const setsSecret = Object.keys(env).some((name) => /^SWITCHBOARD_(MESSAGING|VOICE|MEETINGS)_/.test(name) && env[name] !== '');
  return setsSecret ? { ...TEST_SECRETS, ...env } : env;
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
  let config: Config;
  try {
    config = loadConfig({ cwd: dir, env: options.exactEnv === true ? (options.env ?? {}) : withTestSecrets(options.env ?? {}) });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  await options.beforeStart?.(dir, config);
  let server = await createSwitchboardServer(config, logger, dir);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.audit.flush(); // else a late audit row could re-create the schema dropped below
    if (rawSchema !== 'raw') await server.warehouse.run(`DROP SCHEMA IF EXISTS ${d.quoteIdent(rawSchema)} CASCADE`);
    await server.close();
  };
  const d = server.warehouse.dialect;
  const adminToken = clientToken(adminDataDir(config, dir), process.env) ?? '';

  return {
    dir,
    config,
    get server() {
      return server;
    },
    async restart() {
      await server.audit.flush();
      await server.close();
      server = await createSwitchboardServer(config, logger, dir);
    },
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
    stop,
    async close() {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
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
