/** Polls `check` until it holds, failing the test with `what` after `timeoutMs` (no timing is asserted: it only bounds a wait). */
import assert from 'node:assert/strict';
import { realPause } from './clock.js';

/** Polls in real time, also while a test mocks the clock (test/helpers/clock.ts): what it waits for is real I/O. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return;
    await realPause(50);
  }
  assert.fail(`timed out waiting for: ${what}`);
}
