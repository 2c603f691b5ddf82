/** A request to the operator API of a harness, as an operator would send it. */
import type { Harness } from '../helpers/harness.js';

export interface AdminRequest {
  method: 'GET' | 'POST';
  url: string;
  payload?: unknown;
}

export async function adminRequest(h: Harness, request: AdminRequest): Promise<{ statusCode: number; body: string; json(): unknown }> {
  const response = await h.server.admin.inject({
    method: request.method,
    url: request.url,
    ...(request.payload === undefined ? {} : { payload: request.payload as Record<string, unknown> }),
  });
  return { statusCode: response.statusCode, body: response.body, json: () => JSON.parse(response.body) as unknown };
}
