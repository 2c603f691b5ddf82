/** The `drift.*` section of the config: how schema drift is learned (README › Observability › Schema drift). */
import { z } from 'zod';
import { cronOrOff } from './config-fields.js';

const positiveInt = z.number().int().positive();

export const drift = z.strictObject({
  /** Learn the paths of landed events and record drift in `<models.schema>.schema_drift`. */
  enabled: z.boolean().default(true),
  /** When `serve` reads what landed since its last run (node-cron, 5 or 6 fields), or `off`. Default: every minute. */
  schedule: cronOrOff.default('* * * * *'),
  /** Rows read per raw table and query; a run reads query after query until it has caught up. */
  batchRows: positiveInt.max(100_000).default(5000),
  /**
   * The share of landed events learned, from 0 (exclusive) to 1: an event is learned when
   * its body's SHA-256 falls in that share, so the choice is the same on every run. Lower it
   * for very busy families; drift is then seen in the sampled events only.
   */
  sampleRate: z.number().gt(0).max(1).default(1),
  /** A type's first this-many learned events are its baseline: nothing in them is drift. */
  warmupEvents: z.number().int().min(0).default(20),
  /** A regular path absent from this many learned events of its type in a row is missing. */
  missingAfterEvents: positiveInt.default(200),
  /** …if it was seen in at least this many events (and in at least half of those in its span). */
  missingMinSeen: positiveInt.default(20),
  /** Rows that landed less than this long ago are left for the next run (their transaction may still be committing). */
  settleSeconds: z.number().int().min(0).max(3600).default(60),
});

export type DriftSettings = z.infer<typeof drift>;
