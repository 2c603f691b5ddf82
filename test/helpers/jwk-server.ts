/**
 * A local stand-in for 8x8's public-key endpoints, each answering one RSA JWK by kid (404 for
 * an unknown kid):
 * - Chat Gateway: GET /chat-gateway/v1/jwk/{kid}/public
 * - legacy Chat API v2: GET /vcc/{region}/chat/v2/jwk/{kid}/public
 *   (docs/actions-events/docs/validating-webhook-events.md in 8x8Cloud/public-developer-docs)
 * A key is published on one of them only, as 8x8 does: a legacy key is not on the gateway.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** Where a key is published: the Chat Gateway, or the legacy Chat API in a region. */
export type KeyHome = 'gateway' | { legacyRegion: string };

export interface JwkServer {
  /** URL template of the Chat Gateway path, for families.contactCenter.jwkUrls. */
  urlTemplate: string;
  /** `http://127.0.0.1:<port>`: stands in for https://api.8x8.com. */
  origin: string;
  /** URL template of the legacy Chat API path in `region`. */
  legacyUrlTemplate(region: string): string;
  /** Requests served, by kid. */
  hits: Map<string, number>;
  /** Answer 503 to everything while true. */
  down: boolean;
  /** A new RSA key published under `kid`, on the gateway unless `home` says otherwise. */
  addKey(kid: string, home?: KeyHome): Promise<{ privateKey: CryptoKeyLike; kid: string }>;
  close(): Promise<void>;
}

type CryptoKeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export async function startJwkServer(): Promise<JwkServer> {
  /** Keys by path prefix ('gateway' or 'legacy:<region>'), then kid. */
  const keys = new Map<string, JWK>();
  const hits = new Map<string, number>();
  const state = { down: false };
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '';
    const gateway = /^\/chat-gateway\/v1\/jwk\/([^/]+)\/public$/.exec(url);
    const legacy = /^\/vcc\/([a-z]+)\/chat\/v2\/jwk\/([^/]+)\/public$/.exec(url);
    const home = gateway !== null ? 'gateway' : legacy !== null ? `legacy:${legacy[1]}` : null;
    const kid = decodeURIComponent(gateway?.[1] ?? legacy?.[2] ?? '');
    hits.set(kid, (hits.get(kid) ?? 0) + 1);
    if (state.down) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"unavailable"}');
      return;
    }
    const key = home === null ? undefined : keys.get(`${home}/${kid}`);
    if (key === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"status":404,"message":"Key not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(key));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    urlTemplate: `${origin}/chat-gateway/v1/jwk/{kid}/public`,
    origin,
    legacyUrlTemplate: (region) => `${origin}/vcc/${region}/chat/v2/jwk/{kid}/public`,
    hits,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    async addKey(kid, home = 'gateway') {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const prefix = home === 'gateway' ? 'gateway' : `legacy:${home.legacyRegion}`;
      keys.set(`${prefix}/${kid}`, { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
      return { privateKey, kid };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
