/**
 * Waits `ms`, or until `signal` aborts, whichever comes first; an abort rejects with the
 * signal's reason (so a caller stopping a run unwinds like any other error). Callers that
 * only wait between attempts catch it: `await abortableSleep(ms, signal).catch(() => {})`.
 * @example await abortableSleep(backoffMs, runSignal)
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
