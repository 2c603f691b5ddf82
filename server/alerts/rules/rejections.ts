/**
 * Refusals per family, from `<rawSchema>.rejections` (every refused webhook lands there; past
 * rejections.perSourcePerMinute one summary row a minute counts the rest in `occurrences`):
 *
 * - `authFailures`: 401 and 403 answers, i.e. missing or wrong credentials, bad signatures,
 *   expired signature timestamps, unknown signing keys and refused addresses
 *   (ingest/errors.ts). Expired or rotated credentials are the most common outage: 8x8 keeps
 *   sending and every delivery is refused.
 * - `rejectionSpike`: every other refusal (bodies that are not JSON, too large, …).
 *
 * Rows are counted by `received_at` in the last `windowMinutes`. A summary row carries the
 * time of its flush, so a flood is counted up to a minute late.
 */
import type { SqlDialect } from '../../../sql/dialect.js';
import { rejectionsTable } from '../../../ingest/raw-tables.js';
import { plural, span, type AlertRule, type Finding, type RuleContext } from '../rule.js';

/** The statuses of authentication refusals (ingest/errors.ts INGEST_ERROR_STATUS). */
const AUTH_STATUSES = '401, 403';

interface Refusals {
  family: string;
  n: number;
  codes: Record<string, number>;
  last: string;
}

/** Refusals per family and code since `since`, auth ones (401/403) or the others. */
async function refusals(ctx: RuleContext, auth: boolean, since: Date): Promise<Refusals[] | null> {
  const table = rejectionsTable(ctx.rawSchema);
  if (!ctx.has(table.schema, table.name)) return null;
  const d: SqlDialect = ctx.warehouse.dialect;
  const rows = await ctx.warehouse.all(
    `SELECT family, error_code, SUM(COALESCE(occurrences, 1)) AS n, MAX(received_at) AS last FROM ${d.tableName(table.schema, table.name)} ` +
      `WHERE received_at >= ${d.param(1)} AND received_at <= ${d.param(2)} AND status_code ${auth ? '' : 'NOT '}IN (${AUTH_STATUSES}) GROUP BY family, error_code`,
    [since, ctx.now],
    { signal: ctx.signal },
  );
  const byFamily = new Map<string, Refusals>();
  for (const row of rows) {
    const family = String(row.family);
    const entry = byFamily.get(family) ?? { family, n: 0, codes: {}, last: '' };
    const n = Number(row.n);
    entry.n += n;
    entry.codes[String(row.error_code)] = n;
    if (String(row.last) > entry.last) entry.last = String(row.last);
    byFamily.set(family, entry);
  }
  return [...byFamily.values()];
}

function topCodes(codes: Record<string, number>): string {
  return Object.entries(codes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
}

function findings(found: Refusals[], settings: { windowMinutes: number; minCount: number }, what: string, hint: string, key: string): Finding[] {
  return found
    .filter((f) => f.n >= settings.minCount)
    .map((f) => ({
      pipeline: f.family,
      summary: `${f.family}: ${plural(f.n, what)} in ${span(settings.windowMinutes)} (${topCodes(f.codes)}; alert at ${settings.minCount}, alerts.rules.${key}.minCount). ${hint}`,
      details: { refusals: f.n, byCode: f.codes, windowMinutes: settings.windowMinutes, lastRefusedAt: f.last },
    }));
}

export const authFailures: AlertRule<'authFailures'> = {
  id: 'authFailures',
  title: 'a spike of authentication failures per family',
  async check(ctx, settings) {
    const found = await refusals(ctx, true, new Date(ctx.now.getTime() - settings.windowMinutes * 60_000));
    if (found === null) return { findings: [] };
    const hint = 'Check the credentials 8x8 sends against the secrets set here (README › Secrets); `switchboard replay --list` shows the refusals.';
    return { findings: findings(found, settings, 'authentication failure', hint, 'authFailures') };
  },
};

export const rejectionSpike: AlertRule<'rejectionSpike'> = {
  id: 'rejectionSpike',
  title: 'a spike of rejections per family',
  async check(ctx, settings) {
    const found = await refusals(ctx, false, new Date(ctx.now.getTime() - settings.windowMinutes * 60_000));
    if (found === null) return { findings: [] };
    return { findings: findings(found, settings, 'refused webhook', '`switchboard replay --list` shows them, with their reasons.', 'rejectionSpike') };
  },
};
