/**
 * The console's routes, registered under /console on the operator API (../admin-app.ts):
 *
 *   GET  /console/                    overview (?window=1h|24h|7d|30d)
 *   GET  /console/landing             landing by family (?family=&window=)
 *   GET  /console/dead-letters        dead letters (?source=&pipeline=)
 *   GET  /console/dead-letters/entry  one dead letter (?id=)
 *   POST /console/dead-letters/replay replay entries (id=…, repeated; trust=vouched) role operate
 *   GET  /console/models              model runs
 *   GET  /console/syncs               syncs
 *   POST /console/syncs/preview       a sync's dry run (sync=…)                 role operate
 *   GET  /console/pulls               pulls
 *   GET  /console/reconciliation      reconciliation
 *   GET  /console/drift               schema drift
 *   GET  /console/alerts              alerts
 *   GET  /console/login, POST /console/login, POST /console/logout
 *   GET  /console/assets/:name        uPlot and the console's own CSS and JS
 *
 * The guard (../admin/guard.ts with gate.ts) has already checked the Host and the session;
 * here every POST is checked for its Origin, actions for the operate role, and every answer
 * gets the security headers (a CSP allowing this origin only).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OperatorApi } from './api.js';
import { assetRoutes, loadAssets } from './assets.js';
import { field, mayOperate, param, type ConsoleServices, type PageContext } from './context.js';
import { deadLetter, listDeadLetters, replay } from './dead-letters.js';
import { clearedCookie, safeNext, sameOrigin, securityHeaders, sessionCookie, sessionIdOf } from './gate.js';
import { html, type Html } from './html.js';
import { CONSOLE_PREFIX, emptyState, notice, page } from './layout.js';
import type { ConsoleSessions } from './sessions.js';
import { alertsData, renderAlerts } from './pages/alerts.js';
import { renderDeadLetter, renderDeadLetters } from './pages/dead-letters.js';
import { driftData, renderDrift } from './pages/drift.js';
import { landingData, renderLanding } from './pages/landing.js';
import { loginPage } from './pages/login.js';
import { modelsData, renderModels } from './pages/models.js';
import { overviewData, renderOverview } from './pages/overview.js';
import { pullsData, renderPulls } from './pages/pulls.js';
import { reconciliationData, renderReconciliation } from './pages/reconciliation.js';
import { previewSync, renderSyncs, syncsData } from './pages/syncs.js';
import { isWindowName } from './reads/window.js';

export interface ConsoleRoutesOptions extends ConsoleServices {
  sessions: ConsoleSessions;
  /** The operator API's root instance: the console calls its routes in-process. */
  root: FastifyInstance;
}

