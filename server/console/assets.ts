/**
 * The console's static files, served from the package (no CDN, no build step): uPlot's
 * script and stylesheet from node_modules/uplot/dist, and the console's own from
 * server/console/assets/. Each is read once, at start, and answered with its content type,
 * an ETag (a 304 when the browser has it) and a day of caching. Public: the login page
 * needs them before anyone signs in, and they hold nothing secret.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** server/console/assets/ in the package (this file runs from dist/server/console/). */
const OWN = fileURLToPath(new URL('../../../server/console/assets/', import.meta.url));

/** The URL name of each asset and where it comes from. */
function sources(): Record<string, { path: string; type: string }> {
  const require = createRequire(import.meta.url);
  return {
    'uplot.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
    'uplot.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
    'console.js': { path: `${OWN}console.js`, type: 'text/javascript; charset=utf-8' },
    'console.css': { path: `${OWN}console.css`, type: 'text/css; charset=utf-8' },
  };
}

export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, { path, type }] of Object.entries(sources())) {
    const body = readFileSync(path);
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return assets;
}

/** GET /assets/:name (under the console's prefix). */
export function assetRoutes(app: FastifyInstance, assets: ReadonlyMap<string, Asset>): void {
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('No such console asset.');
    void reply.header('etag', asset.etag).header('cache-control', 'public, max-age=86400');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });
}
