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
import { plural, span, type AlertRule, type Finding } from '../rule.js';

export const deadLetters: AlertRule<'deadLetters'> = {
  id: 'deadLetters',
  title: 'dead letters growing',
  async check(ctx, settings) {
    const d = ctx.warehouse.dialect;
    const since = new Date(ctx.now.getTime() - settings.windowMinutes * 60_000);
    const counts: Array<{ pipeline: string; n: number; what: string; hint: string }> = [];
    const refused = syncRejectionsTable;
    if (ctx.syncs.length > 0 && ctx.has(refused.schema, refused.name)) {
      const list = ctx.syncs.map((_, i) => d.param(i + 3)).join(', ');
      const rows = await ctx.warehouse.all(
        `SELECT sync_name, COUNT(*) AS n FROM ${d.tableName(refused.schema, refused.name)} WHERE rejected_at >= ${d.param(1)} AND rejected_at <= ${d.param(2)} AND sync_name IN (${list}) GROUP BY sync_name`,
        [since, ctx.now, ...ctx.syncs],
        { signal: ctx.signal },
      );
      for (const row of rows) {
        const sync = String(row.sync_name);
        counts.push({ pipeline: `sync:${sync}`, n: Number(row.n), what: 'records its destination refused for good', hint: `\`switchboard sync ${sync} --replay-rejected\` sends them again once the cause is fixed.` });
      }
    }
    const quarantine = quarantineTable(ctx.rawSchema);
    if (ctx.has(quarantine.schema, quarantine.name)) {
      const rows = await ctx.warehouse.all(
        `SELECT family, COUNT(*) AS n FROM ${d.tableName(quarantine.schema, quarantine.name)} WHERE quarantined_at >= ${d.param(1)} AND quarantined_at <= ${d.param(2)} AND replayed_at IS NULL GROUP BY family`,
        [since, ctx.now],
        { signal: ctx.signal },
      );
      for (const row of rows) {
        counts.push({ pipeline: String(row.family), n: Number(row.n), what: 'records the warehouse refused, quarantined', hint: '`switchboard replay --list` shows them with the warehouse\'s error.' });
      }
    }
    const failures = pullFailuresTable(ctx.rawSchema);
    if (ctx.has(failures.schema, failures.name)) {
      const rows = await ctx.warehouse.all(
        `SELECT source, COUNT(*) AS n FROM ${d.tableName(failures.schema, failures.name)} WHERE last_failed_at >= ${d.param(1)} AND last_failed_at <= ${d.param(2)} AND resolved_at IS NULL GROUP BY source`,
        [since, ctx.now],
        { signal: ctx.signal },
      );
      for (const row of rows) {
        counts.push({ pipeline: `pull:${String(row.source)}`, n: Number(row.n), what: 'pull pages that failed and were not pulled since', hint: '`switchboard dlq list --source pull` shows them; `switchboard dlq replay --source pull` pulls them again.' });
      }
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
