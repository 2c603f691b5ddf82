/**
 * `staleSources`: source freshness as `switchboard source freshness` judged it (the `freshness`
 * job, on models.freshnessSchedule), read back from `<models.schema>.sb_source_freshness`. One
 * alert per source table (`staleSources:raw.voice_events`) whose latest check is an error:
 * older than its error_after, or not checkable (a missing table). With `includeWarn`, a
 * warning too, except for a table with no rows (a family you do not use never lands any).
 * It resolves at the first check that no longer says so; a table no longer checked (its
 * freshness switched off) resolves at the next full check.
 */
import { latestFreshness, sourceFreshnessTable } from '../../../sql/engine/freshness-results.js';
import type { AlertRule, Finding } from '../rule.js';

export const staleSources: AlertRule<'staleSources'> = {
  id: 'staleSources',
  title: 'a source table is past its freshness threshold (switchboard source freshness)',
  async check(ctx, settings) {
    const table = sourceFreshnessTable(ctx.modelsSchema);
    if (!ctx.has(table.schema, table.name)) return { findings: [] };
    const findings: Finding[] = [];
    for (const f of await latestFreshness(ctx.warehouse, ctx.modelsSchema, ctx.signal)) {
      const alerting = f.status === 'error' || f.status === 'runtime error' || (settings.includeWarn && f.status === 'warn' && f.maxLoadedAt !== null);
      if (!alerting) continue;
      findings.push({
        pipeline: f.name,
        summary:
          `${f.name}: ${f.message} (source freshness checked at ${f.snapshottedAt}; thresholds: sources: in the models' YAML, models.freshness${f.status === 'warn' ? ', warnings: alerts.rules.staleSources.includeWarn' : ''}). ` +
          'Is it still landing (switchboard status)?',
        details: { status: f.status, maxLoadedAt: f.maxLoadedAt, snapshottedAt: f.snapshottedAt, ageSeconds: f.ageSeconds, warnAfterSeconds: f.warnAfterSeconds, errorAfterSeconds: f.errorAfterSeconds },
      });
    }
    return { findings };
  },
};
