/**
 * `deadLetters`: what did not go through, growing. Counted per pipeline over the last
 * `windowMinutes`:
 *
 * - per sync (`sync:<name>`): records its destination refused for good
 *   (`switchboard_sync.rejections`, by `rejected_at`; a record refused again counts again,
 *   as its row moves);
 * - per family: spool records the warehouse refused on their own (`<rawSchema>._quarantine`,
 *   by `quarantined_at`, not replayed);
 * - per pull source (`pull:<source>`): pages that failed and no run has got past
 *   (`<rawSchema>._pull_failures`, by `last_failed_at`, not resolved).
 *
 * Refused webhooks are rejectionSpike's and authFailures'.
 */
import { rejectionsTable as syncRejectionsTable } from '../../../sync/state.js';
import { quarantineTable } from '../../../ingest/raw-tables.js';
import { pullFailuresTable } from '../../../ingest/pulls/failures.js';
import type { TableSpec } from '../../../sql/table-spec.js';
import { plural, span, type AlertRule, type Finding, type RuleContext } from '../rule.js';

export const deadLetters: AlertRule<'deadLetters'> = {
  id: 'deadLetters',
  title: 'dead letters growing',
  async check(ctx, settings) {
    const since = new Date(ctx.now.getTime() - settings.windowMinutes * 60_000);
    const counts: Count[] = [];
    const refused = syncRejectionsTable;
    if (ctx.syncs.length > 0) {
      const inSyncs = `sync_name IN (${ctx.syncs.map((_, i) => ctx.warehouse.dialect.param(i + 3)).join(', ')})`;
      for (const row of await countSince(ctx, refused, 'sync_name', 'rejected_at', inSyncs, since, ctx.syncs)) {
        const sync = row.key;
        counts.push({ pipeline: `sync:${sync}`, n: row.n, what: 'records its destination refused for good', hint: `\`switchboard dlq replay --sync ${sync}\` sends them again once the cause is fixed.` });
      }
    }
    for (const row of await countSince(ctx, quarantineTable(ctx.rawSchema), 'family', 'quarantined_at', 'replayed_at IS NULL', since)) {
      counts.push({ pipeline: row.key, n: row.n, what: 'records the warehouse refused, quarantined', hint: "`switchboard dlq list --source quarantine` shows them with the warehouse's error." });
    }
    for (const row of await countSince(ctx, pullFailuresTable(ctx.rawSchema), 'source', 'last_failed_at', 'resolved_at IS NULL', since)) {
      counts.push({ pipeline: `pull:${row.key}`, n: row.n, what: 'pull pages that failed and were not pulled since', hint: '`switchboard dlq list --source pull` shows them; `switchboard dlq replay --source pull` pulls them again.' });
    }
    const findings: Finding[] = counts
      .filter((c) => c.n >= settings.minCount)
      .map((c) => ({
        pipeline: c.pipeline,
        summary: `${c.pipeline}: ${plural(c.n, 'new dead letter')} in ${span(settings.windowMinutes)}: ${c.what} (alert at ${settings.minCount}, alerts.rules.deadLetters.minCount). ${c.hint}`,
        details: { deadLetters: c.n, windowMinutes: settings.windowMinutes },
      }));
    return { findings };
  },
};

interface Count {
  pipeline: string;
  n: number;
  what: string;
  hint: string;
}

/** Rows of `table` per `groupBy` whose `at` falls in [since, now] and that meet `where`; none when the table is not there. */
async function countSince(
  ctx: RuleContext,
  table: TableSpec,
  groupBy: string,
  at: string,
  where: string,
  since: Date,
  extra: readonly string[] = [],
): Promise<Array<{ key: string; n: number }>> {
  if (!ctx.has(table.schema, table.name)) return [];
  const d = ctx.warehouse.dialect;
  const rows = await ctx.warehouse.all(
    `SELECT ${groupBy} AS k, COUNT(*) AS n FROM ${d.tableName(table.schema, table.name)} WHERE ${at} >= ${d.param(1)} AND ${at} <= ${d.param(2)} AND ${where} GROUP BY ${groupBy}`,
    [since, ctx.now, ...extra],
    { signal: ctx.signal },
  );
  return rows.map((row) => ({ key: String(row.k), n: Number(row.n) }));
}
