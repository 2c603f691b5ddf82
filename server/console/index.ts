/**
 * The web console on the operator listener (README › Observability › Console): what
 * ../admin-app.ts needs to mount it.
 * - {@link consoleAuth}: the sessions, the guard's browser gate, and a verifier that also
 *   knows the sessions' in-process bearers (the console calls the JSON routes with them);
 * - {@link consoleRoutes}: the pages, registered with `{ prefix: CONSOLE_PREFIX }`.
 */
import type { FastifyInstance } from 'fastify';
import type { BrowserGate } from '../admin/guard.js';
import type { AdminPrincipal } from '../admin-tokens.js';
import { consoleGate } from './gate.js';
import { ConsoleSessions, type HashVerifier } from './sessions.js';

export { consoleRoutes, type ConsoleRoutesOptions } from './routes.js';
export { CONSOLE_PREFIX } from './layout.js';
export type { ConsoleSettings } from './context.js';

export interface ConsoleAuth {
  sessions: ConsoleSessions;
  gate: BrowserGate;
  /** Operator tokens, then the console sessions' in-process bearers. */
  verifier: { verify(presented: string): AdminPrincipal | null };
}

/** Sessions and the guard's hooks for the console; decorates `app`'s requests with `consoleSession`. */
export function consoleAuth(app: FastifyInstance, tokens: HashVerifier & { verify(presented: string): AdminPrincipal | null }): ConsoleAuth {
  app.decorateRequest('consoleSession', null);
  const sessions = new ConsoleSessions(tokens);
  return {
    sessions,
    gate: consoleGate(sessions),
    verifier: { verify: (presented) => sessions.principalOfBearer(presented) ?? tokens.verify(presented) },
  };
}
