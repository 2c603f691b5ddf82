/** A pino logger whose JSON lines a test can read back (level, msg, and every field). */
import { pino, type Logger } from 'pino';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** @param keep only the lines it accepts are kept, e.g. one component's of a whole server's */
export function captureLogger(level: pino.Level = 'debug', keep: (line: LogLine) => boolean = () => true): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      if (keep(line)) lines.push(line);
    },
  });
  return { logger, lines };
}
