/**
 * Operator API tokens. A token is `sbat_` + 43 random base64url characters, presented as
 * `Authorization: Bearer <token>`, and carries a role:
 * - `read`: GET /status, GET /metrics, GET /rejections, POST /sql;
 * - `operate`: also POST /build, /test, /sync, /pull, /rejections/replay and /dlq/replay.
 *
 * Where they come from:
 * - the bootstrap token (role operate): SWITCHBOARD_ADMIN_TOKEN when set; else `serve`
 *   generates one on first start into `<data dir>/admin-token` (mode 0600), which the CLI
 *   reads on its own. The data dir is the spool dir's parent, e.g. `./data`.
 * - issued tokens: `switchboard admin-token create|revoke|list` keep them in
 *   `<data dir>/admin-tokens.json` (mode 0600), as sha256 hashes with an id, a name, a role
 *   and dates; never the value. The server re-reads the file when it changes, so a created
 *   or revoked token counts from the next request, without a restart.
 *
 * Tokens are compared in constant time, and only ids (never values) reach logs and the audit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { constantTimeEqual } from '../ingest/auth/constant-time.js';

export type AdminRole = 'read' | 'operate';
export const ADMIN_ROLES: readonly AdminRole[] = ['read', 'operate'];

/** The environment variable that sets the bootstrap token. */
export const ADMIN_TOKEN_ENV = 'SWITCHBOARD_ADMIN_TOKEN';

/** One issued token as the registry keeps it: no value, only its hash. */
export interface AdminTokenRecord {
  /** e.g. `t_3f9a1c02`; what logs and the audit show. */
  id: string;
  name: string;
  role: AdminRole;
  /** Hex sha256 of the token value. */
  sha256: string;
  created: string;
  revoked: string | null;
}

/** Who a request authenticated as. */
export interface AdminPrincipal {
  /** `env` (SWITCHBOARD_ADMIN_TOKEN), `bootstrap` (the generated file), or an issued token's id. */
  id: string;
  role: AdminRole;
}

/** The data dir of a config: the spool dir's parent (where dev-keys/ also lives). */
export function adminDataDir(config: Config, cwd: string): string {
  return resolve(cwd, dirname(config.file.spool.dir));
}

export function bootstrapTokenPath(dataDir: string): string {
  return join(dataDir, 'admin-token');
}

export function registryPath(dataDir: string): string {
  return join(dataDir, 'admin-tokens.json');
}

export function newTokenValue(): string {
  return `sbat_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The bootstrap token for `serve`: SWITCHBOARD_ADMIN_TOKEN, else the file in the data dir,
 * generated (mode 0600) when missing. Returns its hash only.
 */
export function bootstrapToken(dataDir: string, env: NodeJS.ProcessEnv): { id: string; sha256: string } {
  const fromEnv = env[ADMIN_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { id: 'env', sha256: tokenHash(fromEnv) };
  const path = bootstrapTokenPath(dataDir);
  let value = readSecretFile(path);
  if (value === null) {
    value = newTokenValue();
    writePrivate(path, `${value}\n`);
  }
  return { id: 'bootstrap', sha256: tokenHash(value) };
}

/** The token the CLI sends: SWITCHBOARD_ADMIN_TOKEN, else the bootstrap file, else none. */
export function clientToken(dataDir: string, env: NodeJS.ProcessEnv): string | null {
  const fromEnv = env[ADMIN_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return readSecretFile(bootstrapTokenPath(dataDir));
}

function readSecretFile(path: string): string | null {
  try {
    const value = readFileSync(path, 'utf8').trim();
    return value === '' ? null : value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes `text` to `path` readable by the owner only, atomically (temp file + rename). */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600); // the umask cannot widen it, but an existing file keeps its mode
  renameSync(temp, path);
}

/** The issued tokens in the data dir; `switchboard admin-token` edits them, `serve` checks against them. */
export class AdminTokenRegistry {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = registryPath(dataDir);
  }

  list(): AdminTokenRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as { tokens?: AdminTokenRecord[] };
      return Array.isArray(parsed.tokens) ? parsed.tokens : [];
    } catch (cause) {
      throw new SwitchboardError('SB_ADMIN_TOKEN_FILE', `${this.path} is not valid JSON (${(cause as Error).message}). Restore it from a backup, or move it away and issue tokens again with switchboard admin-token create.`, { cause });
    }
  }

  /** Issues a token; the value is returned once and never stored. */
  create(role: AdminRole, name: string, now = new Date()): { record: AdminTokenRecord; value: string } {
    const value = newTokenValue();
    const record: AdminTokenRecord = { id: `t_${randomBytes(4).toString('hex')}`, name, role, sha256: tokenHash(value), created: now.toISOString(), revoked: null };
    this.save([...this.list(), record]);
    return { record, value };
  }

  /** Revokes by id; false when no such token (or already revoked). */
  revoke(id: string, now = new Date()): boolean {
    const tokens = this.list();
    const token = tokens.find((t) => t.id === id && t.revoked === null);
    if (token === undefined) return false;
    token.revoked = now.toISOString();
    this.save(tokens);
    return true;
  }

  private save(tokens: readonly AdminTokenRecord[]): void {
    writePrivate(this.path, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`);
  }
}

/**
 * Checks presented tokens against the bootstrap token and the registry, re-reading the
 * registry whenever its file changes (inode, size or mtime), so revocations apply at once.
 */
export class AdminTokenVerifier {
  private readonly registry: AdminTokenRegistry;
  private stamp = '';
  private issued: readonly AdminTokenRecord[] = [];

  constructor(
    dataDir: string,
    private readonly bootstrap: { id: string; sha256: string },
  ) {
    this.registry = new AdminTokenRegistry(dataDir);
  }

  /** Who `presented` is, or null. Every known hash is compared (no early exit). */
  verify(presented: string): AdminPrincipal | null {
    return this.verifyHash(tokenHash(presented));
  }

  /** Who the token with this sha256 is, or null: the console keeps a session's hash, never its token. */
  verifyHash(hash: string): AdminPrincipal | null {
    let found: AdminPrincipal | null = null;
    if (constantTimeEqual(hash, this.bootstrap.sha256)) found = { id: this.bootstrap.id, role: 'operate' };
    for (const token of this.current()) {
      if (constantTimeEqual(hash, token.sha256) && token.revoked === null && found === null) found = { id: token.id, role: token.role };
    }
    return found;
  }

  private current(): readonly AdminTokenRecord[] {
    let stamp: string;
    try {
      const s = statSync(this.registry.path);
      stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      stamp = 'none';
    }
    if (stamp !== this.stamp) {
      // A file that cannot be read keeps the last good list rather than locking everyone out.
      try {
        this.issued = this.registry.list().filter((t) => ADMIN_ROLES.includes(t.role) && typeof t.sha256 === 'string');
        this.stamp = stamp;
      } catch {
        /* retried on the next request */
      }
    }
    return this.issued;
  }
}
