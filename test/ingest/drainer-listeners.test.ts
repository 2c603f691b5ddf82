/**
 * A long-running server must not grow: every wait of the drainer (for data, for a linger,
 * for a back-off) adds an abort listener to the drainer's stop signal, and must remove it
 * when the wait ends. A leak showed as Node's `MaxListenersExceededWarning … 11 abort
 * listeners added to [AbortSignal]` after a handful of webhooks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import type { Drainer } from '../../ingest/drainer.js';
import { startHarness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';

const CYCLES = 60;

/** The signal that stops the drainer's loop: every wait in the loop listens to it. */
function stopSignal(drainer: Drainer): AbortSignal {
  return drainer['abort'].signal; // private: the test looks inside on purpose
}

/** Node's warnings while the test runs (a leak past 10 listeners shows as MaxListenersExceededWarning). */
function collectWarnings(t: { after(fn: () => void): void }): Error[] {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  return warnings;
}

/** The most abort listeners on `signal` seen after each of `cycles` steps. */
async function mostListeners(signal: AbortSignal, cycles: number, step: (i: number) => Promise<void>): Promise<number> {
  let most = 0;
  for (let i = 1; i <= cycles; i++) {
    await step(i);
    most = Math.max(most, getEventListeners(signal, 'abort').length);
  }
  return most;
}

describe('the drainer over many cycles', () => {
  test(`${CYCLES} events landed one by one (each a wait for data and a linger) leave at most the current wait listening`, async (t) => {
    const h = await startHarness({ config: { drain: { lingerMs: 1 } } });
    t.after(() => h.close());
    const { drainer } = h.server;
    const signal = stopSignal(drainer);
    const warnings = collectWarnings(t);
    const most = await mostListeners(signal, CYCLES, async (i) => {
      assert.equal((await h.send('voice', { sample: 'call-status' })).statusCode, 200);
      await waitFor(() => drainer.stats.events >= i, `event ${i} lands`);
    });
    assert.ok(drainer.stats.batches >= CYCLES / 2, `the drainer went round its loop (${drainer.stats.batches} batches)`);
    assert.ok(most <= 1, `abort listeners on the drainer's signal stayed at the one current wait (at most ${most})`);
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  });

  test(`${CYCLES} back-offs while the warehouse is down leave at most the current wait listening`, async (t) => {
    // Nothing listens on port 1: every attempt fails at once, and the drainer backs off (1 ms
    // after the first 250 ms, with drain.maxBackoffMs 1).
    const h = await startHarness({
      config: { warehouse: { type: 'postgres', url: 'postgres://postgres@127.0.0.1:1/postgres' }, drain: { maxBackoffMs: 1 } },
    });
    t.after(() => h.close());
    const { drainer } = h.server;
    const signal = stopSignal(drainer);
    const warnings = collectWarnings(t);
    const most = await mostListeners(signal, CYCLES, (i) => waitFor(() => drainer.stats.failures >= i, `attempt ${i} fails`));
    assert.ok(drainer.lastError !== null, 'the warehouse is down');
    assert.ok(most <= 1, `abort listeners on the drainer's signal stayed at the one current wait (at most ${most})`);
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  });
});
