/**
 * A local stand-in for 8x8's public-key endpoint
 * (GET /chat-gateway/v1/jwk/{kid}/public → one RSA JWK; 404 for an unknown kid).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface JwkServer {
  /** URL template for families.contactCenter.jwkUrls. */
  urlTemplate: string;
  /** Requests served, by kid. */
  hits: Map<string, number>;
  /** Answer 503 to everything while true. */
  down: boolean;
  addKey(kid: string): Promise<{ privateKey: CryptoKeyLike; kid: string }>;
  close(): Promise<void>;
}

type CryptoKeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export async function startJwkServer(): Promise<JwkServer> {
  const keys = new Map<string, JWK>();
  const hits = new Map<string, number>();
  const state = { down: false };
  const server: Server = createServer((request, response) => {
    const match = /^\/chat-gateway\/v1\/jwk\/([^/]+)\/public$/.exec(request.url ?? '');
    const kid = decodeURIComponent(match?.[1] ?? '');
    hits.set(kid, (hits.get(kid) ?? 0) + 1);
    if (state.down) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"unavailable"}');
      return;
    }
    const key = keys.get(kid);
    if (match === null || key === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"status":404,"message":"Key not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(key));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/chat-gateway/v1/jwk/{kid}/public`,
    hits,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    async addKey(kid) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      keys.set(kid, { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
      return { privateKey, kid };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
