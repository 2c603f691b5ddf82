/** Postgres's `warehouse:` block: a connection URL; the password comes from PGPASSWORD. */
import { z } from 'zod';
import { schemaName } from '../../../core/config-fields.js';
import type { WarehouseKind } from '../kind.js';
import type { PostgresOptions } from './open.js';

export const postgresConfigSchema = z.strictObject({
  type: z.literal('postgres'),
  /** A connection URL without the password; the password comes from PGPASSWORD. */
  url: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  rawSchema: schemaName.default('raw'),
});

export type PostgresSettings = z.output<typeof postgresConfigSchema>;

export const postgresKind: WarehouseKind<typeof postgresConfigSchema, PostgresOptions> = {
  type: 'postgres',
  schema: postgresConfigSchema,
  toOptions: (settings) => ({ url: settings.url }),
  describe: (settings) => `Postgres ${redactPassword(settings.url)}`,
  identity: (options) => postgresIdentity(options.url, options.schemaPrefix),
  // pg reads PGPASSWORD itself; trust, peer and ~/.pgpass setups need none, so it is never required.
  secrets: () => [{ env: 'PGPASSWORD', configKey: 'warehouse.url', purpose: 'the Postgres password, when the server asks for one', optional: true }],
};

/**
 * The URL with a password written into it (against the advice) masked.
 * @example redactPassword('postgres://sb:pw@db/x') // 'postgres://sb:***@db/x'
 */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * Host, port and database of a Postgres URL, as libpq reads them (a `host` parameter for a
 * socket directory, the user's name for a missing database); never the user or password.
 */
function postgresIdentity(url: string, schemaPrefix: string | undefined): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username);
  const prefix = schemaPrefix === undefined || schemaPrefix === '' ? '' : ` (schema prefix ${schemaPrefix})`;
  return `postgres ${host}:${parsed.port || '5432'}/${database}${prefix}`;
}
