/**
 * How many webhooks each family receives, from its raw table (`first_received_at` of each
 * logical event; conflicting versions and pulled records left out, so a pull does not hide a
 * webhook outage):
 *
 * - `volumeDrop`: the last `windowMinutes` against the same window 1…`weeks` weeks earlier
 *   (same weekday and hour). Weeks with no webhook at all in that window (before the
 *   install, or an outage then) are left out of the average; with none left, or an average
 *   below `minBaseline`, there is nothing to compare with.
 * - `sourceFreshness`: no webhook for `maxSilenceMinutes`, for families that received some
 *   in the last `lookbackDays`. A family silent for longer is out of reach: an alert already
 *   firing for it stays firing (it does not resolve by itself), none starts.
 *
 * Each query filters on `first_received_at` ranges, which DuckDB's zone maps, BigQuery's
 * partitions and Snowflake's micro-partitions prune; Postgres scans the table (no index on it).
 */
import type { Warehouse } from '../../../sql/warehouse.js';
import { plural, span, type AlertRule, type Finding, type RuleContext } from '../rule.js';

const WEEK_MS = 7 * 86_400_000;
/** Webhook deliveries only: pulls land with `verified_by = 'pull:<source>'`. */
const WEBHOOKS_ONLY = `conflict_of IS NULL AND verified_by NOT LIKE 'pull:%'`;

/** The served families grouped by the raw table they land in. */
function byTable(ctx: RuleContext): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const { family, table } of ctx.families) {
    if (!ctx.has(ctx.rawSchema, table)) continue;
    tables.set(table, [...(tables.get(table) ?? []), family]);
  }
  return tables;
}

/** Per family, the webhooks received in each window `[from, to)`. */
async function countWindows(warehouse: Warehouse, table: string, windows: ReadonlyArray<{ from: Date; to: Date }>, signal: AbortSignal): Promise<Map<string, number[]>> {
  const d = warehouse.dialect;
  const ranges = windows.map((_, i) => `(first_received_at >= ${d.param(2 * i + 1)} AND first_received_at < ${d.param(2 * i + 2)})`);
  const sums = ranges.map((range, i) => `SUM(CASE WHEN ${range} THEN 1 ELSE 0 END) AS w${i}`);
  const rows = await warehouse.all(
    `SELECT family, ${sums.join(', ')} FROM ${table} WHERE ${WEBHOOKS_ONLY} AND (${ranges.join(' OR ')}) GROUP BY family`,
    windows.flatMap((w) => [w.from, w.to]),
    { signal },
  );
  return new Map(rows.map((row) => [String(row.family), windows.map((_, i) => Number(row[`w${i}`] ?? 0))]));
}

export const volumeDrop: AlertRule<'volumeDrop'> = {
  id: 'volumeDrop',
  title: 'a volume drop against the same hour of previous weeks',
  async check(ctx, settings) {
    const windowMs = settings.windowMinutes * 60_000;
    const now = ctx.now.getTime();
    const windows = Array.from({ length: settings.weeks + 1 }, (_, week) => ({ from: new Date(now - week * WEEK_MS - windowMs), to: new Date(now - week * WEEK_MS) }));
    const findings: Finding[] = [];
    for (const [table, families] of byTable(ctx)) {
      const counts = await countWindows(ctx.warehouse, ctx.warehouse.dialect.tableName(ctx.rawSchema, table), windows, ctx.signal);
      for (const family of families) {
        const [current = 0, ...previous] = counts.get(family) ?? [];
        const weeks = previous.filter((n) => n > 0);
        if (weeks.length === 0) continue;
        const baseline = weeks.reduce((a, b) => a + b, 0) / weeks.length;
        if (baseline < settings.minBaseline || current >= (1 - settings.dropShare) * baseline) continue;
        const drop = Math.round((1 - current / baseline) * 100);
        findings.push({
          pipeline: family,
          summary:
            `${family}: ${plural(current, 'webhook')} in the last ${span(settings.windowMinutes)}, ${drop} % below the ${Math.round(baseline)} of the same window in the previous ` +
            `${plural(weeks.length, 'week')} (alert at ${Math.round(settings.dropShare * 100)} %, alerts.rules.volumeDrop.dropShare)`,
          details: { current, baseline, previousWeeks: previous, windowMinutes: settings.windowMinutes },
        });
      }
    }
    return { findings };
  },
};

export const sourceFreshness: AlertRule<'sourceFreshness'> = {
  id: 'sourceFreshness',
  title: 'no webhook from a family for too long',
  async check(ctx, settings) {
    const d = ctx.warehouse.dialect;
    const since = new Date(ctx.now.getTime() - settings.lookbackDays * 86_400_000);
    const findings: Finding[] = [];
    const unknown: string[] = [];
    for (const [table, families] of byTable(ctx)) {
      const rows = await ctx.warehouse.all(
        `SELECT family, MAX(first_received_at) AS last FROM ${d.tableName(ctx.rawSchema, table)} WHERE ${WEBHOOKS_ONLY} AND first_received_at >= ${d.param(1)} GROUP BY family`,
        [since],
        { signal: ctx.signal },
      );
      const last = new Map(rows.map((row) => [String(row.family), String(row.last)]));
      for (const family of families) {
        const at = last.get(family);
        if (at === undefined) {
          unknown.push(family);
          continue;
        }
        const silentMinutes = (ctx.now.getTime() - Date.parse(at)) / 60_000;
        if (silentMinutes < settings.maxSilenceMinutes) continue;
        findings.push({
          pipeline: family,
          summary: `${family}: no webhook for ${span(Math.floor(silentMinutes))}, since ${at} (alert after ${span(settings.maxSilenceMinutes)}, alerts.rules.sourceFreshness.maxSilenceMinutes). Is the webhook still registered at 8x8, and does it reach this server?`,
          details: { lastReceivedAt: at, silentMinutes: Math.floor(silentMinutes) },
        });
      }
    }
    return { findings, unknown };
  },
};
