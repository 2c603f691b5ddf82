/**
 * Shared pieces of the spool tests: a fresh temp directory per test, reading a whole spool
 * back, and swapping FileHandle methods to inject I/O failures.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Spool, SpoolEntry } from '../../ingest/spool/index.js';

/** A new empty directory under os.tmpdir(), removed when the test ends. */
export async function tempSpoolDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every durable record from `spool.start()` on, in small batches to exercise paging. */
export async function readAll(spool: Spool, batch = { maxRecords: 97, maxBytes: 256 * 1024 }): Promise<SpoolEntry[]> {
  const all: SpoolEntry[] = [];
  let from = spool.start();
  for (;;) {
    const entries = await spool.read(from, batch);
    const last = entries.at(-1);
    if (last === undefined) return all;
    all.push(...entries);
    from = last.next;
  }
}

/** A payload whose content identifies it, e.g. `payload(7, 1500)`. */
export function payload(n: number, size: number): Buffer {
  const buf = Buffer.alloc(size, n % 251);
  if (size >= 4) buf.writeUInt32LE(n, 0);
  return buf;
}

type FileHandleMethod = 'datasync' | 'writev';

/**
 * Replaces a FileHandle method for every handle in this process until the test ends.
 * `replacement` receives the original so it can delegate.
 * @example await patchFileHandle(t, 'datasync', (original) => function () { throw Object.assign(new Error('EIO'), { code: 'EIO' }) })
 */
export async function patchFileHandle<M extends FileHandleMethod>(
  t: TestContext,
  method: M,
  replacement: (original: FileHandle[M]) => FileHandle[M],
): Promise<void> {
  const probe = await open(tmpdir(), 'r');
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const original = prototype[method];
  prototype[method] = replacement(original);
  t.after(() => {
    prototype[method] = original;
  });
}

/** An errno-style error like the ones fs raises. */
export function ioError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by test`), { code });
}
