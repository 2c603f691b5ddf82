/** Polls `check` until it holds, failing the test with `what` after `timeoutMs` (no timing is asserted: it only bounds a wait). */
import assert from 'node:assert/strict';

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for: ${what}`);
}
