/**
 * How the CLI authenticates to the operator API: `Authorization: Bearer` with
 * SWITCHBOARD_ADMIN_TOKEN when set, else the token `serve` generated into the data dir
 * (`<spool.dir>/../admin-token`), so that `switchboard sql`, `replay`, `build`, `test`,
 * `sync`, `pull` and `status` need no setup on the machine that runs `serve`.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { ADMIN_TOKEN_ENV, adminDataDir, bootstrapTokenPath, clientToken } from '../server/admin-tokens.js';

/** Headers for an operator API request: the bearer token (when one is known) and, for a body, its type. */
export function adminHeaders(config: Config, withBody: boolean, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string> {
  const token = clientToken(adminDataDir(config, cwd), env);
  return {
    ...(withBody ? { 'content-type': 'application/json' } : {}),
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
  };
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
  return new SwitchboardError(body.error?.code ?? 'SB_CLI_ADMIN', body.error?.message ?? fallback);
}

/**
 * POSTs `request` to an operator API route that answers NDJSON (`/build`, `/test`, `/sync`,
 * `/pull`) and returns its values one by one, blank keep-alive lines skipped. Null when
 * nothing listens at `base`: then no server holds the warehouse, and the CLI may open it.
 * @throws {@link adminRefusal} when the server answers with an error status
 * @example for await (const value of (await postForNdjson(config, base, '/pull', request)) ?? []) …
 */
export async function postForNdjson(config: Config, base: string, path: string, request: unknown): Promise<AsyncGenerator<unknown> | null> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { method: 'POST', headers: adminHeaders(config, true), body: JSON.stringify(request) });
  } catch {
    return null;
  }
  if (!response.ok || response.body === null) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    throw adminRefusal(config, response.status, body, `HTTP ${response.status} from ${base}${path}`);
  }
  process.stderr.write(`Running in the server at ${base} (it holds the warehouse).\n`);
  return ndjsonValues(response.body);
}

async function* ndjsonValues(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const lines = createInterface({ input: Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue; // keep-alive
    yield JSON.parse(text) as unknown;
  }
}
