/**
 * Landing by family: pick a family, see what it landed over a window (events per bucket by
 * event type, from its raw table), its newest events, its refusals waiting as dead letters
 * (GET /dlq), and its latency signals once the signals job has written them.
 */
import type { FamilyLanding } from '../../status-report.js';
import { chart } from '../charts.js';
import type { PageContext } from '../context.js';
import { listDeadLetters, type DeadLetter } from '../dead-letters.js';
import { badge, count, when } from '../format.js';
import { familyHealth } from '../health.js';
import { html, query, type Html } from '../html.js';
import { CONSOLE_PREFIX, emptyState, page, section, table } from '../layout.js';
import { readFamilyActivity, type FamilyActivity } from '../reads/landing.js';
import { readSignals, type SignalsView } from '../reads/signals.js';
import { timeWindow, WINDOWS, type TimeWindow, type WindowName } from '../reads/window.js';
import { windowLinks } from './overview.js';

export interface LandingData {
  at: Date;
  window: TimeWindow;
  /** Every served family (null when the warehouse could not be read). */
  families: FamilyLanding[] | null;
  /** The family shown; null when none is served. */
  family: FamilyLanding | null;
  activity: FamilyActivity | null;
  /** Its newest landing rejections not replayed yet (dead letters of source landing). */
  rejections: DeadLetter[];
  signals: SignalsView | null;
}

/** @returns null when `name` is not a served family (the page answers 404). */
export async function landingData(ctx: PageContext, name: string | undefined, windowName: WindowName): Promise<LandingData | null> {
  const window = timeWindow(windowName, ctx.at);
  const status = await ctx.status();
  const families = status.landing;
  const family = name === undefined ? (families?.[0] ?? null) : (families?.find((f) => f.family === name) ?? null);
  if (name !== undefined && family === null) return null;
  if (family === null) return { at: ctx.at, window, families, family, activity: null, rejections: [], signals: null };
  const [activity, rejections, signals] = await Promise.all([
    readFamilyActivity(ctx.warehouse, ctx.settings.rawSchema, family.table, window),
    listDeadLetters(ctx, { source: 'landing', pipeline: family.family }, 10).then((d) => d.entries),
    readSignals(ctx.warehouse, ctx.settings.modelsSchema, window, family.family),
  ]);
  return { at: ctx.at, window, families, family, activity, rejections, signals };
}

export function renderLanding(data: LandingData, ctx: Pick<PageContext, 'principal'>): Html {
  const { family, families, at, window } = data;
  const picker =
    families === null || families.length === 0
      ? ''
      : html`<nav aria-label="Families"><ul class="windows">${families.map(
          (f) => html`<li><a href="${CONSOLE_PREFIX}/landing${query({ family: f.family, window: window.name })}"${f.family === family?.family ? html` aria-current="true"` : ''}>${f.family}</a></li>`,
        )}</ul></nav>`;
  if (family === null) {
    return page({ title: 'Landing', current: '/landing', principal: ctx.principal, body: html`${picker}${emptyState(families === null ? 'The warehouse could not be read.' : 'No webhook family is enabled (config key families).')}` });
  }
  const h = familyHealth(family, at);
  const activity = data.activity;
  const body = html`${picker}
${windowLinks(`${CONSOLE_PREFIX}/landing`, window.name, { family: family.family })}
${section('summary', `${family.family}: all time`, html`<dl class="stats">
  <div><dt>Health</dt><dd>${badge(h.health, h.label)}</dd></div>
  <div><dt>Events landed</dt><dd>${count(family.events)}</dd></div>
  <div><dt>Last received</dt><dd>${when(family.lastReceivedAt, at)}</dd></div>
  <div><dt>Rejections</dt><dd>${count(family.rejections)}</dd></div>
  <div><dt>Last rejected</dt><dd>${when(family.lastRejectedAt, at)}</dd></div>
  <div><dt>Raw table</dt><dd class="mono">${family.table}</dd></div>
</dl>`)}
${section('activity', `Events, ${WINDOWS[window.name].label}`, activityBody(data))}
${section('latency', 'Latency signals', latencyBody(data))}
${section('recent', 'Newest events', activity === null || activity.recent.length === 0 ? emptyState('Nothing landed yet.') : table(`The newest ${family.family} events`, ['dedupe key', 'event type', 'last received', 'deliveries', 'verified by'], activity.recent.map((e) => [html`<code>${e.dedupeKey}</code>`, e.eventType, when(e.receivedAt, at), count(e.deliveries), e.verifiedBy]), [false, false, false, true, false]))}
${section('rejections', 'Newest rejections', data.rejections.length === 0 ? emptyState('No rejection waiting for this family.') : table(`Rejections of ${family.family} not replayed yet`, ['received', 'code', 'reason', 'count', 'id'], data.rejections.map((r) => [when(r.lastAt, at), html`<code>${r.code ?? '-'}</code>`, r.reason, count(r.count), html`<a href="${CONSOLE_PREFIX}/dead-letters/entry${query({ id: r.id })}">${r.id}</a>`]), [false, false, false, true, false]), html`Replay them from <a href="${CONSOLE_PREFIX}/dead-letters">Dead letters</a>.`)}`;
  return page({ title: `Landing: ${family.family}`, current: '/landing', principal: ctx.principal, body, charts: true, lead: html`Read ${when(at.toISOString(), at)}; times are UTC.` });
}

function activityBody(data: LandingData): Html {
  const activity = data.activity;
  if (activity === null || !activity.exists) return emptyState('The raw table does not exist yet: nothing of this family has landed.');
  if (activity.types.length === 0) return emptyState('No event of this family arrived in this window.');
  return html`${chart({ id: 'family-events', title: 'Events first received, by event type', unit: 'events', times: data.window.starts, series: activity.series })}
${table('Event types in this window', ['event type', 'events', 'last received'], activity.types.map((t) => [t.eventType, count(t.events), when(t.lastReceivedAt, data.at)]), [false, true, false])}`;
}

function latencyBody(data: LandingData): Html {
  const signals = data.signals;
  if (signals === null || !signals.available.latency) return emptyState('No latency signals: the signals job writes them to sb_signal_latency once a minute, and that table is not there.');
  return chart({ id: 'family-latency', title: `p95 latency by stage for ${data.family?.family ?? ''}`, unit: 'ms', times: data.window.starts, series: signals.latency });
}
