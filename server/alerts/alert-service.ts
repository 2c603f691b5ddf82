/**
 * Alerts, evaluated in two loops that share the rules, the state machine (transitions.ts),
 * the deliveries (delivery.ts) and the table (`<rawSchema>._alerts`, state.ts):
 *
 * - **The `alerts` job** (job.ts, through the job runner: one node at a time, on
 *   `alerts.schedule`) evaluates every rule that reads the warehouse.
 * - **The local loop**, on every serve process on the same schedule but outside the runner,
 *   evaluates the rules that read only this process's state (`drainStalled`, `backlogHigh`;
 *   pipelines `drain@<node>`, `spool@<node>`), because the runner needs the warehouse for
 *   its lease, and a warehouse that is down is exactly when the drain stalls. While the
 *   warehouse does not answer, its alerts live in memory and still go out; they are written
 *   once it answers again.
 *
 * The gauge `switchboard_alerts_firing{rule}` counts firing alerts per rule, as the last
 * evaluation on this node saw them.
 */
import { hostname } from 'node:os';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { ALERT_RULE_IDS, type AlertRouteName, type AlertsConfig } from '../../core/config-alerts.js';
import { errorLogFields, SwitchboardError } from '../../core/errors.js';
import { cronLogger } from '../../core/cron-logger.js';
import type { MissedWebhooks } from '../../ingest/pulls/reconciliation-check.js';
import { listRelations } from '../../sql/introspect.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { SYNC_SCHEMA } from '../../sync/state.js';
import { deliver, planDeliveries } from './delivery.js';
import type { AlertRoute, AlertView } from './routes/route.js';
import { ALERT_RULES } from './rules/index.js';
import type { AlertRule, AlertRuleId, DrainFacts, RuleContext } from './rule.js';
import { AlertStore, type AlertRow } from './state.js';
import { transition, type RuleOutcome } from './transitions.js';

export interface AlertServiceOptions {
  config: AlertsConfig;
  warehouse: Warehouse;
  rawSchema: string;
  modelsSchema: string;
  families: RuleContext['families'];
  syncs: readonly string[];
  pullSources: readonly string[];
  drain: () => DrainFacts;
  reconciliation: (() => Promise<MissedWebhooks[]>) | null;
  /** The configured routes whose secrets are set (routes/from-config.ts). */
  routes: ReadonlyMap<AlertRouteName, AlertRoute>;
  /** This node's stable name (jobs.nodeName, else the host name): PagerDuty's `source`, and the `@<node>` of local pipelines. */
  node?: string;
  logger: Logger;
  /** Where `switchboard_alerts_firing` is registered (the server's /metrics registry). */
  registry?: Registry;
  now?: () => Date;
}

/** What one evaluation did (the job's summary in `_job_runs`). */
export interface EvaluationSummary {
  firing: number;
  fired: number;
  renotified: number;
  resolved: number;
  /** Rules whose check failed this time (their alerts were left as they were). */
  failedRules: string[];
}

/** The rules the local loop evaluates. */
const LOCAL_RULES = ALERT_RULE_IDS.filter((id) => ALERT_RULES[id].local === true);
const WAREHOUSE_RULES = ALERT_RULE_IDS.filter((id) => ALERT_RULES[id].local !== true);

export class AlertService {
  readonly store: AlertStore;
  readonly node: string;
  private readonly now: () => Date;
  private readonly firing: Gauge<'rule'> | null;
  private readonly failedDeliveries: Counter<'route'> | null;
  /** The local loop's rows, and those it could not write yet (the warehouse was down). */
  private localRows = new Map<string, AlertRow>();
  private readonly unsaved = new Map<string, AlertRow>();
  private task: ScheduledTask | null = null;
  private localRun: Promise<unknown> | null = null;

  constructor(private readonly options: AlertServiceOptions) {
    this.store = new AlertStore(options.warehouse, options.rawSchema);
    this.node = options.node ?? hostname();
    this.now = options.now ?? (() => new Date());
    const registers = options.registry === undefined ? null : [options.registry];
    this.firing = registers === null ? null : new Gauge({ name: 'switchboard_alerts_firing', help: 'Alerts firing now, per rule (alerts.rules), as the last evaluation on this node saw them.', labelNames: ['rule'], registers });
    this.failedDeliveries =
      registers === null ? null : new Counter({ name: 'switchboard_alert_deliveries_failed_total', help: 'Notifications a route could not deliver after its tries in one evaluation (tried again at the next), per route.', labelNames: ['route'], registers });
    for (const rule of ALERT_RULE_IDS) this.firing?.set({ rule }, 0);
  }

