/**
 * Simulated time for tests of code that waits on the clock (back-off, linger, stall detection,
 * cron ticks, pacing, deadlines): node:test's mock.timers, undone when the test ends. What is
 * really slow (a socket, DuckDB, Postgres) still needs real time, so this module keeps a real
 * timer for that: `realPause` and `tickUntilSettled` work while a test mocks the clock.
 */
import type { MockTimers, TestContext } from 'node:test';

type TimerApi = 'setTimeout' | 'setInterval' | 'setImmediate' | 'Date';

// Taken when this module loads, before any test mocks the clock: it stays real.
const realSetTimeout = globalThis.setTimeout;

/** Waits `ms` of real time, for real I/O to get on; never to let simulated time pass. */
export function realPause(ms = 5): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Mocks `apis` for the rest of test `t`, starting at the real now; returns the clock to tick. */
export function mockClock(t: TestContext, apis: TimerApi[]): MockTimers {
  t.mock.timers.enable({ apis, now: Date.now() });
  return t.mock.timers;
}

/**
 * Settles with `promise`, advancing the mocked clock `stepMs` at a time with a short real pause
 * between steps (for sockets and databases), so code that sleeps on the clock runs through its
 * waits at once. Gives up after `maxMs` of simulated time.
 */
export async function tickUntilSettled<T>(timers: MockTimers, promise: Promise<T>, { stepMs = 50, maxMs = 600_000 } = {}): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined); // the caller awaits it below
  for (let elapsed = 0; !settled && elapsed < maxMs; elapsed += stepMs) {
    await realPause();
    if (!settled) timers.tick(stepMs);
  }
  return tracked;
}
