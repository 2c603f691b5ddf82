/**
 * How the CLI authenticates to the operator API: `Authorization: Bearer` with
 * SWITCHBOARD_ADMIN_TOKEN when set, else the token `serve` generated into the data dir
 * (`<spool.dir>/../admin-token`), so that `switchboard sql`, `replay`, `build`, `test`,
 * `sync`, `pull` and `status` need no setup on the machine that runs `serve`.
 */
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { ADMIN_TOKEN_ENV, adminDataDir, bootstrapTokenPath, clientToken } from '../ingest/admin-tokens.js';

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
