/**
 * The spool's binding to the warehouse its records are for. A record acknowledged for one
 * warehouse must land there, and nowhere else: a data directory pointed at a new warehouse
 * would otherwise replay its old records into it, since the new one holds no checkpoint for
 * this spool and its drain starts from the first record on disk.
 *
 * ```
 * <dir>/warehouse   the target the records are for, one line, e.g. `duckdb /srv/sb/data/switchboard.duckdb (raw schema raw)`
 * <dir>/released    how far they have landed there (`segment:offset`), rewritten after each release
 * ```
 *
 * `released` is not fsync'd: after a power loss it can only lag behind the warehouse's own
 * checkpoint, and a lagging value errs on the safe side (records counted as not landed).
 */
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchboardError } from '../../core/errors.js';
import { formatPosition, type SpoolPosition } from './position.js';
import { SegmentTable } from './segment-table.js';
import { listSegments, segmentPath, syncDirectory } from './spool-directory.js';
import { spoolIoError } from './errors.js';

const TARGET_FILE = 'warehouse';
const RELEASED_FILE = 'released';

/**
 * Binds the spool in `dir` to `target`, before the spool is opened on it (the caller holds
 * the directory's lock). A spool bound to nothing yet (new, or made by an older version) is
 * bound to `target`. A spool bound to another target is rebound only when everything in it
 * has landed there: its drained segments are then deleted, so no old record reaches the new
 * target, and the next segment number starts empty.
 * @throws SB_SPOOL_WAREHOUSE_MISMATCH when records for the other target have not landed yet
 * @example await bindSpool('/srv/sb/data/spool', 'postgres db.internal:5432/switchboard (raw schema raw)')
 */
export async function bindSpool(dir: string, target: string): Promise<void> {
  const bound = await readLine(join(dir, TARGET_FILE));
  if (bound === target) return;
  if (bound !== undefined) await retireLandedRecords(dir, bound, target);
  await writeDurably(dir, TARGET_FILE, `${target}\n`);
}

/**
 * Records that everything before `upTo` has landed (Spool.release calls it). Best effort: a
 * failed write only leaves an older position, which counts more records as not landed.
 */
export async function recordReleased(dir: string, upTo: SpoolPosition): Promise<void> {
  const temporary = join(dir, `${RELEASED_FILE}.tmp`);
  try {
    await writeFile(temporary, `${formatPosition(upTo)}\n`);
    await rename(temporary, join(dir, RELEASED_FILE));
  } catch {
    // Nothing depends on it but a later rebinding, which then asks for a drain first.
  }
}

/** Throws when records for `bound` wait in the spool; else deletes the landed ones. */
async function retireLandedRecords(dir: string, bound: string, target: string): Promise<void> {
  const segments = await listSegments(dir);
  if (segments.length === 0) return;
  const sizes = await Promise.all(segments.map(async (segment) => (await stat(segmentPath(dir, segment))).size));
  const table = new SegmentTable(segments[0] as number, sizes);
  const released = parsePosition(await readLine(join(dir, RELEASED_FILE)));
  // Bytes on disk past the last release, a crash's torn tail included (the safe side).
  const waiting = table.bytesAfter(released ?? table.start());
  if (waiting > 0) throw spoolWarehouseMismatchError(dir, bound, target, waiting);
  if (table.bytesAfter(table.start()) === 0) return;
  try {
    // A new, empty active segment first, then the old ones from the front: a crash in between
    // leaves numbered segments without a gap, and the next start finishes the job.
    const next = (segments.at(-1) as number) + 1;
    await (await open(segmentPath(dir, next), 'wx')).close();
    await syncDirectory(dir);
    for (const segment of segments) await unlink(segmentPath(dir, segment));
    await syncDirectory(dir);
  } catch (error) {
    throw spoolIoError(`Cannot delete the landed segments in ${dir} before binding it to ${target}`, error, { poisoned: false });
  }
}

/**
 * @example spoolWarehouseMismatchError('/srv/sb/data/spool', 'duckdb /srv/sb/data/switchboard.duckdb (raw schema raw)', 'postgres db:5432/sb (raw schema raw)', 2048)
 */
function spoolWarehouseMismatchError(dir: string, bound: string, target: string, bytes: number): SwitchboardError {
  return new SwitchboardError(
    'SB_SPOOL_WAREHOUSE_MISMATCH',
    `The spool in ${dir} holds ${bytes} bytes of events accepted for another warehouse, ${bound}, that have not landed there yet; ` +
      `the config now names ${target}. They must not land in the wrong warehouse, so Switchboard does not start. Either drain them first: ` +
      'start once with the previous warehouse settings, wait until `switchboard status` shows a spool backlog of 0, stop, then start with the new ones. ' +
      `Or set them aside and start with an empty spool: mv ${dir} ${dir}.old (to land them later, start the previous config with spool.dir pointing there). ` +
      `If both name the same warehouse (a DuckDB file moved with its data directory), delete ${join(dir, TARGET_FILE)} instead.`,
    { configKey: 'spool.dir' },
  );
}

function parsePosition(text: string | undefined): SpoolPosition | undefined {
  const match = /^(\d+):(\d+)$/.exec(text ?? '');
  return match === null ? undefined : { segment: Number(match[1]), offset: Number(match[2]) };
}

async function readLine(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw spoolIoError(`Cannot read ${path}`, error, { poisoned: false });
  }
}

/** Write-then-rename, fsync'd, so a crash leaves the old binding or the new one. */
async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const temporary = join(dir, `${name}.tmp`);
  try {
    await writeFile(temporary, text, { flush: true });
    await rename(temporary, join(dir, name));
    await syncDirectory(dir);
  } catch (error) {
    throw spoolIoError(`Cannot write ${join(dir, name)}`, error, { poisoned: false });
  }
}
