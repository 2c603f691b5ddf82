/**
 * Driving the web console through `inject()` as a browser would: a form post to sign in, the
 * session cookie on every request after, the page's own Origin on every POST.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from './harness.js';

/** The Host and Origin inject() requests carry (inject's default host). */
export const CONSOLE_HOST = 'localhost:80';
export const CONSOLE_ORIGIN = `http://${CONSOLE_HOST}`;

export function form(fields: Record<string, string | readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of typeof value === 'string' ? [value] : value) search.append(key, v);
  return search.toString();
}

/** POSTs a form to the console; `headers` may replace the Origin (or drop it with `origin: undefined`). */
export function postForm(h: Harness, url: string, fields: Record<string, string | readonly string[]>, cookie?: string, headers: Record<string, string | undefined> = {}): Promise<LightMyRequestResponse> {
  const base: Record<string, string | undefined> = { host: CONSOLE_HOST, origin: CONSOLE_ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }), ...headers };
  const sent = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  return h.server.admin.inject({ method: 'POST', url, headers: sent, payload: form(fields) });
}

/** Signs in with `token` (default: the bootstrap token) and returns the `name=value` cookie to send. */
export async function signIn(h: Harness, token: string = h.adminToken): Promise<string> {
  const res = await postForm(h, '/console/login', { token });
  assert.equal(res.statusCode, 303, res.body);
  const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
  assert.match(cookie, /^sb_console_session=[A-Za-z0-9_-]{43}$/);
  return cookie;
}

export function getPage(h: Harness, url: string, cookie?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return h.server.admin.inject({ method: 'GET', url, headers: { host: CONSOLE_HOST, ...(cookie === undefined ? {} : { cookie }), ...headers } });
}

/** The parsed JSON data block of chart `id` on a page. */
export function chartData(body: string, id: string): { unit: string; x: number[]; series: Array<{ label: string; values: Array<number | null> }> } {
  const match = new RegExp(`<script type="application/json" id="${id}-data">([^<]*)</script>`).exec(body);
  assert.ok(match !== null, `chart ${id} is on the page`);
  return JSON.parse(match[1] as string) as ReturnType<typeof chartData>;
}
