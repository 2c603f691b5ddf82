/**
 * How the CLI authenticates to the operator API: `Authorization: Bearer` with
 * SWITCHBOARD_ADMIN_TOKEN when set, else the token `serve` generated into the data dir
 * (`<spool.dir>/../admin-token`), so that `switchboard sql`, `replay`, `build`, `test`,
 * `sync`, `pull` and `status` need no setup on the machine that runs `serve`.
 *
 * Every request also says which config the CLI read (its fingerprint, core/config.ts), and
 * every answer which one the server runs: a server started before the file changed refuses
 * to run anything for a CLI that read the new file, and the CLI says to restart serve
 * ({@link configMismatch}).
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { ADMIN_TOKEN_ENV, adminDataDir, bootstrapTokenPath, clientToken } from '../server/admin-tokens.js';
import { CONFIG_HEADER, CONFIG_SOURCE_HEADER, short } from '../server/admin/guard.js';

/** Headers for an operator API request: the bearer token (when one is known), the config's fingerprint and, for a body, its type. */
export function adminHeaders(config: Config, withBody: boolean, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string> {
  const token = clientToken(adminDataDir(config, cwd), env);
  return {
    ...(withBody ? { 'content-type': 'application/json' } : {}),
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    [CONFIG_HEADER]: config.fingerprint,
  };
}

/**
 * SB_CLI_CONFIG_MISMATCH when the server that answered runs another config than the one
 * this command read (e.g. syncs were added to the file after serve started), else null.
 * Servers that send no fingerprint (older ones) are taken at their word.
 * @example const mismatch = configMismatch(config, base, response); if (mismatch !== null) throw mismatch;
 */
export function configMismatch(config: Config, base: string, response: Response): SwitchboardError | null {
  const theirs = response.headers.get(CONFIG_HEADER);
  if (theirs === null || theirs === config.fingerprint) return null;
  const encoded = response.headers.get(CONFIG_SOURCE_HEADER);
  const serverSource = encoded === null ? 'its config' : safeDecode(encoded);
  const mine = config.source ?? 'built-in defaults';
  const what = serverSource === mine ? `${mine} has changed since serve started` : 'they are different configs';
  return new SwitchboardError(
    'SB_CLI_CONFIG_MISMATCH',
    `The server at ${base} runs another config than this command read: serve loaded ${serverSource} when it started (fingerprint ${short(theirs)}), ` +
      `this command read ${mine} (fingerprint ${short(config.fingerprint)}); ${what}. ` +
      'Restart serve to load the new config (systemctl restart switchboard / Ctrl-C and serve again), or run this command with the config serve runs (--config).',
    { configKey: '(config file)' },
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The error for a refused operator API call. A 401 says where the CLI looked for the token;
 * others carry the server's own code and message.
 */
export function adminRefusal(config: Config, status: number, body: { error?: { code: string; message: string } }, fallback: string, cwd = process.cwd()): SwitchboardError {
  if (status === 401) {
    return new SwitchboardError(
      'SB_CLI_ADMIN_UNAUTHORIZED',
      `The operator API refused the token (${body.error?.code ?? 'HTTP 401'}). Set ${ADMIN_TOKEN_ENV} to the token serve uses, or run the CLI where it can read ${bootstrapTokenPath(adminDataDir(config, cwd))} (same config and working directory as serve), or issue one with switchboard admin-token create.`,
    );
  }
  if (body.error?.code === 'SB_ADMIN_CONFIG_MISMATCH') {
    return new SwitchboardError(
      'SB_CLI_CONFIG_MISMATCH',
      `${body.error.message} This command read ${config.source ?? 'built-in defaults'}. Restart serve to load the new config (systemctl restart switchboard / Ctrl-C and serve again), or run this command with the config serve runs (--config).`,
      { configKey: '(config file)' },
    );
  }
  return new SwitchboardError(body.error?.code ?? 'SB_CLI_ADMIN', body.error?.message ?? fallback);
}

/**
 * POSTs `request` to an operator API route that answers NDJSON (`/build`, `/test`, `/sync`,
 * `/pull`) and returns its values one by one, blank keep-alive lines skipped. Null when
 * nothing listens at `base`: then no server holds the warehouse, and the CLI may open it.
 * @throws {@link adminRefusal} when the server answers with an error status
 * @example for await (const value of (await postForNdjson(config, base, '/pull', request)) ?? []) …
 */
export async function postForNdjson(config: Config, base: string, path: string, request: unknown, headers: Record<string, string> = {}): Promise<AsyncGenerator<unknown> | null> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { method: 'POST', headers: { ...adminHeaders(config, true), ...headers }, body: JSON.stringify(request) });
  } catch {
    return null;
  }
  const mismatch = configMismatch(config, base, response);
  if (mismatch !== null) {
    await response.body?.cancel();
    throw mismatch;
  }
  if (!response.ok || response.body === null) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    throw adminRefusal(config, response.status, body, `HTTP ${response.status} from ${base}${path}`);
  }
  process.stderr.write(`Running in the server at ${base} (it holds the warehouse).\n`);
  return ndjsonValues(response.body);
}

/**
 * GETs a JSON answer from the operator API, with its status (a 404 is an answer, not an
 * error). Null when nothing listens at `base`: then the CLI may open the warehouse itself.
 * @throws {@link adminRefusal} for other error statuses
 * @example const answer = await getAdminJson(config, base, '/dlq?source=sync'); if (answer === null) …direct…
 */
export async function getAdminJson(config: Config, base: string, path: string): Promise<{ status: number; body: unknown } | null> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { headers: adminHeaders(config, false) });
  } catch {
    return null;
  }
  // Reads answer whatever config the server runs: the data is the same (no config check here).
  const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok && response.status !== 404) throw adminRefusal(config, response.status, body, `HTTP ${response.status} from ${base}${path}`);
  return { status: response.status, body };
}

async function* ndjsonValues(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const lines = createInterface({ input: Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue; // keep-alive
    yield JSON.parse(text) as unknown;
  }
}