/** Form posts are small: a token, a few ids. */
const FORM_LIMIT = 64 * 1024;

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const assets = loadAssets();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) => {
    const form: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const seen = form[key];
      form[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, form);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    securityHeaders(reply);
    if (!request.url.startsWith(`${CONSOLE_PREFIX}/assets/`)) void reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || sameOrigin(request)) return undefined;
    request.adminOutcome = 'SB_CONSOLE_ORIGIN_REFUSED';
    return sendPage(reply, 403, errorPage(request, 'Refused', 'SB_CONSOLE_ORIGIN_REFUSED: this form did not come from a console page (its Origin is not this server). Reload the page and try again.'));
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console page failed');
    request.adminOutcome = status < 500 ? 'SB_ADMIN_BAD_REQUEST' : 'SB_ADMIN_INTERNAL';
    return sendPage(reply, status, errorPage(request, status < 500 ? 'Bad request' : 'Something went wrong', status < 500 ? error.message : 'The page could not be read (SB_ADMIN_INTERNAL); the server log has the details.'));
  });
  app.setNotFoundHandler(async (request, reply) => sendPage(reply, 404, errorPage(request, 'Not found', 'There is no such console page.')));

  assetRoutes(app, assets);

  const context = (request: FastifyRequest): PageContext => {
    const session = request.consoleSession;
    if (session === null) throw new Error('console page without a session (the gate lets none through)');
    const at = options.now();
    return { ...options, request, principal: session.principal, api: new OperatorApi(options.root, request, session.bearer), at };
  };
  const windowOf = (request: FastifyRequest) => {
    const name = param(request, 'window');
    return isWindowName(name) ? name : '24h';
  };

  app.get('/login', async (request, reply) => sendPage(reply, 200, loginPage({ next: nextOf(param(request, 'next')), reason: param(request, 'reason') })));
  app.post('/login', async (request, reply) => {
    const [token] = field(request.body, 'token');
    const next = safeNext(field(request.body, 'next')[0]);
    const session = token === undefined ? null : options.sessions.open(token);
    if (session === null) {
      request.adminOutcome = 'SB_ADMIN_UNAUTHORIZED';
      return sendPage(reply, 401, loginPage({ next: nextOf(next), error: 'That token is unknown or revoked (SB_ADMIN_UNAUTHORIZED). Check for a missing character, or issue one with switchboard admin-token create.' }));
    }
    options.sessions.close(sessionIdOf(request)); // a session the browser had ends: a sign-in always gets a fresh id
    request.adminPrincipal = session.principal; // the audit row names who signed in
    return reply.code(303).header('set-cookie', sessionCookie(request, session.id)).header('location', next).send();
  });
  app.post('/logout', async (request, reply) => {
    options.sessions.close(sessionIdOf(request));
    return reply.code(303).header('set-cookie', clearedCookie(request)).header('location', `${CONSOLE_PREFIX}/login?reason=signedout`).send();
  });

  app.get('/', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderOverview(await overviewData(ctx, windowOf(request)), ctx));
  });
  app.get('/landing', async (request, reply) => {
    const ctx = context(request);
    const data = await landingData(ctx, param(request, 'family'), windowOf(request));
    if (data === null) return sendPage(reply, 404, errorPage(request, 'Not found', 'No such family is served here.'));
    return sendPage(reply, 200, renderLanding(data, ctx));
  });
  app.get('/dead-letters', async (request, reply) => {
    const ctx = context(request);
    const filter = { source: param(request, 'source'), pipeline: param(request, 'pipeline') };
    const { entries, error } = await listDeadLetters(ctx, filter);
    return sendPage(reply, 200, renderDeadLetters({ at: ctx.at, entries, filter, error }, ctx));
  });
  app.get('/dead-letters/entry', async (request, reply) => {
    const ctx = context(request);
    const id = param(request, 'id');
    const found = id === undefined ? null : await deadLetter(ctx, id);
    if (found === null) return sendPage(reply, 404, errorPage(request, 'Not found', 'No such dead letter (replayed already, or never there).'));
    return sendPage(reply, 200, renderDeadLetter(ctx.at, found, ctx));
  });
  app.post('/dead-letters/replay', async (request, reply) => {
    const ctx = context(request);
    if (!mayOperate(ctx)) return forbidden(request, reply, 'Replaying dead letters');
    const ids = field(request.body, 'id').slice(0, 10_000);
    // Trust only when the operator ticked the box that vouches for it (pages/dead-letters.ts).
    const trust = field(request.body, 'trust')[0] === 'vouched';
    const [only] = ids.length === 1 && field(request.body, 'back')[0] === 'entry' ? ids : [];
    const before = only === undefined ? null : await deadLetter(ctx, only);
    const replayed = ids.length === 0 ? { results: [], error: 'No entry was chosen.' } : await replay(ctx, ids, trust);
    if (only !== undefined && before !== null) {
      // Back to the entry: as it is now, or as it was when the replay took it out of the dead letters.
      const after = await deadLetter(ctx, only);
      return sendPage(reply, 200, renderDeadLetter(ctx.at, after ?? before, ctx, replayed, after === null));
    }
    const { entries, error } = await listDeadLetters(ctx, {});
    return sendPage(reply, 200, renderDeadLetters({ at: ctx.at, entries, filter: {}, replayed, error }, ctx));
  });
  app.get('/models', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderModels(await modelsData(ctx), ctx));
  });
  app.get('/syncs', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderSyncs(await syncsData(ctx), ctx));
  });
  app.post('/syncs/preview', async (request, reply) => {
    const ctx = context(request);
    if (!mayOperate(ctx)) return forbidden(request, reply, 'A dry-run preview');
    const [name] = field(request.body, 'sync');
    const data = await syncsData(ctx);
    const preview = name === undefined ? { sync: '?', error: 'No sync was chosen.', planned: {}, samples: [] } : await previewSync(ctx, name);
    return sendPage(reply, 200, renderSyncs({ ...data, preview }, ctx));
  });
  app.get('/pulls', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderPulls(await pullsData(ctx), ctx));
  });
  app.get('/reconciliation', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderReconciliation(await reconciliationData(ctx), ctx));
  });
  app.get('/drift', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderDrift(await driftData(ctx), ctx));
  });
  app.get('/alerts', async (request, reply) => {
    const ctx = context(request);
    return sendPage(reply, 200, renderAlerts(await alertsData(ctx), ctx));
  });
}

function sendPage(reply: FastifyReply, status: number, body: Html): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.text);
}

/** A console path to return to after sign-in, or undefined for the overview. */
function nextOf(next: string | undefined): string | undefined {
  const safe = safeNext(next);
  return safe === `${CONSOLE_PREFIX}/` ? undefined : safe;
}

function forbidden(request: FastifyRequest, reply: FastifyReply, what: string): FastifyReply {
  request.adminOutcome = 'SB_ADMIN_FORBIDDEN';
  const role = request.consoleSession?.principal;
  return sendPage(reply, 403, errorPage(request, 'Not allowed', `${what} needs a token with role operate; token ${role?.id ?? '?'} has role ${role?.role ?? '?'} (SB_ADMIN_FORBIDDEN). Sign in with an operate token: switchboard admin-token create --role operate.`));
}

/** An error as a console page (with the navigation when signed in). */
function errorPage(request: FastifyRequest, title: string, message: string): Html {
  const principal = request.consoleSession?.principal ?? null;
  const body = html`${notice('error', message)}${principal === null ? html`<p><a href="${CONSOLE_PREFIX}/login">Sign in</a></p>` : emptyState(html`<a href="${CONSOLE_PREFIX}/">Back to the overview</a>`)}`;
  return page({ title, current: null, principal, body });
}
