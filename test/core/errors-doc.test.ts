import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

test('every error code raised in the code is documented in docs/errors.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const codes = new Set<string>();
  for (const folder of ['core', 'cli', 'server', 'ingest', 'sql', 'sync']) {
    let files: string[] = [];
    try {
      files = sources(join(ROOT, folder));
    } catch {
      continue; // a folder that does not exist yet
    }
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'(SB_[A-Z0-9]+_[A-Z0-9_]+)'/g)) codes.add(match[1] as string);
    }
  }
  assert.ok(codes.size > 30, `found ${codes.size} codes`);
  const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, [], 'codes missing from docs/errors.md');
});
