/**
 * The spool directory: segment file names, the identity file, and directory fsync.
 *
 * ```
 * <dir>/spool-id          random UUID written once when the directory is created
 * <dir>/warehouse         the warehouse its records are for, and <dir>/released, how far
 *                         they have landed there (binding.ts)
 * <dir>/00000001.spool    segment files, numbered from 1 with no gaps
 * <dir>/00000002.spool    (released segments disappear from the front)
 * ```
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { spoolCorruptError, spoolIoError } from './errors.js';

const SEGMENT_NAME = /^(\d{8,})\.spool$/;
const ID_FILE = 'spool-id';

/**
 * @example segmentFileName(3) // '00000003.spool'
 */
export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(8, '0')}.spool`;
}

/** @example segmentPath('/data/spool', 3) // '/data/spool/00000003.spool' */
export function segmentPath(dir: string, segment: number): string {
  return join(dir, segmentFileName(segment));
}

/**
 * The segment numbers present, ascending. Released segments only ever leave the front, so a
 * gap means a file went missing: that is reported as corruption rather than skipped.
 * @example await listSegments('/data/spool') // [4, 5, 6]
 */
export async function listSegments(dir: string): Promise<number[]> {
  const segments = (await readdir(dir))
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (let i = 1; i < segments.length; i++) {
    const previous = segments[i - 1] as number;
    if (segments[i] !== previous + 1) {
      throw spoolCorruptError(segmentPath(dir, previous + 1), 0, 'segment file missing between existing segments');
    }
  }
  return segments;
}

/**
 * fsyncs a directory so that files created, renamed or deleted in it survive a power loss;
 * fsync of the file alone does not persist its directory entry on Linux (see fsync(2)).
 * @example await syncDirectory('/data/spool')
 */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync, and NTFS journals entries itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates the spool directory if needed and returns its identity, creating that too when
 * the directory holds no segments yet.
 * @throws SB_SPOOL_CORRUPT when segments exist but the identity file is gone: a new id
 *   would silently invalidate every stored checkpoint, so an operator must decide.
 * @example const id = await prepareSpoolDirectory('/data/spool') // '5f0c…'
 */
export async function prepareSpoolDirectory(dir: string): Promise<string> {
  try {
    const firstCreated = await mkdir(dir, { recursive: true });
    if (firstCreated !== undefined) await syncCreatedDirectories(firstCreated, dir);
    const existing = await readId(dir);
    if (existing !== undefined) return existing;
  } catch (err) {
    throw spoolIoError(`Cannot prepare spool directory ${dir}`, err, { poisoned: false });
  }
  if ((await listSegments(dir)).length > 0) {
    throw spoolCorruptError(join(dir, ID_FILE), 0, 'identity file missing although segment files exist');
  }
  try {
    // Write-then-rename so a crash never leaves a half-written id behind.
    const id = randomUUID();
    const temporary = join(dir, `${ID_FILE}.tmp`);
    await writeFile(temporary, `${id}\n`, { flush: true });
    await rename(temporary, join(dir, ID_FILE));
    await syncDirectory(dir);
    return id;
  } catch (err) {
    throw spoolIoError(`Cannot create the identity file in ${dir}`, err, { poisoned: false });
  }
}

async function readId(dir: string): Promise<string | undefined> {
  try {
    const id = (await readFile(join(dir, ID_FILE), 'utf8')).trim();
    return id === '' ? undefined : id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** mkdir -p created `firstCreated` and everything below it down to `leaf`: persist each entry. */
async function syncCreatedDirectories(firstCreated: string, leaf: string): Promise<void> {
  await syncDirectory(dirname(firstCreated));
  let current = firstCreated;
  for (const part of relative(firstCreated, leaf).split(sep).filter((p) => p !== '')) {
    await syncDirectory(current);
    current = join(current, part);
  }
}
