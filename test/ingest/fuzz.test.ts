/**
 * Fuzzing the landing routes: thousands of malformed bodies and headers, through inject()
 * and over raw sockets. The server must answer every one with a 4xx (never 2xx, never 500),
 * stay up, land nothing in the raw tables, and record the refusals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

/** A small deterministic PRNG (mulberry32) so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = ['/webhooks/8x8/messaging', '/webhooks/8x8/voice', '/webhooks/8x8/contact-center', '/webhooks/8x8/meetings'];

/** Inputs that once stopped landing for good or broke a warehouse (hardening issue, finding 1 and 7). */
const POISON_BODIES: ReadonlyArray<string | Buffer> = [
  Buffer.from('{"x":"\u0000"}', 'utf8'), // a raw NUL inside a string
  '{"idempotencyKey":"\\u0000","eventType":"\u0000"}', // escaped NUL (valid JSON, refused by jsonb)
  '{"eventType":"\ud800","idempotencyKey":"\udc00x"}', // unpaired surrogate escapes
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // CESU-8 surrogate: invalid UTF-8
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d]), // overlong NUL: invalid UTF-8
  Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
];

function fuzzBody(rand: () => number): string | Buffer {
  const pick = Math.floor(rand() * 13);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  switch (pick) {
    case 0: return bytes(Math.floor(rand() * 2000));
    case 1: return '{"eventType":"MESSAGE","data":{'.slice(0, Math.floor(rand() * 30));
    case 2: return '['.repeat(5000 + Math.floor(rand() * 50_000));
    case 3: return JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } }, eventType: 'X' });
    case 4: return `{"idempotencyKey":"${'\u0000\ud800'.repeat(10)}","n":1e999999}`;
    case 5: return '';
    case 6: return 'null';
    case 7: return `"${'a'.repeat(Math.floor(rand() * 10_000))}"`;
    case 8: return Buffer.concat([Buffer.from('{"a":"'), bytes(50), Buffer.from('"}')]);
    case 9: return JSON.stringify({ namespace: 'VOICE', eventType: 'SESSION_SUMMARY', payload: { sessionId: rand() } });
    case 10: return '\ufeff{"eventType":"PARTICIPANT_JOINED"}';
    case 11: return POISON_BODIES[Math.floor(rand() * POISON_BODIES.length)] as string | Buffer;
    default: return JSON.stringify({ nested: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) });
  }
}

