/** Small helpers that fill a run's node results (run.ts, test-nodes.ts). */

/** Seconds since `started` (a `performance.now()`), to the millisecond. */
export function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}

/** An error's message on one line, for a node result's `message`. */
export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
