/**
 * A benchmark's scratch directory: made fresh, and removed on every exit, Ctrl-C included
 * (a 1M-row run leaves gigabytes behind otherwise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchTempDir(name: string, say: (line: string) => void): { dir: string; cleanUp: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `switchboard-bench-${name}-`));
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      cleanUp();
      process.exit(130);
    });
  }
  return { dir, cleanUp };
}
