/**
 * The `models` section of the config: which models project, where it builds, when, and the
 * settings the bundled models read (regions, zones, vars, the PII policy, tests, freshness).
 */
import { z } from 'zod';
import { cronOrOff, ianaZone, schemaName } from './config-fields.js';
import { freshnessOverrides } from './config-freshness.js';

const piiPolicy = z.enum(['keep', 'mask', 'hash']);

export const models = z.strictObject({
  /** Replaces the bundled models with this project (`.sql` models and `.yml` data tests). Default: the models shipped with Switchboard. */
  dir: z.string().min(1).optional(),
  /**
   * Your own model folders, layered on top of the bundled models: their models can ref() the
   * bundled ones, and a model of the same name overrides the bundled one.
   */
  paths: z.array(z.string().min(1)).default([]),
  /** Models left out of every build, by name (e.g. a bundled sync model you do not use). */
  disabled: z.array(z.string().regex(/^[A-Za-z0-9_]+$/, 'a model name such as slack_escalations')).default([]),
  /** Schema the curated tables are built in. */
  schema: schemaName.default('analytics'),
  /** Where run_results.json is written. */
  targetDir: z.string().min(1).default('./data/target'),
  /**
   * When `serve` builds the models: a cron expression (node-cron, 5 or 6 fields), or `off`.
   * Default: every 5 minutes.
   */
  schedule: cronOrOff.default('*/5 * * * *'),
  /** When `serve` checks source freshness (cron, or `off`); default every 15 minutes. */
  freshnessSchedule: cronOrOff.default('*/15 * * * *'),
  /** Source freshness thresholds over the YAML's, by `<source>` or `<source>.<table>` (core/config-freshness.ts). */
  freshness: freshnessOverrides,
  /** How far incremental models look back before their newest row, for late and out-of-order events. */
  lookbackSeconds: z.number().int().min(0).default(3600),
  /** Region (ISO 3166 alpha-2) for national phone numbers that carry no country of their own. */
  defaultRegion: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
  /** Per family, overriding defaultRegion: e.g. `{ voice: "SG" }` when every voice number is Singaporean. */
  regions: z
    .strictObject({
      messaging: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
      voice: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
      contactCenter: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
      meetings: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
      /** 8x8 Work call records (pulls.workAnalytics): national numbers and `dnis` without `+`. */
      work: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as "US"').optional(),
    })
    .prefault({}),
  /**
   * IANA zone of zone-less local times (e.g. Cloud Storage `createdTime`, CC tenant-local
   * strings), available to models as var('local_time_zone'). DST-safe.
   */
  localTimeZone: ianaZone.default('UTC'),
  /** Extra values for var() in models. */
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).default({}),
  /** What curated tables keep of personal data; the raw tables always keep the originals. */
  pii: z
    .strictObject({
      /** Phone number columns (from_e164, to_raw, phone_e164, …). */
      phone: piiPolicy.default('keep'),
      /** Message bodies. */
      body: piiPolicy.default('keep'),
      /** Per column, overriding the two above: `{ "messages.body": "hash", "calls.from_raw": "mask" }`. */
      columns: z.record(z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'keys are model.column'), piiPolicy).default({}),
    })
    .prefault({}),
  /** Data tests and singular tests (README › Your own models › Tests). */
  tests: z
    .strictObject({
      /** Keep every test's failing rows in a table of failuresSchema (dbt's store_failures); a test's own config wins. */
      storeFailures: z.boolean().default(false),
      /** Where failing rows are kept, one table per test. Default: `<models.schema>_dbt_test__audit`, dbt's name. */
      failuresSchema: schemaName.optional(),
    })
    .prefault({}),
});
