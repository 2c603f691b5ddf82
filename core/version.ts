/**
 * This Switchboard's version, from its package.json, e.g. `0.1.0` (recorded with each applied
 * migration, and named when a warehouse is newer than this binary).
 */
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function switchboardVersion(): string {
  if (cached === null) {
    // dist/core/version.js → package.json at the package's root, as in the source tree.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cached;
}
