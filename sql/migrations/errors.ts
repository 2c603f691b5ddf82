/**
 * Errors of the migrator (migrator.ts). Codes are stable and listed in docs/errors.md.
 */
import { SwitchboardError } from '../../core/errors.js';

export type MigrateErrorCode =
  /** The version table lists a migration this binary does not know: a newer Switchboard migrated the warehouse. */
  | 'SB_MIGRATE_NEWER'
  /** A migration threw; it is not recorded, so the next start runs it again. */
  | 'SB_MIGRATE_FAILED'
  /** Another process held the migration lock for longer than this one would wait. */
  | 'SB_MIGRATE_LOCKED';

export class MigrateError extends SwitchboardError {
  declare readonly code: MigrateErrorCode;

  constructor(code: MigrateErrorCode, message: string, options: { configKey?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'MigrateError';
  }
}
