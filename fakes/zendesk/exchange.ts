/**
 * One request to the fake Zendesk as its route modules (tickets.ts, bulk.ts, jobs.ts) see it,
 * after index.ts has checked auth, the account rate limit and scripted faults and parsed the
 * JSON body; and the small HTTP helpers they share.
 */
import type { IncomingMessage } from 'node:http';

export interface Exchange {
  req: IncomingMessage;
  method: string;
  /** Without `.json` and the query, e.g. `/api/v2/tickets/create_many`. */
  path: string;
  url: URL;
  /** The body as sent ('' when none). */
  raw: string;
  /** The parsed JSON body, `{}` when none. */
  input: Record<string, unknown>;
  /** Answers the request (JSON, text for a string, no body for null); always true, so a route can `return ex.send(…)`. */
  send(status: number, payload: unknown, headers?: Record<string, string>): true;
  /** 404 `RecordNotFound`. */
  notFound(): true;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
