/**
 * The console as a person uses it: headless Chromium (playwright-core driving Debian's
 * /usr/bin/chromium) against the real `switchboard serve` on DuckDB, with a sync to the Slack
 * fake and alerts to the PagerDuty fake. A logged-out visit lands on the login page; signing
 * in with the bootstrap token (the admin-token file) returns to the page asked for; a
 * family's events appear after `switchboard send-test-event`; a meetings delivery refused
 * while serve had the wrong secret is opened on the dead letters page and replayed once the
 * secret is right, and lands once; a pull from the Connect export fake shows its run, cursor
 * and reconciliation; a sync's dry run previews its changes; a meetings payload with a new
 * field shows up on the drift page (the drift job runs every second here); a burst of bad
 * signatures fires the authFailures alert, which pages PagerDuty, shows as firing, and then
 * as resolved once the burst is older than the rule's window (6 s here); the keyboard
 * reaches the navigation; logging out ends the session. No page logs a script error or a CSP
 * violation.
 *
 * The signal tables are seeded (2 days, test/helpers/signal-tables.ts) while serve is stopped,
 * so that the overview's charts have something to draw in builds without the signals job.
 *
 * Artifacts: a screenshot of every page in test-results/console/<page>.png, kept on purpose so
 * that a person can look at them: the one exception to "tests remove their files". They are
 * outside TMPDIR (test/run.sh checks only that) and test-results/ is gitignored. Everything
 * else (the data directory, the browser's profile) is removed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { TEST_SECRETS } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { seedSignals } from '../helpers/signal-tables.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { startFakeConnectExports, type FakeConnectExports } from '../../fakes/connect-exports/index.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../fakes/pagerduty/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { buildTestRequest } from '../../ingest/test-events.js';
import { loadConfig } from '../../server/config.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { NAV } from '../../server/console/layout.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../../test-results/console/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SYNC = 'escalations_to_slack';

describe('the console in headless Chromium', () => {
  let dir: string;
  let slack: FakeSlack;
  let connect: FakeConnectExports;
  let pagerduty: FakePagerDuty;
  let server: ServerProcess | null = null;
  let browser: Browser;
  let page: Page;
  let env: Record<string, string>;
  let token: string;
  const problems: string[] = [];

  const cli = async (...args: string[]): Promise<{ code: number; out: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
      return { code: 0, out: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${server?.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  const go = async (path: string): Promise<void> => {
    await page.goto(`${server?.adminUrl}${path}`);
  };
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const stat = (label: string) => page.locator('dl.stats div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'switchboard-console-'));
    slack = await startFakeSlack();
    pagerduty = await startFakePagerDuty();
    // Three calls of yesterday that only the Voice log export knows: no webhook brought them.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    connect = await startFakeConnectExports({
      polls: 1,
      voice: ['a', 'b', 'c'].map((id, i) => ({ SessionId: `sess-${id}`, CallId: `sess-${id}-leg`, InitiatedAt: `${yesterday}T1${i}:00:00.000Z` })),
    });
    env = { ...TEST_SECRETS, SWITCHBOARD_SLACK_BOT_TOKEN: slack.token, SWITCHBOARD_CONNECT_API_KEY: 'test-connect-key', SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY: 'R0123456789abcdef0123456789abcde' };
    const warehousePath = join(dir, 'data', 'switchboard.duckdb');
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'duckdb', path: warehousePath },
        spool: { dir: join(dir, 'data', 'spool') },
        log: { level: 'warn' },
        models: { schedule: 'off' },
        destinations: { slack: { apiUrl: slack.url } },
        pulls: {
          connect: { subAccountId: 'acme_sub', products: ['voice'], voiceUrl: connect.baseUrl('voice'), pollIntervalMs: 20, schedule: 'off' },
          reconciliation: { minEvents: 1 },
        },
        syncs: [{ name: SYNC, model: 'slack_escalations', key: 'call_id', destination: 'slack', object: 'C0ALERTS', schedule: 'off', priority: 'alert', mapping: { text: 'text' } }],
        // Seconds instead of minutes, so that a drift and an alert's fire and resolve take seconds.
        drift: { schedule: '* * * * * *', warmupEvents: 1, settleSeconds: 0 },
        alerts: {
          schedule: '* * * * * *',
          routes: { pagerduty: { url: pagerduty.url } },
          rules: { authFailures: { windowMinutes: 0.1, minCount: 3 } },
        },
      }),
    );
    const config = join(dir, 'switchboard.json');
    // First, serve with a meetings secret other than the sender's: the delivery is refused and kept.
    server = await startServerProcess(config, { ...env, SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_notwhatthesenderuses0000000' }, dir);
    token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
    const refused = await cli('send-test-event', 'meetings', '--config', config, '--url', server.url);
    assert.equal(refused.code, 1, refused.out);
    await waitFor(async () => ((await (await api('/rejections')).json()) as { rejections: unknown[] }).rejections.length === 1, 'the refused delivery is recorded');
    await server.kill('SIGTERM');
    const warehouse = await openWarehouse({ type: 'duckdb', path: warehousePath });
    try {
      await seedSignals(warehouse, 'analytics', { days: 2, now: new Date() });
    } finally {
      await warehouse.close();
    }
    // Then with the secret fixed, as an operator would after reading the rejection.
    server = await startServerProcess(config, env, dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
    await slack?.close();
    await connect?.close();
    await pagerduty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a logged-out visit is redirected to the login page', async () => {
    await go('/console/landing?family=voice');
    assert.match(page.url(), /\/console\/login\?reason=signin&next=%2Fconsole%2Flanding%3Ffamily%3Dvoice$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
    await shot('login');
  });

  test('signing in with the bootstrap token returns to the page asked for', async () => {
    await page.getByLabel('Operator token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/landing\?family=voice$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Landing: voice');
    assert.equal(await stat('Events landed').textContent(), '0');
    const cookies = await page.context().cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path]), [['sb_console_session', true, 'Strict', '/console']]);
    assert.ok(!cookies[0]?.value.includes(token));
  });

  test('a family\'s events appear after switchboard send-test-event', async () => {
    const sent = await cli('send-test-event', 'voice', '--config', join(dir, 'switchboard.json'), '--url', server?.url ?? '');
    assert.equal(sent.code, 0, sent.out);
    await waitFor(async () => {
      await page.reload();
      return (await stat('Events landed').textContent()) === '1';
    }, 'the voice event on the landing page');
    const newest = page.getByRole('table', { name: 'The newest voice events' });
    assert.equal(await newest.locator('tbody tr').count(), 1);
    assert.equal(await page.locator('figure.chart canvas').count(), 2, 'the events and latency charts are drawn');
    await shot('landing-voice');
  });

  test('a dead letter opens, and replays: the delivery lands once, now that the secret is right', async () => {
    await go('/console/dead-letters');
    const row = page.locator('tr', { hasText: 'SB_INGEST_SIGNATURE_INVALID' });
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /landing\s*meetings/);
    await shot('dead-letters-waiting');
    await row.getByRole('link', { name: /^Open dead letter rejection:/ }).click();
    await page.waitForURL(/\/console\/dead-letters\/entry\?id=rejection%3A/);
    const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
    assert.match(heading, /^Dead letter rejection:/);
    const id = heading.replace(/^Dead letter /, '');
    assert.equal(await page.getByRole('button', { name: /with trust$/ }).count(), 0, 'a signature is checked again: no trust needed');
    await shot('dead-letter');
    await page.getByRole('button', { name: `Replay ${id}`, exact: true }).click();
    const outcome = page.getByRole('status').filter({ hasText: 'Replayed 1' });
    assert.match((await outcome.textContent()) ?? '', new RegExp(`${id}: replayed \\(accepted into the spool; it lands as `));
    assert.match(await page.locator('main').innerText(), /no longer waiting/);
    assert.equal(await page.getByRole('button', { name: /^Replay / }).count(), 0, 'nothing left to replay');
    await shot('dead-letter-replayed');
    await go('/console/landing?family=meetings');
    await waitFor(async () => {
      await page.reload();
      return (await stat('Events landed').textContent()) === '1';
    }, 'the replayed meetings event has landed');
    await go('/console/dead-letters');
    assert.equal(await page.locator('tr', { hasText: 'SB_INGEST_SIGNATURE_INVALID' }).count(), 0, 'no longer a dead letter');
    const again = await api('/dlq/replay', { method: 'POST', body: JSON.stringify({ ids: [id] }) });
    assert.deepEqual(((await again.json()) as { outcomes: Array<{ status: string }> }).outcomes.map((o) => o.status), ['not-found'], 'a second replay sends nothing');
  });

  test('a pull\'s run and cursor, and the reconciliation of its calls that no webhook brought', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const pulled = await api('/pull', { method: 'POST', body: JSON.stringify({ source: 'connect-voice', from: `${yesterday}T00:00:00Z`, to: new Date().toISOString() }) });
    assert.match(await pulled.text(), /"result"/);
    const built = await api('/build', { method: 'POST', body: '{}' });
    assert.match(await built.text(), /"runId"/);
    await go('/console/pulls');
    const source = page.getByRole('table', { name: 'Each pull source' }).locator('tbody tr');
    assert.match((await source.textContent()) ?? '', /connect-voice.*success/);
    assert.equal(await page.getByRole('table', { name: 'Pull runs, newest first' }).locator('tbody tr').count(), 1);
    await go('/console/reconciliation');
    const day = page.getByRole('table', { name: /^The last 30 days/ }).locator('tbody tr', { hasText: yesterday });
    assert.match((await day.textContent()) ?? '', /connect_voice\s*3\s*3\s*100\.0 %\s*over the alert share/);
  });

  test('a sync\'s dry run previews the changes its next run would send', async () => {
    await go('/console/syncs');
    await page.getByRole('button', { name: `Preview the next run of ${SYNC} (dry run)` }).click();
    const heading = page.getByRole('heading', { name: new RegExp(`^Dry run of ${SYNC}: \\d+ change\\(s\\) pending$`) });
    assert.equal(await heading.count(), 1, await page.locator('main').innerText());
    await shot('syncs-preview');
  });

  test('a drift appears after a meetings payload with a new field', async () => {
    // The replayed PARTICIPANT_JOINED above is the baseline (drift.warmupEvents: 1); this one adds data.phone.
    const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: Record<string, unknown> };
    event.idempotencyKey = 'b7d8c1e2-0000-4000-8000-00000000c0de';
    event.data.phone = '+14155550100';
    const config = loadConfig({ path: join(dir, 'switchboard.json'), env, cwd: dir });
    const request = await buildTestRequest('meetings', config, { body: JSON.stringify(event), cwd: dir });
    const sent = await fetch(new URL(request.path, server?.url), { method: 'POST', headers: request.headers, body: request.body });
    assert.equal(sent.status, 200, await sent.text());
    await go('/console/drift');
    const row = page.getByRole('table', { name: 'Schema drift, newest first' }).locator('tbody tr', { hasText: '$.data.phone' });
    await waitFor(async () => {
      await page.reload();
      return (await row.count()) === 1;
    }, 'the new path on the drift page');
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /^path added meetings PARTICIPANT_JOINED \$\.data\.phone ∅ → string .* 1 \*{8}0100$/);
    await shot('drift-new-field');
  });

  test('an alert fires on a burst of bad signatures, pages PagerDuty, and resolves once the burst is past', async () => {
    const body = JSON.stringify({ eventType: 'PARTICIPANT_JOINED', fqn: 'acme/room', idempotencyKey: 'k-burst', timestamp: Date.now(), data: {} });
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server?.url}/webhooks/8x8/meetings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-jaas-signature': `t=${Math.floor(Date.now() / 1000)},v1=bm90IHRoZSByaWdodCBvbmU=` },
        body,
      });
      assert.equal(response.status, 401);
      await response.arrayBuffer();
    }
    const key = 'authFailures:meetings';
    const firing = page.getByRole('table', { name: 'Alerts firing now' }).locator('tbody tr', { hasText: key });
    const resolved = page.getByRole('table', { name: 'Resolved alerts, newest first' }).locator('tbody tr', { hasText: key });
    await go('/console/alerts');
    await waitFor(async () => {
      await page.reload();
      return (await firing.count()) === 1;
    }, `the alert firing on the alerts page; the server said:\n${server?.output()}`);
    assert.match((await firing.innerText()).replace(/\s+/g, ' '), /^firing error authFailures meetings meetings: \d+ authentication failures in 6 s \(SB_INGEST_SIGNATURE_INVALID ×\d+/);
    await shot('alerts-firing');
    await go('/console/');
    const family = page.getByRole('table', { name: 'Each family, all time' }).locator('tbody tr', { hasText: 'meetings' });
    assert.match((await family.innerText()).replace(/\s+/g, ' '), /^meetings alert firing \(\d\)/, 'the overview says which family an alert is about');
    await go('/console/alerts');
    await waitFor(async () => {
      await page.reload();
      return (await resolved.count()) === 1 && (await firing.count()) === 0;
    }, `the alert resolved on the alerts page; the server said:\n${server?.output()}`);
    assert.match((await resolved.innerText()).replace(/\s+/g, ' '), /^resolved error authFailures meetings /);
    await shot('alerts-resolved');
    assert.deepEqual(
      pagerduty.events.filter((e) => e.dedup_key === key).map((e) => e.event_action),
      ['trigger', 'resolve'],
      'paged once, resolved once',
    );
  });

  test('every page renders in the browser, with its heading, the navigation and its charts drawn', async () => {
    for (const { path, label } of NAV) {
      await go(`/console${path}`);
      const h1 = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
      assert.ok(h1.startsWith(label === 'Overview' ? 'Overview' : label.split(' ')[0] ?? label), `${path}: ${h1}`);
      assert.equal(await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: label, exact: true }).getAttribute('aria-current'), 'page');
      const figures = await page.locator('figure.chart').count();
      if (figures > 0) await page.locator('html.charts-ready').waitFor();
      assert.equal(await page.locator('figure.chart canvas').count(), figures, `${path}: every chart is drawn`);
      await shot(path === '/' ? 'overview' : path.slice(1));
    }
    await go('/console/');
    assert.equal(await page.locator('figure.chart canvas').count(), 3, 'throughput, latency and backlog from the seeded signals');
  });

  test('the keyboard reaches the skip link first, then the navigation', async () => {
    await go('/console/');
    await page.keyboard.press('Tab');
    // Strings, not functions: they run in the page, and this project compiles without the DOM types.
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement.id'), 'main');
    await go('/console/');
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(`({ text: document.activeElement.textContent, inNav: document.activeElement.closest('nav[aria-label="Console pages"]') !== null })`)) as { text: string; inNav: boolean };
      if (focused.text === 'Dead letters' && focused.inNav) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/dead-letters$/);
  });

  test('logging out ends the session: the next page asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/console\/login\?reason=signedout$/);
    await go('/console/');
    assert.match(page.url(), /\/console\/login\?reason=signin$/);
    assert.deepEqual(problems, [], 'no script error, failed load or CSP violation on any page');
  });
});