  get routes(): ReadonlyMap<AlertRouteName, AlertRoute> {
    return this.options.routes;
  }

  /** One evaluation of the rules that read the warehouse (the `alerts` job). Rejects only when the warehouse does not answer. */
  async evaluate(signal: AbortSignal = new AbortController().signal): Promise<EvaluationSummary> {
    const now = this.now();
    const { warehouse, rawSchema, modelsSchema } = this.options;
    const present = new Set((await listRelations(warehouse, warehouse.dialect, [rawSchema, modelsSchema, SYNC_SCHEMA])).map((r) => `${r.schema}.${r.name}`));
    const ctx = this.context(now, signal, (schema, name) => present.has(`${schema}.${name}`));
    const { outcomes, failedRules } = await this.check(WAREHOUSE_RULES, ctx);
    const rows = new Map((await this.store.load(signal)).filter((row) => !LOCAL_RULES.includes(row.rule)).map((row) => [row.key, row]));
    const result = transition(rows, outcomes, now, this.options.config.renotifyMinutes);
    await this.deliverAll(result.rows, result.notifications, result.changed, now, signal);
    await this.store.save([...result.changed].map((key) => result.rows.get(key) as AlertRow), result.removed);
    this.count(WAREHOUSE_RULES, result.rows.values());
    return { ...summarize(result.rows.values(), result.notifications), failedRules };
  }

  /**
   * One evaluation of the rules that read only this process (drain, spool). Never rejects: a
   * warehouse that does not answer leaves the state in memory, written at a later run.
   */
  async evaluateLocal(signal: AbortSignal = new AbortController().signal): Promise<EvaluationSummary> {
    const now = this.now();
    const ctx = this.context(now, signal, () => false);
    const { outcomes, failedRules } = await this.check(LOCAL_RULES, ctx);
    let rows = this.localRows;
    try {
      const loaded = (await this.store.load(signal)).filter((row) => this.ownsLocal(row));
      rows = new Map([...loaded.map((row): [string, AlertRow] => [row.key, row]), ...this.unsaved]);
    } catch (error) {
      this.options.logger.debug(errorLogFields(error), 'local alert evaluation: the warehouse does not answer; using the state in memory');
    }
    const result = transition(rows, outcomes, now, this.options.config.renotifyMinutes);
    await this.deliverAll(result.rows, result.notifications, result.changed, now, signal);
    this.localRows = result.rows;
    for (const key of result.changed) this.unsaved.set(key, result.rows.get(key) as AlertRow);
    for (const key of result.removed) this.unsaved.delete(key);
    try {
      await this.store.save([...this.unsaved.values()], result.removed);
      this.unsaved.clear();
    } catch (error) {
      this.options.logger.debug(errorLogFields(error), `local alert evaluation: ${this.unsaved.size} alert(s) kept in memory until the warehouse answers`);
    }
    this.count(LOCAL_RULES, result.rows.values());
    return { ...summarize(result.rows.values(), result.notifications), failedRules };
  }

  /** Starts the local loop on alerts.schedule (unless it is `off`, or alerts are off). */
  startLocal(): void {
    const { config, logger } = this.options;
    if (this.task !== null || !config.enabled || config.schedule === 'off') return;
    this.task = createTask(
      config.schedule,
      () => {
        if (this.localRun !== null) return; // the previous one is still delivering
        this.localRun = this.evaluateLocal(AbortSignal.timeout(config.deliveryTimeoutSeconds * 1000 + 30_000))
          .catch((error: unknown) => logger.error(errorLogFields(error), 'local alert evaluation failed'))
          .finally(() => (this.localRun = null));
      },
      { name: 'switchboard-alerts-local', logger: cronLogger(logger) },
    );
    void this.task.start();
  }

  /** Sends a test notification through `route` (POST /alerts/test). */
  async test(route: AlertRouteName): Promise<string> {
    const target = this.options.routes.get(route);
    if (target === undefined) {
      const configured = [...this.options.routes.keys()];
      throw new SwitchboardError(
        'SB_ALERT_ROUTE_NOT_CONFIGURED',
        `No ${route} route is configured${this.options.config.routes[route] === undefined ? ` (alerts.routes.${route})` : ' (its secret is not set; see README › Secrets)'}; ` +
          `${configured.length === 0 ? 'no route is' : `configured: ${configured.join(', ')}`}.`,
        { configKey: `alerts.routes.${route}` },
      );
    }
    return target.test(AbortSignal.timeout(this.options.config.deliveryTimeoutSeconds * 1000));
  }

