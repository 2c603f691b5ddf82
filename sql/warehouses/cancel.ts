/**
 * Query cancel through an AbortSignal, written once for every warehouse: the warehouse
 * says how to stop its running query (DuckDB `connection.interrupt()`, Postgres
 * `pg_cancel_backend`), this decides when, and turns the outcome into
 * SB_SQL_QUERY_CANCELLED.
 */
import { SqlError } from '../errors.js';

/** How often a cancel is sent again while the query has not stopped (see {@link cancellable}). */
const RESEND_MS = 500;

/** The error a cancelled all() or stream() rejects with. */
export function queryCancelled(cause?: unknown): SqlError {
  return new SqlError(
    'SB_SQL_QUERY_CANCELLED',
    'The query was cancelled by its caller (its AbortSignal was aborted) and stopped on the server; nothing it read was returned. Run it again if it is still needed.',
    { cause },
  );
}

/**
 * Runs `work` (one query) and, when `signal` aborts while it runs, calls `cancel` to stop it
 * on the server. `cancel` is sent again every 500 ms until `work` settles, because a cancel
 * that reaches the engine before the query has started is dropped (Postgres ignores one that
 * arrives while it waits for a command). Rejects with SB_SQL_QUERY_CANCELLED whenever the
 * signal was aborted by the time `work` settled, also if it finished anyway; rejects at
 * once, running nothing, when it was aborted before. Without a signal this is `work()`.
 * @example await cancellable(signal, () => connection.runAndReadAll(sql), () => connection.interrupt())
 */
export async function cancellable<T>(signal: AbortSignal | undefined, work: () => Promise<T>, cancel: () => unknown): Promise<T> {
  if (signal === undefined) return work();
  if (signal.aborted) throw queryCancelled(signal.reason);
  let timer: NodeJS.Timeout | undefined;
  const send = (): void => {
    // A failed cancel (the connection it needs is refused, say) is retried by the timer.
    void Promise.resolve()
      .then(cancel)
      .catch(() => undefined);
    timer = setTimeout(send, RESEND_MS);
  };
  signal.addEventListener('abort', send, { once: true });
  try {
    const result = await work();
    if (signal.aborted) throw queryCancelled(signal.reason);
    return result;
  } catch (error) {
    if (signal.aborted) throw error instanceof SqlError && error.code === 'SB_SQL_QUERY_CANCELLED' ? error : queryCancelled(error);
    throw error;
  } finally {
    signal.removeEventListener('abort', send);
    clearTimeout(timer);
  }
}

/**
 * `pending`, or SB_SQL_QUERY_CANCELLED as soon as `signal` aborts, whichever comes first: for
 * a call still waiting for its turn (a lock, a pooled connection). `pending` goes on and must
 * itself check the signal before it runs anything; its outcome is then ignored.
 */
export function unlessAborted<T>(signal: AbortSignal | undefined, pending: Promise<T>): Promise<T> {
  if (signal === undefined) return pending;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(queryCancelled(signal.reason));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
