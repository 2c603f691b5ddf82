/** The `pulls.*` section of the config: which 8x8 APIs are pulled, when, and how far back. */
import { z } from 'zod';
import { cronOrOff, ianaZone } from './config-fields.js';

/** When and how far a source's scheduled pulls reach; shared by every pull source. */
const pullTiming = {
  /** When `serve` pulls (node-cron), or `off` (then only `switchboard pull`). Default: hourly. */
  schedule: cronOrOff.default('17 * * * *'),
  /** Each scheduled pull re-reads this many hours before where the last one ended: 8x8 finalises records late. */
  lookbackHours: z.number().min(0).max(24 * 30).default(24),
  /** The first scheduled pull reaches back this many days (a longer history is a backfill: `switchboard pull --from`). */
  initialDays: z.number().positive().max(730).default(2),
};

/**
 * Pulls from 8x8's REST APIs (backfill and reconciliation). A source is on when its key is
 * present; its credentials come from the environment (README › Secrets).
 */
export const pulls = z.strictObject({
  /** 8x8 Work Analytics call records (historical CDRs). */
  workAnalytics: z
    .strictObject({
      baseUrl: z.string().url().default('https://api.8x8.com/analytics/work'),
      /** The zone 8x8 reads query windows in; windows are that zone's calendar days. */
      timeZone: ianaZone.default('UTC'),
      /** Records per page (8x8 allows at most 7000). */
      pageSize: z.number().int().min(1).max(7000).default(1000),
      /** A PBX name, a comma list, or `allpbxes`. */
      pbxId: z.string().min(1).optional(),
      /** Also pull each call's legs (/v2/call-legs) into call_legs. */
      legs: z.boolean().default(true),
      ...pullTiming,
    })
    .optional(),
  /** Contact Center Historical Analytics, detailed interaction reports. */
  ccInteractions: z
    .strictObject({
      /** The tenant's region: picks the API path (us, eu, au, ca). */
      region: z.enum(['us', 'eu', 'au', 'ca']).default('us'),
      /** Overrides the region's base URL (…/analytics/cc/v8/historical-metrics/). */
      baseUrl: z.string().url().optional(),
      tokenUrl: z.string().url().default('https://api.8x8.com/oauth/v2/token'),
      /** Multi-tenant organisations: sent as X-Tenant-Info. */
      tenantId: z.string().min(1).optional(),
      /** Rows per page (at most 1000). */
      pageSize: z.number().int().min(1).max(1000).default(1000),
      /** One report per this many hours of the range. */
      windowHours: z.number().int().min(1).max(24 * 31).default(24),
      ...pullTiming,
    })
    .optional(),
  /** 8x8 Connect log exports (async CSV jobs) for SMS, Chat Apps and Voice. */
  connect: z
    .strictObject({
      /** The Connect subaccount the exports are for: 3–50 of A-Z a-z 0-9 - . _ & (docs_oas/connect/sms_api.json). */
      subAccountId: z.string().regex(/^[A-Za-z0-9\-._&]{3,50}$/, 'must be a Connect subaccount id: 3 to 50 of A-Z a-z 0-9 - . _ &'),
      /** Which exports to pull. */
      products: z.array(z.enum(['sms', 'chatapps', 'voice'])).min(1).default(['sms', 'chatapps', 'voice']),
      /** Per product, the API base (…/api/v1); defaults are the global hosts. */
      smsUrl: z.string().url().default('https://sms.8x8.com/api/v1'),
      chatappsUrl: z.string().url().default('https://chatapps.8x8.com/api/v1'),
      voiceUrl: z.string().url().default('https://voice.8x8.com/api/v1'),
      /** One export job per this many hours of the range. */
      windowHours: z.number().int().min(1).max(24 * 31).default(24),
      /** First wait between job status checks; it grows to a minute. */
      pollIntervalMs: z.number().int().min(10).default(5000),
      ...pullTiming,
    })
    .optional(),
  /** reconciliation_daily: alert when too many events were seen only by a pull (their webhook never came). */
  reconciliation: z
    .strictObject({
      /** Alert when a source's missed share on a day is above this (0–1), e.g. 0.05 = 5 % of pulled events had no webhook. */
      missedShareAlert: z.number().min(0).max(1).default(0.05),
      /** …and at least this many events were pulled that day (small days are noisy). */
      minEvents: z.number().int().min(1).default(20),
      /** How many recent days the check looks at. */
      days: z.number().int().min(1).max(90).default(3),
    })
    .prefault({}),
});

/** Whether any pull source is on: without one there is nothing to reconcile, so neither the reconciliation models nor serve's check run. */
export function pullsConfigured(section: z.infer<typeof pulls>): boolean {
  return section.workAnalytics !== undefined || section.ccInteractions !== undefined || section.connect !== undefined;
}
