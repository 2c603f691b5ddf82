/**
 * What the console's pages show, through the real server in-process on DuckDB and the
 * operator API's real routes (GET /dlq, /dlq/:id, POST /dlq/replay, GET /drift, GET /alerts):
 * every page renders with the shared layout; what is not there yet (the signal tables,
 * drift, alerts) is said plainly; a landing rejection refused for its credentials opens,
 * fails a plain replay, and lands once when the operator vouches for it; dead letters of
 * every source, a drift found by the drift job and an alert fired and resolved by the alerts
 * job are shown; the overview charts the signal tables in bounded buckets; and when alerts
 * and drift are turned off, their pages say so. Names, reasons, paths and summaries from
 * outside are escaped everywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { chartData, getPage, postForm, signIn } from '../helpers/console.js';
import { seedSignals } from '../helpers/signal-tables.js';
import { NAV } from '../../server/console/layout.js';
import { escapeHtml, html, jsonScript } from '../../server/console/html.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { SYNC_SCHEMA } from '../../sync/state.js';

const XSS = `<img src=x onerror="alert('x')">`;

/** The checks every console page passes: one h1, landmarks, the navigation marking where you are. */
function assertLayout(body: string, current: string | null): void {
  assert.equal(body.match(/<h1>/g)?.length, 1, 'one h1');
  assert.match(body, /<html lang="en">/);
  assert.match(body, /<a class="skip-link" href="#main">/);
  assert.match(body, /<header class="banner">/);
  assert.match(body, /<nav aria-label="Console pages">/);
  assert.match(body, /<main id="main"/);
  if (current !== null) assert.match(body, new RegExp(`<a href="/console${current === '/' ? '/' : current}" aria-current="page">`));
}

/** No markup from data made it through: the XSS payload is there only escaped. */
function assertEscaped(body: string, where: string): void {
  assert.ok(!body.includes('<img src=x') && !body.includes('<script>alert(1)'), `${where} has no live markup from data`);
  assert.ok(body.includes('&lt;img src=x onerror='), `${where} shows the payload as text`);
}

/** A meetings event like the documented sample, with its own idempotency key and `data` changed by `change`. */
function meetingsEvent(key: string, change: (data: Record<string, unknown>) => void = () => {}): string {
  const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: Record<string, unknown> };
  event.idempotencyKey = key;
  change(event.data);
  return JSON.stringify(event);
}

