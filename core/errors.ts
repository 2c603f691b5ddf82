/**
 * The base of every error Switchboard raises on purpose.
 *
 * Each area (ingest, sql, config, …) keeps its own `errors.ts` with stable codes in the
 * style of Fastify's `FST_ERR_*`: the code never changes once released, the message says
 * what went wrong *and how to fix it*, and docs/errors.md lists every code.
 *
 * @example
 *   throw new SwitchboardError('SB_CONFIG_INVALID', 'ingest.port must be …', { configKey: 'ingest.port' })
 */
export class SwitchboardError extends Error {
  /** Stable, documented code, e.g. `SB_INGEST_AUTH_FAILED`. */
  readonly code: string;
  /** The config key an operator should change, when one is to blame. */
  readonly configKey: string | undefined;

  constructor(code: string, message: string, options: { configKey?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.configKey = options.configKey;
  }
}

/**
 * The log fields for an error: ours (a stable code, and a message that already says what to
 * do) in one line as `code` and `reason`; anything else as `err`, with its stack.
 * @example logger.error({ ...errorLogFields(error), retryInMs }, 'could not write to the warehouse')
 */
export function errorLogFields(error: unknown): { code: string; reason: string } | { err: unknown } {
  return error instanceof SwitchboardError ? { code: error.code, reason: error.message } : { err: error };
}
