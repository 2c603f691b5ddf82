/**
 * The logger a command that opens the warehouse itself (no server running) hands the
 * migrator: stderr, at `info` so that each migration it applies is said
 * (`applied migration ingest/0003_…`), silent when `log.level` is.
 */
import { pino, type Logger } from 'pino';
import type { Config } from '../core/config.js';

export function migrationLogger(config: Config): Logger {
  return pino({ level: config.file.log.level === 'silent' ? 'silent' : 'info' }, pino.destination(2));
}