describe('console pages on the operator API\'s real routes', () => {
  let h: Harness;
  let cookie: string;
  /** The dead letter of the refused messaging delivery, e.g. `rejection:r_…`. */
  let refusedId: string;
  before(async () => {
    h = await startHarness({
      config: {
        models: { schedule: 'off' },
        // Schedules do not run in the harness (serve starts them): the test ticks the jobs.
        drift: { warmupEvents: 1, settleSeconds: 0 },
        alerts: { rules: { authFailures: { minCount: 1 } } },
      },
    });
    await h.send('voice');
    await h.send('messaging', { headers: { authorization: 'Bearer wrong' } }); // a landing rejection: its credentials
    await h.drain();
    cookie = await signIn(h);
  });
  after(() => h.close());

  test('every page in the navigation renders with the shared layout and marks itself current', async () => {
    for (const { path } of NAV) {
      const res = await getPage(h, `/console${path}`, cookie);
      assert.equal(res.statusCode, 200, `${path}: ${res.body.slice(0, 500)}`);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assertLayout(res.body, path);
    }
  });

  test('what is not there yet is said plainly: no signals in the window, no drift, nothing firing', async () => {
    const overview = await getPage(h, '/console/', cookie);
    // The signal tables exist from start-up (migration server/0002_signals); nothing was flushed yet.
    assert.match(overview.body, /data-chart="throughput-data"/);
    assert.match(overview.body, /No events in this window\./);
    assert.match(overview.body, /Alerts firing<\/dt><dd><span class="badge badge-ok">none<\/span>/);
    const drift = (await getPage(h, '/console/drift', cookie)).body;
    assert.match(drift, /No drift in the last 30 days/);
    assert.doesNotMatch(drift, /not learned/);
    const alerts = (await getPage(h, '/console/alerts', cookie)).body;
    assert.match(alerts, /Nothing is firing\./);
    assert.doesNotMatch(alerts, /Alerts are off/);
    const landing = (await getPage(h, '/console/landing?family=voice', cookie)).body;
    assert.match(landing, /p95 latency by stage for voice/);
  });

  test('the landing page shows a family\'s events by type, its newest events and its rejections waiting', async () => {
    const voice = await getPage(h, '/console/landing?family=voice', cookie);
    assert.match(voice.body, /<dt>Events landed<\/dt><dd>1<\/dd>/);
    const chart = chartData(voice.body, 'family-events');
    assert.equal(chart.x.length, 96, '24 hours in 15-minute buckets');
    assert.equal(chart.series.reduce((sum, s) => sum + s.values.reduce<number>((a, v) => a + (v ?? 0), 0), 0), 1);
    const messaging = await getPage(h, '/console/landing?family=messaging', cookie);
    const link = /<a href="\/console\/dead-letters\/entry\?id=(rejection%3A[^"]+)">rejection:[^<]+<\/a>/.exec(messaging.body);
    assert.ok(link !== null, 'the rejection links to its dead letter');
    assert.match(messaging.body, /<code>SB_INGEST_AUTH_INVALID<\/code>/);
    refusedId = decodeURIComponent(link[1] as string);
    assert.equal((await getPage(h, '/console/landing?family=nope', cookie)).statusCode, 404);
  });

  test('a rejection refused for its credentials fails a plain replay, lands once with trust, all through POST /dlq/replay under the token', async () => {
    const list = await getPage(h, '/console/dead-letters', cookie);
    assert.match(list.body, /Landing rejections, the quarantine, sync rejections and failed pull pages\./);
    assert.ok(list.body.includes(`name="id" value="${refusedId}"`), 'a replay button for the rejection');
    const entry = await getPage(h, `/console/dead-letters/entry?id=${encodeURIComponent(refusedId)}`, cookie);
    assert.equal(entry.statusCode, 200);
    assert.match(entry.body, /<dd class="mono">SB_INGEST_AUTH_INVALID<\/dd>/);
    assert.match(entry.body, /&quot;sourceIp&quot;: &quot;127\.0\.0\.1&quot;/, 'the detail of GET /dlq/:id');
    assert.match(entry.body, /<input type="checkbox" name="trust" value="vouched" required>/, 'the trust form, behind a box to tick');

    // Credentials are never stored: a plain replay is refused again, and the entry stays.
    const plain = await postForm(h, '/console/dead-letters/replay', { id: refusedId, back: 'entry' }, cookie);
    assert.equal(plain.statusCode, 200, plain.body);
    assert.ok(plain.body.includes(`<code>${refusedId}</code>: <strong>failed</strong> (SB_INGEST_AUTH_INVALID: `), plain.body);
    assert.match(plain.body, /<h1>Dead letter rejection:/);
    assert.match(plain.body, /Replay with trust<\/button>/);

    const trusted = await postForm(h, '/console/dead-letters/replay', { id: refusedId, back: 'entry', trust: 'vouched' }, cookie);
    assert.ok(trusted.body.includes(`<code>${refusedId}</code>: <strong>replayed</strong>`), trusted.body);
    assert.match(trusted.body, /no longer waiting/);
    assert.doesNotMatch(trusted.body, /Replay with trust<\/button>/);
    await h.drain();
    const landed = async () => h.query(`SELECT verified_by FROM ${h.raw('messaging_events')}`);
    assert.deepEqual(await landed(), [{ verified_by: 'replay:operator' }]);

    const again = await postForm(h, '/console/dead-letters/replay', { id: refusedId, trust: 'vouched' }, cookie);
    assert.ok(again.body.includes(`<code>${refusedId}</code>: <strong>not-found</strong>`), again.body);
    await h.drain();
    assert.equal((await landed()).length, 1, 'it landed once');
    assert.equal((await getPage(h, `/console/dead-letters/entry?id=${encodeURIComponent(refusedId)}`, cookie)).statusCode, 404);

    await h.server.audit.flush();
    const rows = await h.query(
      `SELECT token_id, route, status, COUNT(*) AS n FROM ${h.raw('_admin_audit')} WHERE route IN ('/console/dead-letters/replay', '/dlq/replay', '/rejections/replay') GROUP BY 1, 2, 3 ORDER BY route`,
    );
    assert.deepEqual(
      rows.map((r) => ({ ...r, n: Number(r.n) })),
      [
        { token_id: 'bootstrap', route: '/console/dead-letters/replay', status: 200, n: 3 },
        { token_id: 'bootstrap', route: '/dlq/replay', status: 200, n: 3 },
      ],
    );
  });

  test('a new field in a meetings payload, found by the drift job, is on the drift page with its redacted sample', async () => {
    assert.equal((await h.send('meetings', { body: meetingsEvent('b7d8c1e2-0000-4000-8000-000000000001') })).statusCode, 200);
    await h.drain();
    await h.server.jobs.tick('drift');
    const withPhone = meetingsEvent('b7d8c1e2-0000-4000-8000-000000000002', (data) => {
      data.phone = '+14155550100';
    });
    assert.equal((await h.send('meetings', { body: withPhone })).statusCode, 200);
    await h.drain();
    await h.server.jobs.tick('drift');
    const drift = (await getPage(h, '/console/drift', cookie)).body;
    assert.match(drift, /Drift in the last 30 days \(1\)/);
    assert.match(drift, /<td><span class="badge badge-warn">path added<\/span><\/td><td>meetings<\/td><td>PARTICIPANT_JOINED<\/td><td><code class="whole">\$\.data\.phone<\/code><\/td><td><span class="whole">∅ → string<\/span><\/td>/);
    assert.match(drift, /<code class="whole">\*{8}0100<\/code>/, 'the phone number redacted');
    assert.doesNotMatch(drift, /4155550100/);
  });

  test('an alert fired by the alerts job shows as firing, on the alerts page and the overview, then as resolved', async () => {
    await h.server.jobs.tick('alerts');
    const firing = (await getPage(h, '/console/alerts', cookie)).body;
    // The messaging refusal, and the drift found above (rule schemaDrift).
    assert.match(firing, /Firing \(2\)/);
    assert.match(firing, /<td>schemaDrift<\/td><td>meetings<\/td><td><span class="prose">meetings: 1 schema drift in 1 h: new path \$\.data\.phone/);
    assert.match(firing, /<td><span class="badge badge-bad">firing<\/span><\/td><td><span class="badge badge-bad">error<\/span><\/td><td>authFailures<\/td><td>messaging<\/td><td><span class="prose">messaging: 1 authentication failure/);
    assert.match(firing, /<code>authFailures:messaging<\/code>/);
    const overview = (await getPage(h, '/console/', cookie)).body;
    assert.match(overview, /<a href="\/console\/alerts"><span class="badge badge-bad">2<\/span><\/a>/);
    assert.equal(overview.match(/alert firing \(1\)/g)?.length, 2, 'each family with a firing alert says so');

    // The refusal leaves the rule's window (5 minutes), as time would move it.
    await h.server.warehouse.run(`UPDATE ${h.raw('rejections')} SET received_at = received_at - INTERVAL 1 HOUR`);
    await h.server.jobs.tick('alerts');
    const resolved = (await getPage(h, '/console/alerts', cookie)).body;
    assert.match(resolved, /Firing \(1\)/);
    assert.doesNotMatch(resolved, /badge-bad">firing<\/span><\/td><td><span class="badge badge-bad">error<\/span><\/td><td>authFailures/);
    assert.match(resolved, /Resolved \(1\)/);
    assert.match(resolved, /<td><span class="badge badge-ok">resolved<\/span><\/td><td><span class="badge badge-bad">error<\/span><\/td><td>authFailures<\/td><td>messaging<\/td>/);
  });

  test('names, reasons, paths and summaries from outside are escaped, never markup (XSS)', async () => {
    const wh = h.server.warehouse;
    await wh.run(
      `INSERT INTO ${h.raw('rejections')} (rejection_id, family, route, received_at, source_ip, status_code, error_code, reason, verified, headers, body, body_bytes, body_truncated, landed_at) ` +
        `VALUES ('r_xss', $1, '/x', now(), '127.0.0.1', 400, 'SB_INGEST_BODY_NOT_JSON', $2, false, '{}', NULL, 0, false, now())`,
      [`<script>alert(1)</script>`, XSS],
    );
    await wh.run(
      `INSERT INTO ${SYNC_SCHEMA}.rejections (sync_name, key, row_hash, action, code, reason, run_id, rejected_at) VALUES ('calls_to_salesforce', '42', 'h', 'update', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', $1, 'run-1', now())`,
      [`Subject is invalid: ${XSS}`],
    );
    assert.equal((await h.send('meetings', { body: meetingsEvent('b7d8c1e2-0000-4000-8000-000000000003', (data) => void (data[XSS] = 'x')) })).statusCode, 200);
    await h.drain();
    await h.server.jobs.tick('drift');
    const at = new Date();
    await h.server.alerts?.store.save(
      [{ key: 'rejectionSpike:xss', rule: 'rejectionSpike', pipeline: 'xss', status: 'resolved', severity: 'warning', summary: `spike ${XSS}`, details: {}, pendingSince: null, firstFiredAt: at, lastNotifiedAt: at, resolvedAt: at, notifyCount: 1, deliveries: {}, updatedAt: at }],
      [],
    );

    const dlq = (await getPage(h, '/console/dead-letters', cookie)).body;
    assert.match(dlq, /<td>sync<\/td><td>calls_to_salesforce<\/td><td><code>FIELD_CUSTOM_VALIDATION_EXCEPTION<\/code><\/td>/, 'a sync rejection among the dead letters');
    for (const url of ['/console/dead-letters', '/console/dead-letters/entry?id=rejection%3Ar_xss', `/console/dead-letters/entry?id=${encodeURIComponent('sync:calls_to_salesforce:42')}`, '/console/drift', '/console/alerts']) {
      const res = await getPage(h, url, cookie);
      assert.equal(res.statusCode, 200, url);
      assertEscaped(res.body, url);
    }
    assert.ok(!(await getPage(h, '/console/', cookie)).body.includes('<script>alert(1)'));
  });

  test('the overview charts the signal tables in bounded buckets, with the ratios by stage', async () => {
    const now = new Date();
    await seedSignals(h.server.warehouse, 'analytics', { days: 2, now });
    const day = await getPage(h, '/console/?window=24h', cookie);
    assert.equal(day.statusCode, 200);
    const throughput = chartData(day.body, 'throughput');
    assert.equal(throughput.x.length, 96);
    const landing = throughput.series.find((s) => s.label === 'landing');
    // 5 landing pipelines × 10 events a minute × 15 minutes, in each full bucket of the window.
    assert.ok(landing?.values.slice(1, -1).every((v) => v === 750), JSON.stringify(landing?.values.slice(0, 4)));
    assert.deepEqual(chartData(day.body, 'latency').series.map((s) => s.label), ['event_to_received', 'received_to_landed', 'landed_to_curated', 'curated_to_destination']);
    assert.deepEqual(chartData(day.body, 'backlog').series.map((s) => s.label), ['spool events', 'sync changes pending', 'dead letters']);
    assert.match(day.body, /<td>landing<\/td><td class="num">[\d,]+<\/td><td class="num">100\.0 %<\/td><td class="num">[\d,]+<\/td><td class="num">10\.0 %<\/td>/);
    const month = await getPage(h, '/console/?window=30d', cookie);
    assert.equal(chartData(month.body, 'throughput').x.length, 120, '30 days in 6-hour buckets');
  });
});

