/**
 * One word for a family's health, from what the status report says it landed and refused
 * (and the alerts firing for it, when this build has alerts):
 * - `idle`: nothing landed yet;
 * - `refusing`: a delivery was refused after the last one landed, within the last hour;
 * - `alert`: an alert is firing for the family;
 * - `quiet`: events landed before, but none in the last 24 hours;
 * - `ok`: otherwise.
 */
import type { FamilyLanding } from '../status-report.js';
import type { Health } from './format.js';

export interface FamilyHealth {
  health: Health;
  /** e.g. `refusing`, `quiet for 3 d` */
  label: string;
}

const HOUR = 3_600_000;

export function familyHealth(family: FamilyLanding, now: Date, firingAlerts = 0): FamilyHealth {
  if (firingAlerts > 0) return { health: 'bad', label: `alert firing (${firingAlerts})` };
  const landed = family.lastReceivedAt === null ? null : Date.parse(family.lastReceivedAt);
  const refused = family.lastRejectedAt === null ? null : Date.parse(family.lastRejectedAt);
  if (refused !== null && now.getTime() - refused < HOUR && (landed === null || refused > landed)) return { health: 'bad', label: 'refusing' };
  if (landed === null) return { health: 'idle', label: 'nothing landed yet' };
  const quiet = now.getTime() - landed;
  if (quiet > 24 * HOUR) return { health: 'warn', label: `quiet for ${Math.floor(quiet / (24 * HOUR))} d` };
  return { health: 'ok', label: 'landing' };
}
