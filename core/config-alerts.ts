/**
 * The `alerts.*` section of the config: which conditions alert, how long they must hold, and
 * where the alerts go (Slack, email, PagerDuty). Every rule is on by default; without a route
 * configured, alerts are still recorded (`<rawSchema>._alerts`, GET /alerts, the metric
 * `switchboard_alerts_firing`). Secrets of the routes come from the environment (README ›
 * Secrets); server/alerts/ evaluates the rules.
 */
import { z } from 'zod';
import { cronOrOff } from './config-fields.js';

/** Where an alert can go. */
export const ALERT_ROUTE_NAMES = ['slack', 'email', 'pagerduty'] as const;
export type AlertRouteName = (typeof ALERT_ROUTE_NAMES)[number];

/** PagerDuty's severities (Events API v2 `payload.severity`), also shown in Slack and email. */
export const ALERT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The kinds of `analytics.schema_drift` rows (ingest/drift/). */
export const DRIFT_KINDS = ['path_added', 'path_missing', 'type_changed', 'possible_rename', 'destination_field'] as const;

const positiveInt = z.number().int().positive();
/** Minutes, fractions allowed (0.5 = 30 s), at most a week. */
const minutes = z.number().min(0).max(7 * 24 * 60);
const share = z.number().min(0).max(1);

/**
 * What every rule takes, then its own thresholds.
 * @param defaults how long the condition must hold before it fires, and how bad it is
 */
function rule<T extends z.ZodRawShape>(defaults: { forMinutes: number; severity: AlertSeverity }, thresholds: T) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The condition must hold this long (across evaluations) before the alert fires; 0: at once. */
      forMinutes: minutes.default(defaults.forMinutes),
      severity: z.enum(ALERT_SEVERITIES).default(defaults.severity),
      /** Where this rule's alerts go; unset: every configured route. */
      routes: z.array(z.enum(ALERT_ROUTE_NAMES)).optional(),
      ...thresholds,
    })
    .prefault({} as never); // every key has a default; `never` only because T is generic here
}

const rules = z.strictObject({
  /** The drain has not moved a waiting backlog for drain.stallAfterSeconds (nothing reaches the warehouse). */
  drainStalled: rule({ forMinutes: 0, severity: 'critical' }, {}),
  /** The spool backlog is above this share of spool.maxBytes (webhooks get 503 at 1). */
  backlogHigh: rule({ forMinutes: 10, severity: 'error' }, { maxShare: share.default(0.5) }),
  /** Per family, at least minCount refusals other than authentication failures in the last windowMinutes. */
  rejectionSpike: rule({ forMinutes: 0, severity: 'warning' }, { windowMinutes: minutes.positive().default(10), minCount: positiveInt.default(50) }),
  /** Per family, at least minCount authentication failures (401, 403) in the last windowMinutes: expired or rotated credentials. */
  authFailures: rule({ forMinutes: 0, severity: 'error' }, { windowMinutes: minutes.positive().default(5), minCount: positiveInt.default(10) }),
  /**
   * Per family, the webhooks of the last windowMinutes are fewer than (1 − dropShare) of the
   * average of the same window in the previous `weeks` weeks, when that average is at least minBaseline.
   */
  volumeDrop: rule(
    { forMinutes: 30, severity: 'warning' },
    {
      windowMinutes: minutes.positive().default(60),
      weeks: z.number().int().min(1).max(12).default(4),
      dropShare: share.default(0.5),
      minBaseline: positiveInt.default(100),
    },
  ),
  /** Per family (or destination), drift recorded in `<models.schema>.schema_drift` first seen in the last windowMinutes. */
  schemaDrift: rule(
    { forMinutes: 0, severity: 'warning' },
    { windowMinutes: minutes.positive().default(60), kinds: z.array(z.enum(DRIFT_KINDS)).min(1).default([...DRIFT_KINDS]) },
  ),
  /** Per pull source, the reconciliation check's breach (thresholds: pulls.reconciliation). */
  reconciliationMissed: rule({ forMinutes: 0, severity: 'warning' }, {}),
  /** Per sync, its last `consecutive` runs failed. */
  syncFailures: rule({ forMinutes: 0, severity: 'error' }, { consecutive: positiveInt.max(100).default(2) }),
  /** Per pull source, its last `consecutive` runs failed. */
  pullFailures: rule({ forMinutes: 0, severity: 'error' }, { consecutive: positiveInt.max(100).default(2) }),
  /** The last `consecutive` builds failed (a model or test erred, or the build could not run). */
  buildFailures: rule({ forMinutes: 0, severity: 'error' }, { consecutive: positiveInt.max(100).default(1) }),
  /** Per sync and per family, at least minCount new dead letters (sync rejections, quarantined records) in the last windowMinutes. */
  deadLetters: rule({ forMinutes: 0, severity: 'warning' }, { windowMinutes: minutes.positive().default(60), minCount: positiveInt.default(10) }),
  /** Per family that received webhooks in the last lookbackDays, none for maxSilenceMinutes. */
  sourceFreshness: rule(
    { forMinutes: 0, severity: 'error' },
    { maxSilenceMinutes: minutes.positive().default(120), lookbackDays: z.number().int().min(1).max(90).default(7) },
  ),
  /**
   * Per source table, its latest `switchboard source freshness` check is an error (past
   * error_after, or it could not be checked); with includeWarn, a warning too (a table with no rows never alerts).
   */
  staleSources: rule({ forMinutes: 0, severity: 'error' }, { includeWarn: z.boolean().default(false) }),
});

