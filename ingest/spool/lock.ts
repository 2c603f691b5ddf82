/**
 * One process per spool directory. Two writers would interleave frames in the same
 * segment and corrupt it, and with Postgres nothing else stops a second `serve` started
 * with the same config. (DuckDB's own file lock only catches the DuckDB case.)
 *
 * `<dir>/LOCK` holds the owner's pid. A lock left by a process that no longer exists (it was
 * SIGKILLed, the machine rebooted, the container restarted with new pids) is taken over, so
 * a crash never needs a manual step; only a *live* Switchboard holding it stops the open.
 */
import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchboardError } from '../../core/errors.js';

const LOCK_FILE = 'LOCK';

/** Takes the lock; resolves with its release. @throws SB_SPOOL_LOCKED */
export async function lockSpoolDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(mine);
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(owner) && owner !== process.pid && (await isLiveNodeProcess(owner))) {
      throw new SwitchboardError(
        'SB_SPOOL_LOCKED',
        `Another process (pid ${owner}) is using the spool in ${dir}. Stop it, or give this instance its own spool.dir. ` +
          `If pid ${owner} is not Switchboard, delete ${path}.`,
        { configKey: 'spool.dir' },
      );
    }
    await writeFile(path, mine); // stale: its owner is gone
  }
  return async () => {
    // Only remove the lock if it is still ours.
    if ((await readFile(path, 'utf8').catch(() => '')) === mine) await unlink(path).catch(() => undefined);
  };
}

async function isLiveNodeProcess(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A recycled pid may now belong to anything; where /proc exists, check it runs node.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline === null ? true : /node|switchboard/.test(cmdline);
}
