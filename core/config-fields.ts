/** Config fields several sections share (kept apart so each section can live in its own file). */
import { validateDetailed } from 'node-cron';
import { z } from 'zod';

/** A node-cron expression (5 fields, or 6 with seconds first), or `off`. */
export const cronOrOff = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    if (value === 'off') return;
    const { valid, errors } = validateDetailed(value);
    if (valid) return;
    const why = errors.map((e) => (e.field === 'expression' ? e.message : `${e.field}: ${e.message}`)).join('; ');
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a cron expression (${why}); use 5 fields ("*/5 * * * *"), 6 with seconds first, or "off"` });
  });

/** An IANA time zone name, e.g. `America/New_York` or `UTC`. */
export const ianaZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "America/New_York" or "UTC"');

/** A schema (or BigQuery dataset) name as Switchboard writes it unquoted: `raw`, `analytics`. */
export const schemaName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name such as raw (letters, digits, underscore)');
