/**
 * Errors of the syncer itself (a destination's refusal of a record is not one: it is an
 * outcome). Codes are listed in docs/errors.md.
 */
import { SwitchboardError } from '../core/errors.js';

export type SyncErrorCode =
  /** The sync's model or SQL failed in the warehouse while diffing. */
  | 'SB_SYNC_DIFF_FAILED'
  /** A run was asked to send without a destination (internal). */
  | 'SB_SYNC_NO_DESTINATION'
  /** The run stopped on an unexpected error. */
  | 'SB_SYNC_FAILED'
  /** No sync has that name. */
  | 'SB_SYNC_UNKNOWN'
  /** A sync was asked for (by name or --all) and the config has none. */
  | 'SB_SYNC_NONE_CONFIGURED'
  /** This sync is already running (scheduled or manual). */
  | 'SB_SYNC_RUNNING'
  /** A sync names a destination that has no `destinations.<name>` config. */
  | 'SB_SYNC_DESTINATION_MISSING';

export class SyncError extends SwitchboardError {
  declare readonly code: SyncErrorCode;

  constructor(code: SyncErrorCode, message: string, options: { cause?: unknown; configKey?: string } = {}) {
    super(code, message, options);
    this.name = 'SyncError';
  }
}
