/**
 * The fake Zendesk's single-ticket endpoints (Tickets API,
 * https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/):
 *
 * - `GET /api/v2/tickets?external_id=` (List Tickets: one external_id, which is not unique, so
 *   a list), `/tickets/{id}`, `/tickets/show_many?ids=` (ids only, at most 100);
 * - `POST /api/v2/tickets` (201, Location) with Idempotency-Key
 *   (https://developer.zendesk.com/api-reference/ticketing/introduction/#idempotency): the same
 *   key and body answer the first response again with `x-idempotency-lookup: hit` and make
 *   nothing; the same key with another body is refused with 400 `IdempotentRequestError`;
 *   keys live 2 hours; no 409 is documented, so the fake never answers one [docs leave open
 *   what a second request gets while the first is still in progress, and whether a failed
 *   first answer (422) is kept for the key like a success: here it is];
 * - `PUT /api/v2/tickets/{id}`; `DELETE /api/v2/tickets/{id}` (204; 404 RecordNotFound);
 * - List Tickets' own limit (Rate limits page, "List Tickets limits"; headers from
 *   https://developer.zendesk.com/documentation/api-basics/best-practices/best-practices-for-avoiding-rate-limiting):
 *   `GET /tickets` answers `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset` and
 *   `zendesk-ratelimit-tickets-index: total=100; remaining=99; resets=41`, and past
 *   `ticketsIndexPerMinute` a 429 with Retry-After [docs leave open the exact budget: the
 *   documented header example says total=100, so 100 a minute is the default here].
 */
import { header, type Exchange } from './exchange.js';
import { isFailure, ticketJson, type FakeTicket, type TicketStore } from './store.js';

const IDEMPOTENCY_TTL_MS = 2 * 60 * 60 * 1000;

/** The account-wide per-minute limit, as index.ts counts it. */
export interface AccountLimit {
  readonly limit: number;
  /** Requests counted in the current minute. */
  used(): number;
}

export class TicketRoutes {
  private readonly idempotency = new Map<string, { fingerprint: string; status: number; body: unknown; location: string; at: number }>();
  private ticketsIndex = { start: Date.now(), used: 0 };

  constructor(
    private readonly store: TicketStore,
    private readonly ticketsIndexLimit: number,
    private readonly account: AccountLimit,
    private readonly baseUrl: () => string,
  ) {}

  /** Forgets Idempotency-Keys and List Tickets' budget. */
  reset(): void {
    this.idempotency.clear();
    this.ticketsIndex = { start: Date.now(), used: 0 };
  }

  /** The endpoints above; false for any other request. */
  handle(ex: Exchange): boolean {
    const { method, path, url, input } = ex;
    const { store } = this;
    const baseUrl = this.baseUrl();
    const ticketPath = /^\/api\/v2\/tickets\/(\d+)$/.exec(path);

    if (method === 'GET' && path === '/api/v2/tickets') {
      // List Tickets' own budget, on top of the account's (see the header of this file).
      if (Date.now() - this.ticketsIndex.start >= 60_000) this.ticketsIndex = { start: Date.now(), used: 0 };
      this.ticketsIndex.used += 1;
      const resets = Math.max(1, Math.ceil((this.ticketsIndex.start + 60_000 - Date.now()) / 1000));
      const remaining = Math.max(0, this.ticketsIndexLimit - this.ticketsIndex.used);
      const limit = this.account.limit;
      const indexHeaders = {
        'ratelimit-limit': String(limit),
        'ratelimit-remaining': String(Math.max(0, limit - this.account.used())),
        'ratelimit-reset': String(resets),
        'zendesk-ratelimit-tickets-index': `total=${this.ticketsIndexLimit}; remaining=${remaining}; resets=${resets}`,
      };
      if (this.ticketsIndex.used > this.ticketsIndexLimit) {
        return ex.send(429, { error: 'APIRateLimitExceeded', description: 'Number of allowed List Tickets requests per minute exceeded' }, { ...indexHeaders, 'retry-after': String(resets) });
      }
      const externalId = url.searchParams.get('external_id');
      const list = externalId === null ? [...store.tickets.values()] : store.byExternalId(externalId);
      return ex.send(200, { tickets: list.map((t) => ticketJson(t, baseUrl)), next_page: null, previous_page: null, count: list.length }, indexHeaders);
    }
    if (method === 'GET' && path === '/api/v2/tickets/show_many') {
      const ids = (url.searchParams.get('ids') ?? '').split(',').filter((s) => s !== '').map(Number);
      if (ids.length > 100) return ex.send(400, { error: 'InvalidValue', description: 'Too many ids (at most 100)' });
      const list = ids.map((id) => store.tickets.get(id)).filter((t): t is FakeTicket => t !== undefined);
      return ex.send(200, { tickets: list.map((t) => ticketJson(t, baseUrl)), next_page: null, previous_page: null, count: list.length });
    }
    if (method === 'GET' && ticketPath !== null) {
      const ticket = store.tickets.get(Number(ticketPath[1]));
      return ticket === undefined ? ex.notFound() : ex.send(200, { ticket: ticketJson(ticket, baseUrl) });
    }
    if (method === 'POST' && path === '/api/v2/tickets') {
      const key = header(ex.req, 'idempotency-key');
      const fingerprint = ex.raw;
      if (key !== undefined) {
        if (key.length > 255) return ex.send(400, { error: 'InvalidValue', description: 'Idempotency-Key is longer than 255 characters' });
        const seen = this.idempotency.get(key);
        if (seen !== undefined && Date.now() - seen.at < IDEMPOTENCY_TTL_MS) {
          if (seen.fingerprint !== fingerprint) {
            // 400 IdempotentRequestError (Tickets introduction › Idempotency) [docs leave open the
            // description text and whether x-idempotency-lookup is sent with it].
            return ex.send(400, { error: 'IdempotentRequestError', description: 'This Idempotency-Key was already used with a different request body' }, { 'x-idempotency-lookup': 'hit' });
          }
          return ex.send(seen.status, seen.body, { 'x-idempotency-lookup': 'hit', ...(seen.location === '' ? {} : { location: seen.location }) });
        }
      }
      const created = store.create((input.ticket ?? {}) as Record<string, unknown>);
      const [status, payload, location] = isFailure(created)
        ? [422, created, '']
        : [201, { ticket: ticketJson(created, baseUrl), audit: { ticket_id: created.id, events: [] } }, `${baseUrl}/api/v2/tickets/${created.id}.json`];
      if (key !== undefined) this.idempotency.set(key, { fingerprint, status, body: payload, location, at: Date.now() });
      return ex.send(status, payload, { ...(location === '' ? {} : { location }), ...(key === undefined ? {} : { 'x-idempotency-lookup': 'miss' }) });
    }
    if (method === 'PUT' && ticketPath !== null) {
      const updated = store.update(Number(ticketPath[1]), (input.ticket ?? {}) as Record<string, unknown>);
      if (updated === 'not_found') return ex.notFound();
      if (isFailure(updated)) return ex.send(422, updated);
      return ex.send(200, { ticket: ticketJson(updated, baseUrl), audit: { ticket_id: updated.id, events: [] } });
    }
    if (method === 'DELETE' && ticketPath !== null) {
      return store.delete(Number(ticketPath[1])) ? ex.send(204, null) : ex.notFound();
    }
    return false;
  }
}
