/**
 * The missed-webhook alert of `serve`: after each scheduled build, the recent days of
 * `<models.schema>.reconciliation_daily` are read, and a source/day whose share of pulled
 * events that no webhook brought is above `pulls.reconciliation.missedShareAlert` (with at
 * least `minEvents` pulled that day) is logged at level error with code
 * SB_PULL_WEBHOOKS_MISSED, once per source and day until it changes. The highest share per
 * source is the gauge `switchboard_webhooks_missed_share` on /metrics. Never throws.
 * The same breaches feed the alert rule `reconciliationMissed` (server/alerts/rules/drift.ts),
 * which reads them through {@link ReconciliationCheck.breaches} at each evaluation and routes
 * them like every other alert.
 */
import type { Logger } from 'pino';
import type { Warehouse } from '../../sql/warehouse.js';
import type { Metrics } from '../metrics.js';

export interface ReconciliationSettings {
  missedShareAlert: number;
  minEvents: number;
  days: number;
}

export interface MissedWebhooks {
  source: string;
  day: string;
  pullEvents: number;
  missedWebhooks: number;
  missedShare: number;
}

export class ReconciliationCheck {
  /** source/day → missed count already alerted, so a breach is logged once until it changes. */
  private readonly alerted = new Map<string, number>();

  constructor(
    private readonly options: {
      warehouse: Warehouse;
      analyticsSchema: string;
      settings: ReconciliationSettings;
      logger: Logger;
      metrics?: Metrics;
    },
  ) {}

  /**
   * The breaches of the recent days (empty when the model is not built yet or all is well),
   * without logging: what the `reconciliationMissed` alert rule reads (server/alerts/).
   */
  async breaches(now = new Date()): Promise<MissedWebhooks[]> {
    return (await this.read(now)).breaches;
  }

  /** The breaches of the recent days (empty when the model is not built yet or all is well), logged once each, and the gauge set. */
  async run(now = new Date()): Promise<MissedWebhooks[]> {
    const { analyticsSchema, settings, logger, metrics } = this.options;
    const { highest, breaches } = await this.read(now);
    for (const [source, share] of highest) metrics?.webhooksMissedShare.set({ source }, share);
    for (const breach of breaches) {
      const key = `${breach.source}/${breach.day}`;
      if (this.alerted.get(key) === breach.missedWebhooks) continue;
      this.alerted.set(key, breach.missedWebhooks);
      logger.error(
        { code: 'SB_PULL_WEBHOOKS_MISSED', ...breach, threshold: settings.missedShareAlert },
        `${breach.missedWebhooks} of ${breach.pullEvents} ${breach.source} events on ${breach.day} (${(breach.missedShare * 100).toFixed(1)} %) never arrived as webhooks ` +
          `(alert above ${(settings.missedShareAlert * 100).toFixed(1)} %, pulls.reconciliation.missedShareAlert). Which ones: ` +
          `SELECT * FROM ${analyticsSchema}.reconciliation_missed_webhooks WHERE source = '${breach.source}' AND day = '${breach.day}'`,
      );
    }
    return breaches;
  }

  /** Each source's highest share, and the breaches, of the recent days. */
  private async read(now: Date): Promise<{ highest: Map<string, number>; breaches: MissedWebhooks[] }> {
    const { warehouse, analyticsSchema, settings, logger } = this.options;
    const d = warehouse.dialect;
    const since = new Date(now.getTime() - settings.days * 86_400_000).toISOString().slice(0, 10);
    type Row = { source: string; day: string; pull_events: number; missed_webhooks: number; missed_share: number };
    let rows: Row[];
    try {
      rows = await warehouse.all<Row>(
        `SELECT source, CAST(day AS ${d.typeName('text')}) AS day, pull_events, missed_webhooks, missed_share FROM ${d.tableName(analyticsSchema, 'reconciliation_daily')} ` +
          `WHERE day >= CAST(${d.param(1)} AS DATE) AND pull_events > 0 ORDER BY source, day`,
        [since],
      );
    } catch (error) {
      logger.debug({ err: error }, 'reconciliation check skipped: reconciliation_daily is not readable (not built yet?)');
      return { highest: new Map(), breaches: [] };
    }
    const highest = new Map<string, number>();
    const breaches: MissedWebhooks[] = [];
    for (const row of rows) {
      const found: MissedWebhooks = {
        source: row.source,
        day: String(row.day),
        pullEvents: Number(row.pull_events),
        missedWebhooks: Number(row.missed_webhooks),
        missedShare: Number(row.missed_share),
      };
      highest.set(found.source, Math.max(highest.get(found.source) ?? 0, found.missedShare));
      if (found.pullEvents >= settings.minEvents && found.missedShare > settings.missedShareAlert) breaches.push(found);
    }
    return { highest, breaches };
  }
}
