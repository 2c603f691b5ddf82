/**
 * Model projects written to disk for a test: a temporary folder of files, removed when the
 * test that made it ends.
 */
import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `files` (path relative to `dir` → text) under `dir`, making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * A new folder under TMPDIR holding `files`, removed after the current test.
 * @example const dir = tempFolder({ 'calls.sql': 'select 1 as id' }, 'switchboard-layers-')
 */
export function tempFolder(files: Record<string, string>, prefix = 'switchboard-project-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFiles(dir, files);
  return dir;
}