function fuzzHeaders(rand: () => number): Record<string, string> {
  const headers: Record<string, string> = {};
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const choices: Array<() => void> = [
    () => (headers.authorization = ['Bearer ', 'Basic ', '', 'Bearer sbat.1.2.3'][Math.floor(rand() * 4)] + 'x'.repeat(Math.floor(rand() * 5000))),
    () => (headers['x-jaas-signature'] = `t=${Math.floor(rand() * 2e9)},v1=${b64('nope')}==,v1=,t=`),
    () => (headers['x-jaas-signature'] = ',,,==,t=,v1'),
    () => (headers['x-8x8-signature'] = `${b64(JSON.stringify({ alg: 'none', b64: false, crit: ['b64'], kid: 'k' }))}..`),
    () => (headers['x-8x8-signature'] = `${b64(JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'], kid: `../../${rand()}` }))}..${b64('sig')}`),
    () => (headers['x-8x8-signature'] = '...'.repeat(Math.floor(rand() * 100))),
    () => {
      headers['x-8x8-customer-id'] = 'c';
      headers['x-8x8-tenant-id'] = 't';
      headers['x-8x8-event-id'] = 'e'.repeat(Math.floor(rand() * 3000));
      headers['x-8x8-retry'] = ['0', '0', '0', '-1', '1e3', '99999999999999999999', 'x'][Math.floor(rand() * 7)] ?? '0';
      headers['x-8x8-transmission-time'] = rand() < 0.8 ? String(Date.now()) : String(rand());
      headers['x-8x8-signature'] = `${b64(JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'], kid: `kid-${Math.floor(rand() * 1e9)}` }))}..${b64('x')}`;
    },
    () => (headers['content-type'] = ['text/xml', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded'][Math.floor(rand() * 5)] ?? ''),
    () => (headers['x-forwarded-for'] = '52.220.117.120, 1.2.3.4'),
    () => (headers['content-encoding'] = 'gzip'),
    // Poisoned kids: unpaired surrogates and NUL (escaped in the JWS header's JSON), dots that move a URL path.
    () => {
      const kid = ['\ud800', '\ud800x', 'a\u0000b', '.', '..', '%2e%2e', '\udfff\ud800'][Math.floor(rand() * 7)] ?? '.';
      headers['x-8x8-customer-id'] = 'c';
      headers['x-8x8-tenant-id'] = 't';
      headers['x-8x8-event-id'] = `e${Math.floor(rand() * 1e9)}`;
      headers['x-8x8-retry'] = '0';
      headers['x-8x8-transmission-time'] = String(Date.now());
      headers['x-8x8-signature'] = `${b64(JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'], kid }))}..${b64('x')}`;
    },
    // Header values that are not UTF-8 (Node reads them as latin1).
    () => (headers.authorization = `Bearer \u00ff\u00fe\u0080${'\u00e9'.repeat(Math.floor(rand() * 50))}`),
    () => (headers['x-jaas-signature'] = `t=\u00ff,v1=\u0080\u00c0`),
  ];
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) choices[Math.floor(rand() * choices.length)]?.();
  return headers;
}

for (const warehouse of ['duckdb', 'postgres'] as const) describe(`[${warehouse}] fuzzing the landing routes`, () => {
  let h: Harness;
  let jwks: JwkServer;
  before(async () => {
    jwks = await startJwkServer(); // knows no kid: every fuzzed kid is unknown
    h = await startHarness({
      warehouse,
      config: {
        // Every refusal is stored one by one here: this test is about what parsing survives, not
        // about the flood limits (test/security/flood.test.ts covers those).
        server: { bodyLimitBytes: 256 * 1024, requestTimeoutMs: 2000, rateLimit: { unverifiedMax: 1_000_000 } },
        rejections: { perSourcePerMinute: 1_000_000, maxPerMinute: 1_000_000 },
        families: { contactCenter: { jwkUrls: [jwks.urlTemplate] } },
      },
    });
  });
  after(async () => {
    await h.close();
    await jwks.close();
  });

  test('3,000 malformed requests: every one refused with a 4xx, none landed, all recorded', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261127);
    const rand = prng(seed);
    const statuses = new Map<number, number>();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const route = ROUTES[Math.floor(rand() * ROUTES.length)] as string;
      const res = await h.server.app.inject({
        method: 'POST',
        url: route,
        headers: fuzzHeaders(rand),
        payload: fuzzBody(rand),
        remoteAddress: '127.0.0.1',
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `seed ${seed}, request ${i} to ${route}: ${res.statusCode} ${res.body}`);
      assert.match(res.json().error?.code ?? '', /^SB_/, `request ${i}: a stable error code`);
    }
    assert.equal((await h.server.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await h.drain();
    for (const table of ['messaging_events', 'voice_events', 'contact_center_events', 'meetings_events']) {
      const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw(table)}`);
      assert.equal(rows[0]?.n, 0, `${table} must stay empty`);
    }
    const recorded = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('rejections')}`);
    assert.equal(recorded[0]?.n, N, `every refusal recorded (statuses: ${JSON.stringify([...statuses])})`);
    // A flood of invented kids must not become a flood of key fetches.
    const fetches = [...jwks.hits.values()].reduce((a, b) => a + b, 0);
    assert.ok(fetches <= 20, `key fetches: ${fetches}`);
    assert.ok(![...jwks.hits.keys()].some((kid) => kid === '.' || kid === '..' || kid.includes('/')), 'no kid moved the key URL');
  });

  test('after the fuzz run, a verified event lands within 2 s by itself, escapes and all', async () => {
    // The acceptance bar of the hardening issue: nothing the fuzzer sent may leave the
    // drainer blocked or in a long back-off. The background drainer lands it; nobody calls drain().
    const body = '{"eventType":"PARTICIPANT_JOINED","idempotencyKey":"after-fuzz","sessionId":"s","data":{"name":"\\u0000 \\ud800"}}';
    const sent = await h.send('meetings', { body });
    assert.equal(sent.statusCode, 200);
    const deadline = Date.now() + 2000;
    let landed: Array<{ body: string }> = [];
    while (Date.now() < deadline && landed.length === 0) {
      landed = await h.query<{ body: string }>(`SELECT body FROM ${h.raw('meetings_events')} WHERE dedupe_key = 'jaas:after-fuzz'`).catch(() => []);
      if (landed.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(landed[0]?.body, body, 'landed within 2 s, byte for byte');
  });

  describe('over raw sockets', () => {
    let port: number;
    before(async () => {
      await h.server.app.listen({ host: '127.0.0.1', port: 0 });
      port = (h.server.app.server.address() as AddressInfo).port;
    });

    const raw = (data: Buffer | string, holdMs = 300): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
        socket.on('error', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.write(data);
        setTimeout(() => socket.end(), holdMs);
      });

    test('garbage, broken framing and oversized headers get 4xx answers or a closed socket, and the server stays up', async () => {
      const rand = prng(7);
      const cases: Array<Buffer | string> = [
        Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256))),
        'POST /webhooks/8x8/meetings HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"',
        'POST /webhooks/8x8/meetings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnope\r\n0\r\n\r\n',
        `POST /webhooks/8x8/voice HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
        'POST /webhooks/8x8/messaging HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
        'POST /webhooks/8x8/messaging HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
        'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
      ];
      for (const data of cases) {
        const answer = await raw(data);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
        assert.ok(status === 0 || (status >= 400 && status < 500), `got ${status}: ${answer.slice(0, 200)}`);
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
    });

    test('a request that never finishes is cut off by server.requestTimeoutMs', async () => {
      const answer = await raw('POST /webhooks/8x8/meetings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":', 3500);
      assert.match(answer, /^HTTP\/1\.1 408/);
    });
  });
});
