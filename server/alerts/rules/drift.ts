/**
 * Changes noticed elsewhere, turned into alerts:
 *
 * - `schemaDrift`: rows of `<models.schema>.schema_drift` (written by ingest/drift/: a path
 *   that appeared or stopped appearing, a type that changed, a possible rename, a field a
 *   destination refused) first seen in the last `windowMinutes`, of the configured `kinds`.
 *   One alert per family (per `sync:<name>` for a destination's); it resolves once no new
 *   drift has come for `windowMinutes`. No table yet (drift learning not set up, or nothing
 *   recorded yet) is no drift.
 * - `reconciliationMissed`: the existing reconciliation check (ingest/pulls/
 *   reconciliation-check.ts): a source whose share of pulled events no webhook brought is
 *   above pulls.reconciliation.missedShareAlert on one of the recent days; it resolves when
 *   no day of pulls.reconciliation.days breaches.
 */
import { DRIFT_KINDS } from '../../../core/config-alerts.js';
import { plural, span, type AlertRule, type Finding } from '../rule.js';

/** Where drift learning records drift (the contract of issue 15: analytics.schema_drift). */
export const SCHEMA_DRIFT_TABLE = 'schema_drift';

export const schemaDrift: AlertRule<'schemaDrift'> = {
  id: 'schemaDrift',
  title: 'schema drift',
  async check(ctx, settings) {
    if (!ctx.has(ctx.modelsSchema, SCHEMA_DRIFT_TABLE)) return { findings: [] };
    const d = ctx.warehouse.dialect;
    const kinds = settings.kinds.filter((k) => (DRIFT_KINDS as readonly string[]).includes(k));
    const rows = await ctx.warehouse.all(
      `SELECT family, event_type, kind, path, old_type, new_type, renamed_from, destination, first_seen_at FROM ${d.tableName(ctx.modelsSchema, SCHEMA_DRIFT_TABLE)} ` +
        `WHERE first_seen_at >= ${d.param(1)} AND first_seen_at <= ${d.param(2)} AND kind IN (${kinds.map((_, i) => d.param(i + 3)).join(', ')}) ORDER BY first_seen_at DESC`,
      [new Date(ctx.now.getTime() - settings.windowMinutes * 60_000), ctx.now, ...kinds],
      { signal: ctx.signal },
    );
    const byPipeline = new Map<string, Array<Record<string, string | null>>>();
    for (const row of rows) {
      const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
      const destination = text(row.destination);
      const pipeline = destination === null || destination === '' ? String(row.family) : `sync:${destination}`;
      const drift = { kind: String(row.kind), eventType: text(row.event_type), path: text(row.path), oldType: text(row.old_type), newType: text(row.new_type), renamedFrom: text(row.renamed_from), firstSeenAt: text(row.first_seen_at) };
      byPipeline.set(pipeline, [...(byPipeline.get(pipeline) ?? []), drift]);
    }
    const findings: Finding[] = [...byPipeline].map(([pipeline, drifts]) => ({
      pipeline,
      summary:
        `${pipeline}: ${plural(drifts.length, 'schema drift')} in ${span(settings.windowMinutes)}: ${drifts.slice(0, 3).map(describe).join('; ')}${drifts.length > 3 ? '; …' : ''}. ` +
        `SELECT * FROM ${ctx.modelsSchema}.${SCHEMA_DRIFT_TABLE} ORDER BY first_seen_at DESC shows them.`,
      details: { drifts: drifts.slice(0, 20), total: drifts.length },
    }));
    return { findings };
  },
};

function describe(drift: Record<string, string | null>): string {
  const where = drift.eventType === null || drift.eventType === '' ? '' : ` (${drift.eventType})`;
  switch (drift.kind) {
    case 'type_changed':
      return `${drift.path} changed from ${drift.oldType} to ${drift.newType}${where}`;
    case 'possible_rename':
      return `${drift.renamedFrom} possibly renamed to ${drift.path}${where}`;
    case 'path_missing':
      return `${drift.path} stopped appearing${where}`;
    case 'destination_field':
      return `destination field ${drift.path}: ${drift.newType ?? drift.oldType ?? 'changed'}`;
    default:
      return `new path ${drift.path}${where}`;
  }
}

export const reconciliationMissed: AlertRule<'reconciliationMissed'> = {
  id: 'reconciliationMissed',
  title: 'webhooks missed, by the reconciliation of pulls and webhooks',
  async check(ctx) {
    if (ctx.reconciliation === null) return { findings: [] };
    const worst = new Map<string, Awaited<ReturnType<NonNullable<typeof ctx.reconciliation>>>[number]>();
    for (const breach of await ctx.reconciliation()) {
      const seen = worst.get(breach.source);
      if (seen === undefined || breach.missedShare > seen.missedShare) worst.set(breach.source, breach);
    }
    return {
      findings: [...worst.values()].map((b) => ({
        pipeline: b.source,
        summary:
          `${b.source}: ${b.missedWebhooks} of ${b.pullEvents} events pulled for ${b.day} (${(b.missedShare * 100).toFixed(1)} %) never arrived as webhooks ` +
          `(pulls.reconciliation.missedShareAlert). Which ones: SELECT * FROM ${ctx.modelsSchema}.reconciliation_missed_webhooks WHERE source = '${b.source}' AND day = '${b.day}'`,
        details: { ...b },
      })),
    };
  },
};
