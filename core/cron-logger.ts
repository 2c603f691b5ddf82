/**
 * node-cron's own warnings (a missed tick under load) into pino instead of the console, for
 * every scheduled job: model builds, syncs and pulls.
 */
import type { Logger } from 'pino';
import type { Logger as CronLogger } from 'node-cron';

/** @example createTask(expression, run, { logger: cronLogger(logger) }) */
export function cronLogger(logger: Logger): CronLogger {
  const child = logger.child({ component: 'node-cron' });
  return {
    info: (message) => child.info(message),
    warn: (message) => child.warn(message),
    error: (message, err) => (message instanceof Error ? child.error({ err: message }, message.message) : child.error({ err }, message)),
    debug: (message) => child.debug(message instanceof Error ? message.message : message),
  };
}