describe('console pages when alerts and drift are turned off', () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    h = await startHarness({ config: { models: { schedule: 'off' }, alerts: { enabled: false }, drift: { enabled: false } } });
    cookie = await signIn(h);
  });
  after(() => h.close());

  test('the alerts and drift pages, and the overview, name the config key that turned them off', async () => {
    assert.match((await getPage(h, '/console/alerts', cookie)).body, /Alerts are off \(alerts\.enabled: false\): no rule is evaluated and nothing is sent\./);
    assert.match((await getPage(h, '/console/drift', cookie)).body, /Schema drift is not learned \(drift\.enabled: false\): nothing new is recorded\./);
    assert.match((await getPage(h, '/console/', cookie)).body, /Alerts firing<\/dt><dd><span class="muted">off \(alerts\.enabled: false\)<\/span>/);
  });
});

describe('the console\'s HTML helper', () => {
  test('escapes interpolated text, keeps nested templates, and closes no script from inside a data block', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    assert.equal(html`<p>${'<b>'}${html`<i>${'&'}</i>`}${['<', html`<br>`]}${null}${false}${0}</p>`.text, '<p>&lt;b&gt;<i>&amp;</i>&lt;<br>0</p>');
    const block = jsonScript('d', { label: '</script><script>alert(1)</script>' }).text;
    assert.equal(block.match(/<\/script>/g)?.length, 1, 'only the block\'s own end tag');
    assert.deepEqual(JSON.parse(/>(.*)</.exec(block)?.[1] ?? ''), { label: '</script><script>alert(1)</script>' });
  });
});
