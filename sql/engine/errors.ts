/**
 * Errors in a models project: each names the file (and line, where the template engine
 * gives one) and says how to fix it. Codes are listed in docs/errors.md.
 */
import { SwitchboardError } from '../../core/errors.js';

export type ModelErrorCode =
  /** Two model files share a name (names are file names, unique across folders). */
  | 'SB_MODEL_DUPLICATE'
  /** ref() names no model. */
  | 'SB_MODEL_UNKNOWN_REF'
  /** ref() names a model that models.disabled or config(enabled=false) left out. */
  | 'SB_MODEL_DISABLED_REF'
  /** source() names no configured source. */
  | 'SB_MODEL_UNKNOWN_SOURCE'
  /** Models ref() each other in a loop. */
  | 'SB_MODEL_CYCLE'
  /** The template does not render (syntax, an undefined name). */
  | 'SB_MODEL_TEMPLATE'
  /** config() has a value it does not take. */
  | 'SB_MODEL_CONFIG'
  /** An incremental model with on_schema_change='fail' selects other columns than its table has. */
  | 'SB_MODEL_SCHEMA_CHANGED'
  /** A --select expression matches nothing or is malformed. */
  | 'SB_MODEL_SELECTOR'
  /** --select and --exclude together leave no model to run. */
  | 'SB_MODEL_NOTHING_SELECTED'
  /** A data-test YAML file is malformed or names an unknown model or test. */
  | 'SB_MODEL_TESTS'
  /** A singular test (`tests/*.sql`) has a bad config(), or shares its name with another test. */
  | 'SB_MODEL_SINGULAR_TEST'
  /** A seed's CSV file does not parse, or a value is not of its column's type, or its YAML properties are wrong. */
  | 'SB_MODEL_SEED'
  /** A `sources:` declaration in YAML (or a `models.freshness` key) is malformed or names nothing. */
  | 'SB_MODEL_SOURCES'
  /** `switchboard source freshness` found a source table past its error_after, or could not check one. */
  | 'SB_MODEL_FRESHNESS_FAILED'
  /** A source freshness check is already running (one at a time per warehouse). */
  | 'SB_MODEL_FRESHNESS_RUNNING'
  /** A model's SQL failed in the warehouse during a build. */
  | 'SB_MODEL_BUILD_FAILED'
  /** A build is already running (one at a time per warehouse). */
  | 'SB_MODEL_BUILD_RUNNING'
  /** The warehouse refused a model's SQL in a dry run (syntax, unknown table or column, permission). */
  | 'SB_MODEL_DRY_RUN_FAILED'
  /** A dry run estimates that a model reads more than the warehouse lets one statement bill. */
  | 'SB_MODEL_DRY_RUN_OVER_LIMIT'
  /** A snapshot's unique_key is repeated or NULL in what its select returns. */
  | 'SB_MODEL_SNAPSHOT_KEY'
  /** A snapshot's select lacks a configured column or returns one the snapshot adds, or its table exists and is no snapshot. */
  | 'SB_MODEL_SNAPSHOT_COLUMNS';

export class ModelError extends SwitchboardError {
  declare readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options: { configKey?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'ModelError';
  }
}
