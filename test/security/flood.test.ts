/**
 * Finding 6 of the hardening issue: 6,000 unauthenticated 60 KB requests stored 360 MB in
 * raw.rejections and grew the server from 177 MB to 1.2 GB. Now a refusal keeps a body sample
 * and a digest, each source and all sources together have a per-minute budget of refusals
 * stored one by one (the rest are counted into summary rows), an address that keeps failing
 * verification gets 429 before its body is read, and memory stays bounded.
 * Real HTTP over loopback against the real server, on DuckDB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { startHarness } from '../helpers/harness.js';

const BODY = Buffer.from(JSON.stringify({ eventType: 'PARTICIPANT_JOINED', pad: 'x'.repeat(60 * 1024) }));

function post(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(BODY.length), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

test('a flood of unauthenticated 60 KB requests stores bounded refusals, counts the rest, and keeps memory bounded', async () => {
  const h = await startHarness({
    config: {
      server: { trustProxy: ['127.0.0.1'], bodyLimitBytes: 256 * 1024 },
      rejections: { bodySampleBytes: 4096, perSourcePerMinute: 20, maxPerMinute: 200 },
      models: { schedule: 'off' },
    },
    env: {
      SWITCHBOARD_MESSAGING_AUTHORIZATION: 'Bearer flood-test-messaging',
      SWITCHBOARD_VOICE_AUTH_HEADER: 'Bearer flood-test-voice',
      SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_floodtestsecret',
      SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET: 'flood-test-oauth',
    },
  });
  try {
    await h.server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.server.app.server.address() as AddressInfo;
    const statuses = new Map<number, number>();
    const send = async (i: number, ip: string): Promise<void> => {
      const status = await post(port, '/webhooks/8x8/meetings', { 'x-forwarded-for': ip, 'x-jaas-signature': `t=${Math.floor(Date.now() / 1000)},v1=forged${i}` });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    };
    const rssBefore = process.memoryUsage().rss;
    // 3,000 requests (180 MB) from 50 addresses, 16 at a time.
    const N = 3000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < N) {
          const i = next++;
          await send(i, `203.0.113.${i % 50}`);
        }
      }),
    );
    h.server.landing.flushSummaries();
    await h.drain();
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;

    const refused = statuses.get(401) ?? 0;
    assert.equal(refused + (statuses.get(429) ?? 0), N, `only refusals: ${JSON.stringify([...statuses])}`);
    const [stored] = await h.query<{ rows: number; occurrences: number; body_bytes: number; with_body: number }>(
      `SELECT count(*) AS rows, sum(coalesce(occurrences, 1)) AS occurrences, sum(length(coalesce(body, ''))) AS body_bytes, ` +
        `count(body) AS with_body FROM ${h.raw('rejections')}`,
    );
    assert.ok(stored !== undefined);
    assert.equal(Number(stored.occurrences), refused, 'every refusal is counted, one by one or in a summary');
    assert.ok(Number(stored.with_body) <= 200, `refusals stored with a body: ${stored.with_body} (rejections.maxPerMinute)`);
    assert.ok(Number(stored.body_bytes) <= 200 * 4096 * 1.4, `stored body bytes: ${stored.body_bytes}`);
    assert.ok(Number(stored.rows) <= 200 + 50, `rows: ${stored.rows} (one summary per source at most)`);
    const [digest] = await h.query<{ body_sha256: string | null; body_bytes: number }>(`SELECT body_sha256, body_bytes FROM ${h.raw('rejections')} WHERE body IS NOT NULL LIMIT 1`);
    assert.match(digest?.body_sha256 ?? '', /^[0-9a-f]{64}$/, 'the whole body is represented by its digest');
    assert.equal(Number(digest?.body_bytes), BODY.length);
    assert.ok(rssGrowthMb < 200, `the server process grew by ${rssGrowthMb.toFixed(0)} MB`);

    // A source that keeps failing verification is answered 429 before its body is read.
    const statusesOneSource: number[] = [];
    for (let i = 0; i < 320; i++) statusesOneSource.push(await post(port, '/webhooks/8x8/meetings', { 'x-forwarded-for': '198.51.100.7' }));
    assert.equal(statusesOneSource.filter((s) => s === 401).length, 300, 'server.rateLimit.unverifiedMax refusals');
    assert.equal(statusesOneSource.filter((s) => s === 429).length, 20);
  } finally {
    await h.close();
  }
});
