/**
 * `models.freshness`: source freshness thresholds over the ones declared in the models' YAML
 * (`sources:`), by `<source>` or `<source>.<table>`; `off` switches the check off (a null in
 * the config means "unset", as everywhere in it). sql/engine/sources.ts applies them.
 */
import { z } from 'zod';

/** A threshold as dbt writes it: `{ count: 12, period: hour }`. */
const freshnessTime = z.strictObject({ count: z.number().int().positive(), period: z.enum(['minute', 'hour', 'day']) });

/** @example { "raw.meetings_events": { errorAfter: { count: 6, period: "hour" } }, "raw.work_events": "off" } */
export const freshnessOverrides = z
  .record(
    z.string().regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/, 'keys are <source> or <source>.<table>, e.g. raw.voice_events'),
    // `off` reads as `{ off: true }`, so that a mistake inside an object is reported as one (not as "not allowed").
    z.preprocess(
      (value) => (value === 'off' ? { off: true } : value),
      z
        .strictObject({ off: z.literal(true).optional(), warnAfter: freshnessTime.optional(), errorAfter: freshnessTime.optional() })
        .refine((o) => o.off === true || o.warnAfter !== undefined || o.errorAfter !== undefined, 'give warnAfter or errorAfter, or "off" to switch the check off'),
    ),
  )
  .default({});
