/**
 * What the console's pages show, through the real server in-process on DuckDB: every page
 * renders with the shared layout; pages whose route is not in this build (GET /signals'
 * tables, /drift, /alerts, /dlq) say so; the overview charts the signal tables in bounded
 * buckets; a dead letter opens and replays; and when /alerts, /drift and /dlq are there
 * (stand-ins here, answering their contracts), their pages light up. Names, reasons and paths
 * from outside are escaped everywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { chartData, getPage, postForm, signIn } from '../helpers/console.js';
import { seedSignals } from '../helpers/signal-tables.js';
import { NAV } from '../../server/console/layout.js';
import { escapeHtml, html, jsonScript } from '../../server/console/html.js';

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

describe('console pages in a build without signals, drift, alerts or /dlq', () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    h = await startHarness();
    await h.send('voice');
    await h.send('messaging', { headers: { authorization: 'Bearer wrong' } }); // a landing rejection
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

  test('what this build lacks is said plainly: no signal tables, no /drift, no /alerts, no /dlq', async () => {
    const overview = await getPage(h, '/console/', cookie);
    assert.match(overview.body, /Signals are not available in this build/);
    assert.match(overview.body, /Alerts firing<\/dt><dd><span class="muted">not in this build/);
    assert.match((await getPage(h, '/console/drift', cookie)).body, /Schema drift is not available in this build/);
    assert.match((await getPage(h, '/console/alerts', cookie)).body, /Alerts are not available in this build/);
    assert.match((await getPage(h, '/console/dead-letters', cookie)).body, /The unified view of every source \(GET \/dlq\) is not available in this build/);
  });

  test('the landing page shows a family\'s events by type, its newest events and its rejections', async () => {
    const voice = await getPage(h, '/console/landing?family=voice', cookie);
    assert.match(voice.body, /<dt>Events landed<\/dt><dd>1<\/dd>/);
    const chart = chartData(voice.body, 'family-events');
    assert.equal(chart.x.length, 96, '24 hours in 15-minute buckets');
    assert.equal(chart.series.reduce((sum, s) => sum + s.values.reduce<number>((a, v) => a + (v ?? 0), 0), 0), 1);
    const messaging = await getPage(h, '/console/landing?family=messaging', cookie);
    assert.match(messaging.body, /SB_INGEST_AUTH_INVALID/);
    assert.equal((await getPage(h, '/console/landing?family=nope', cookie)).statusCode, 404);
  });

  test('a dead letter opens, and replays through POST /rejections/replay, audited under the token', async () => {
    const list = await getPage(h, '/console/dead-letters', cookie);
    const id = /name="id" value="([^"]+)"/.exec(list.body)?.[1];
    assert.ok(id !== undefined, 'a replay button for the rejection');
    const entry = await getPage(h, `/console/dead-letters/entry?id=${encodeURIComponent(id)}`, cookie);
    assert.equal(entry.statusCode, 200);
    assert.match(entry.body, /<dd class="mono">SB_INGEST_AUTH_INVALID<\/dd>/);
    const replayed = await postForm(h, '/console/dead-letters/replay', { id, back: 'entry' }, cookie);
    assert.equal(replayed.statusCode, 200, replayed.body);
    // Credentials are never stored, so an authentication refusal is refused again (replay --trust lands it).
    assert.match(replayed.body, new RegExp(`<code>${id}</code>: <strong>rejected</strong> \\(SB_INGEST_AUTH_INVALID`));
    await h.server.audit.flush();
    const rows = await h.query(`SELECT token_id, method, route, status FROM ${h.raw('_admin_audit')} WHERE route IN ('/console/dead-letters/replay', '/rejections/replay') ORDER BY route`);
    assert.deepEqual(rows, [
      { token_id: 'bootstrap', method: 'POST', route: '/console/dead-letters/replay', status: 200 },
      { token_id: 'bootstrap', method: 'POST', route: '/rejections/replay', status: 200 },
    ]);
  });

  test('names and reasons from outside are escaped, never markup (XSS)', async () => {
    await h.server.warehouse.run(
      `INSERT INTO ${h.raw('rejections')} (rejection_id, family, route, received_at, source_ip, status_code, error_code, reason, verified, headers, body, body_bytes, body_truncated, landed_at) ` +
        `VALUES ('r_xss', $1, '/x', now(), '127.0.0.1', 400, 'SB_INGEST_BODY_NOT_JSON', $2, false, '{}', NULL, 0, false, now())`,
      [`<script>alert(1)</script>`, XSS],
    );
    for (const url of ['/console/dead-letters', '/console/dead-letters/entry?id=r_xss', '/console/']) {
      const body = (await getPage(h, url, cookie)).body;
      assert.ok(!body.includes('<script>alert(1)') && !body.includes('<img src=x'), `${url} has no live markup from data`);
    }
    assert.ok((await getPage(h, '/console/dead-letters', cookie)).body.includes(escapeHtml(XSS)));
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

describe('console pages when /alerts, /drift and /dlq answer their contracts', () => {
  let h: Harness;
  let cookie: string;
  const replays: unknown[] = [];
  before(async () => {
    h = await startHarness();
    const admin = h.server.admin;
    const at = new Date().toISOString();
    // Stand-ins for the routes other parts of issue 15 add, answering their contracts (design §B–D).
    admin.get('/alerts', async (request) => {
      const status = (request.query as { status?: string }).status;
      const alert = (state: string) => ({ alert_key: `rejections_spike:${state}`, rule: 'rejections_spike', pipeline: 'voice', status: state, summary: `spike ${XSS}`, first_fired_at: at, last_notified_at: at, resolved_at: state === 'resolved' ? at : null, notify_count: 2 });
      return { alerts: status === 'firing' ? [alert('firing')] : status === 'resolved' ? [alert('resolved')] : [alert('firing'), alert('resolved')] };
    });
    admin.get('/drift', async () => ({
      drift: [{ drift_id: 'd1', family: 'meetings', event_type: 'PARTICIPANT_JOINED', kind: 'path_added', path: `$.data.${XSS}`, old_type: null, new_type: 'string', renamed_from: null, first_seen_at: at, last_seen_at: at, count: 3, sample: '"***"', destination: null }],
    }));
    const entry = { id: 'sync:calls_to_salesforce:42', source: 'sync', pipeline: 'calls_to_salesforce', reason: `FIELD_CUSTOM_VALIDATION ${XSS}`, code: 'SB_SYNC_REJECTED', count: 4, firstAt: at, lastAt: at, ageSeconds: 60 };
    admin.get('/dlq', async () => ({ entries: [entry] }));
    admin.get('/dlq/:id', async (request, reply) => ((request.params as { id: string }).id === entry.id ? { entry, detail: { key: '42', fields: { Subject: 'x' } } } : reply.code(404).send({ error: { code: 'SB_DLQ_UNKNOWN', message: 'no' } })));
    admin.post('/dlq/replay', async (request) => {
      replays.push(request.body);
      return { dryRun: false, outcomes: [{ id: entry.id, status: 'sent', message: null }] };
    });
    cookie = await signIn(h);
  });
  after(() => h.close());

  test('alerts firing and resolved, drift and dead letters from every source are shown, escaped', async () => {
    const alerts = await getPage(h, '/console/alerts', cookie);
    assert.match(alerts.body, /Firing \(1\)/);
    assert.match(alerts.body, /Resolved \(1\)/);
    const overview = await getPage(h, '/console/', cookie);
    assert.match(overview.body, /<a href="\/console\/alerts"><span class="badge badge-bad">1<\/span><\/a>/);
    assert.match(overview.body, /alert firing \(1\)/, 'the family with a firing alert says so');
    const drift = await getPage(h, '/console/drift', cookie);
    assert.match(drift.body, /path added/);
    assert.match(drift.body, /PARTICIPANT_JOINED/);
    const dlq = await getPage(h, '/console/dead-letters', cookie);
    assert.match(dlq.body, /Landing rejections, the quarantine, sync rejections and failed pull pages\./);
    assert.match(dlq.body, /calls_to_salesforce/);
    for (const body of [alerts.body, drift.body, dlq.body]) assert.ok(!body.includes('<img src=x') && body.includes(escapeHtml(XSS)));
  });

  test('a dead letter from /dlq opens from /dlq/:id and replays through POST /dlq/replay', async () => {
    const entry = await getPage(h, `/console/dead-letters/entry?id=${encodeURIComponent('sync:calls_to_salesforce:42')}`, cookie);
    assert.equal(entry.statusCode, 200);
    assert.match(entry.body, /&quot;Subject&quot;: &quot;x&quot;/);
    const replayed = await postForm(h, '/console/dead-letters/replay', { id: 'sync:calls_to_salesforce:42' }, cookie);
    assert.match(replayed.body, /<code>sync:calls_to_salesforce:42<\/code>: <strong>sent<\/strong>/);
    assert.deepEqual(replays, [{ ids: ['sync:calls_to_salesforce:42'] }]);
    assert.equal((await getPage(h, '/console/dead-letters/entry?id=nope', cookie)).statusCode, 404);
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
