import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Spool } from '../../ingest/spool/spool.js';
import { tempSpoolDir } from './spool-test-kit.js';

const SPOOL_JS = fileURLToPath(new URL('../../ingest/spool/spool.js', import.meta.url));

/** Opens the spool in another process and reports the error code, or 'opened'. */
async function openElsewhere(dir: string): Promise<string> {
  const script = `import(${JSON.stringify(SPOOL_JS)}).then(({ Spool }) => Spool.open({ dir: ${JSON.stringify(dir)} }))
    .then(async (s) => { await s.close(); console.log('opened'); }, (e) => console.log(e.code));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return stdout.trim();
}

test('a second process cannot open a spool directory in use, and is told which pid holds it', async (t) => {
  const dir = await tempSpoolDir(t);
  const spool = await Spool.open({ dir });
  try {
    assert.equal(readFileSync(join(dir, 'LOCK'), 'utf8'), `${process.pid}\n`);
    assert.equal(await openElsewhere(dir), 'SB_SPOOL_LOCKED');
  } finally {
    await spool.close();
  }
  assert.equal(existsSync(join(dir, 'LOCK')), false, 'close releases the lock');
  assert.equal(await openElsewhere(dir), 'opened');
});

test('a lock left by a process that no longer exists is taken over (a crash needs no manual step)', async (t) => {
  const dir = await tempSpoolDir(t);
  await (await Spool.open({ dir })).close();
  writeFileSync(join(dir, 'LOCK'), '2147483646\n'); // no such pid
  const spool = await Spool.open({ dir });
  assert.equal(readFileSync(join(dir, 'LOCK'), 'utf8'), `${process.pid}\n`);
  await spool.close();
});