  /** Stops the local loop (waiting for a run in flight) and closes the routes. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    await task?.destroy();
    await this.localRun;
    for (const route of this.options.routes.values()) await route.close?.();
  }

  private context(now: Date, signal: AbortSignal, has: RuleContext['has']): RuleContext {
    const { warehouse, rawSchema, modelsSchema, families, syncs, pullSources, drain, reconciliation } = this.options;
    return { now, warehouse, rawSchema, modelsSchema, families, syncs, pullSources, drain, reconciliation, has, signal };
  }

  /** Runs `ids`' checks; a check that throws leaves its rule's alerts as they are. */
  private async check(ids: readonly AlertRuleId[], ctx: RuleContext): Promise<{ outcomes: Partial<Record<AlertRuleId, RuleOutcome>>; failedRules: string[] }> {
    const outcomes: Partial<Record<AlertRuleId, RuleOutcome>> = {};
    const failedRules: string[] = [];
    for (const id of ids) {
      const settings = this.options.config.rules[id];
      const base = { enabled: settings.enabled, forMinutes: settings.forMinutes, severity: settings.severity };
      if (!settings.enabled) {
        outcomes[id] = { ...base, check: { findings: [] } };
        continue;
      }
      try {
        const rule = ALERT_RULES[id] as AlertRule<AlertRuleId>;
        const check = await rule.check(ctx, settings as never);
        // A local rule's pipelines are this node's: `drain@web-1`.
        const findings = rule.local === true ? check.findings.map((f) => ({ ...f, pipeline: `${f.pipeline}@${this.node}` })) : check.findings;
        outcomes[id] = { ...base, check: { ...check, findings } };
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        failedRules.push(id);
        outcomes[id] = { ...base, check: null };
        this.options.logger.warn({ ...errorLogFields(error), rule: id }, `alert rule ${id} could not be evaluated; its alerts stay as they are`);
      }
    }
    return { outcomes, failedRules };
  }

  private async deliverAll(rows: Map<string, AlertRow>, notifications: Parameters<typeof planDeliveries>[1], changed: Set<string>, now: Date, jobSignal: AbortSignal): Promise<void> {
    const { config, routes, logger } = this.options;
    const routesOf = (rule: string): AlertRouteName[] => {
      const settings = config.rules[rule as AlertRuleId] as { routes?: AlertRouteName[] } | undefined;
      return (settings?.routes ?? [...routes.keys()]).filter((name) => routes.has(name));
    };
    const plan = planDeliveries(rows.values(), notifications, routesOf, now, changed);
    if (plan.size === 0) return;
    const signal = AbortSignal.any([jobSignal, AbortSignal.timeout(config.deliveryTimeoutSeconds * 1000)]);
    const options = {
      attempts: config.deliveryAttempts,
      signal,
      view: (row: AlertRow) => this.view(row),
      now: this.now,
      logger,
      onFailed: (route: AlertRouteName) => this.failedDeliveries?.inc({ route }),
    };
    await Promise.all([...plan].map(([name, tasks]) => deliver(routes.get(name) as AlertRoute, tasks, changed, options)));
  }

  private view(row: AlertRow): AlertView {
    const rule = ALERT_RULES[row.rule as AlertRuleId] as { title: string } | undefined;
    const { key, pipeline, severity, summary, details, firstFiredAt, resolvedAt, notifyCount } = row;
    return { key, rule: row.rule, title: rule?.title ?? row.rule, pipeline, severity, summary, details, firstFiredAt, resolvedAt, notifyCount, source: this.node };
  }

  /** Rows of the local rules that belong to this node. */
  private ownsLocal(row: AlertRow): boolean {
    return LOCAL_RULES.includes(row.rule) && row.pipeline.endsWith(`@${this.node}`);
  }

  private count(ids: readonly AlertRuleId[], rows: Iterable<AlertRow>): void {
    if (this.firing === null) return;
    const counts = new Map<string, number>(ids.map((id) => [id, 0]));
    for (const row of rows) if (row.status === 'firing' && counts.has(row.rule)) counts.set(row.rule, (counts.get(row.rule) ?? 0) + 1);
    for (const [rule, n] of counts) this.firing.set({ rule }, n);
  }
}

function summarize(rows: Iterable<AlertRow>, notifications: ReadonlyArray<{ kind: string }>): Omit<EvaluationSummary, 'failedRules'> {
  let firing = 0;
  for (const row of rows) if (row.status === 'firing') firing += 1;
  const n = (kind: string): number => notifications.filter((x) => x.kind === kind).length;
  return { firing, fired: n('fire'), renotified: n('renotify'), resolved: n('resolve') };
}