export type AlertRuleId = keyof z.infer<typeof rules>;
export const ALERT_RULE_IDS = Object.keys(rules.shape) as AlertRuleId[];

const routes = z.strictObject({
  /** The Slack app of the Slack destination (SWITCHBOARD_SLACK_BOT_TOKEN), posting to one channel. */
  slack: z
    .strictObject({
      /** The channel ID (`C0123ABCD`), with the app invited to it. */
      channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel ID such as C0123ABCD (not a #name)'),
      apiUrl: z.string().url().default('https://slack.com/api/'),
      timeoutMs: positiveInt.default(10_000),
    })
    .optional(),
  /** SMTP (nodemailer); the password, when `user` is set, is SWITCHBOARD_ALERTS_SMTP_PASSWORD. */
  email: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** true: TLS from the start (port 465); false: STARTTLS when the server offers it (587, 25). */
      secure: z.boolean().default(false),
      user: z.string().min(1).optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
      timeoutMs: positiveInt.default(10_000),
    })
    .optional(),
  /** PagerDuty Events API v2; the integration's routing key is SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY. */
  pagerduty: z
    .strictObject({
      url: z.string().url().default('https://events.pagerduty.com/v2/enqueue'),
      timeoutMs: positiveInt.default(10_000),
    })
    .optional(),
});

export const alerts = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** When the rules are evaluated (node-cron), or `off`. Default: every minute. */
    schedule: cronOrOff.default('* * * * *'),
    /** A firing alert is announced again at most this often (0: never again). */
    renotifyMinutes: minutes.default(240),
    /** Tries per route and notification within one evaluation (backing off between them); what still fails is tried at the next. */
    deliveryAttempts: z.number().int().min(1).max(10).default(3),
    /** Longest the deliveries of one evaluation may take, all routes together. */
    deliveryTimeoutSeconds: positiveInt.max(600).default(60),
    routes: routes.prefault({}),
    rules: rules.prefault({}),
  })
  .superRefine((section, ctx) => {
    for (const id of ALERT_RULE_IDS) {
      for (const route of section.rules[id].routes ?? []) {
        if (section.routes[route] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['rules', id, 'routes'], message: `names ${route}, but alerts.routes.${route} is not configured; configure it or remove it here` });
        }
      }
    }
  });

export type AlertsConfig = z.infer<typeof alerts>;
