import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Spool } from '../../ingest/spool/index.js';
import { readAll, tempSpoolDir } from './spool-test-kit.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/append-until-killed.js', import.meta.url));
const SEGMENT_BYTES = 256 * 1024; // as in the fixture
const RUNS = 5;

/** Runs the fixture, SIGKILLs it 100–400 ms after it is ready, and returns the numbers it acknowledged. */
function runUntilKilled(dir: string, run: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (timer === undefined && stdout.startsWith('ready\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), 100 + Math.random() * 300);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`fixture exited on its own (code ${code}, signal ${signal}):\n${stderr}`));
        return;
      }
      // A line without its newline may be cut short by the kill ("12" of "123"): ignore it.
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
      resolve(complete.split('\n').slice(1, -1).map(Number));
    });
  });
}

describe('spool durability under SIGKILL', () => {
  test('every acknowledged append survives SIGKILL exactly once and in order, over 5 kills of one spool', { timeout: 120_000 }, async (t) => {
    const dir = await tempSpoolDir(t);
    const acknowledged: number[][] = [];
    for (let run = 0; run < RUNS; run++) {
      acknowledged.push(await runUntilKilled(dir, run));

      const spool = await Spool.open({ dir, segmentBytes: SEGMENT_BYTES });
      const records = (await readAll(spool, { maxRecords: 5000, maxBytes: 8 << 20 })).map((e) => ({
        run: e.payload.readUInt32LE(0),
        seq: e.payload.readUInt32LE(4),
      }));
      await spool.close();

      for (let i = 1; i < records.length; i++) {
        const [before, after] = [records[i - 1]!, records[i]!];
        assert.ok(before.run <= after.run, `run ${after.run} record before run ${before.run}'s end`);
        if (before.run === after.run) assert.ok(before.seq < after.seq, `run ${after.run}: ${after.seq} after ${before.seq} (duplicate or out of order)`);
      }
      for (let r = 0; r <= run; r++) {
        const stored = new Set(records.filter((rec) => rec.run === r).map((rec) => rec.seq));
        const lost = acknowledged[r]!.filter((seq) => !stored.has(seq));
        assert.deepEqual(lost, [], `run ${r}: acknowledged but missing after kill ${run}`);
      }
    }
    assert.ok(acknowledged.flat().length > 0, 'the fixture acknowledged nothing, so the test proved nothing');
  });
});
