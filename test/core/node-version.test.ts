/**
 * The Node versions Switchboard supports: package.json `engines`, the README, and the Node
 * the tests run on agree. The floor comes from cookie@2 (fastify's inject(), through
 * light-my-request): an ES module loaded with require(), which Node does by default from
 * 20.19 and 22.12 on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUPPORTED = '^20.19.0 || >=22.12.0';

function supported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
}

test('package.json, its lock file and the README state the same supported Node versions', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node: string } }> };
  assert.equal(pkg.engines.node, SUPPORTED);
  assert.equal(lock.packages['']?.engines?.node, SUPPORTED);
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /Needs Node 20\.19 or later \(or 22\.12 or later; package\.json `engines`\)/);
  for (const [version, ok] of [['v20.11.0', false], ['v20.19.0', true], ['v21.7.3', false], ['v22.11.0', false], ['v22.12.0', true], ['v24.1.0', true]] as const) {
    assert.equal(supported(version), ok, version);
  }
});

test('the Node running the tests is a supported one, and fastify inject() (cookie@2, loaded with require) works on it', async () => {
  assert.ok(supported(process.version), `Node ${process.version} is outside ${SUPPORTED}`);
  const app = Fastify();
  app.get('/', async (request) => ({ cookie: request.headers.cookie }));
  const response = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b' } });
  assert.deepEqual(response.json(), { cookie: 'session=a%20b' });
  await app.close();
});
