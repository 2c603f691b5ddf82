/**
 * A promise-chain mutex: `run(fn)` starts `fn` only after every earlier `run` has settled.
 * Warehouses use it to keep transactions (and, on single-connection engines, every
 * statement) from interleaving, as the Warehouse contract promises.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SqlError } from '../errors.js';

/** One lock held by the current async call chain, while its `fn` has not settled. */
interface Hold {
  lock: SerialLock;
  active: boolean;
}

export class SerialLock {
  private tail: Promise<void> = Promise.resolve();
  // Knows which locks the current async call chain holds. Waiting for such a lock again
  // would wait for ourselves forever, so that call fails fast instead. `active` is cleared
  // when fn settles, so a timer that fn started (and that inherits this context) may still
  // take the lock later. Created on first use: on Node 20, AsyncLocalStorage puts a hook on
  // every promise in the process, which cost the landing path 7-10 % of its throughput
  // (bench:ingest), so the check is a debugging aid, off unless asked for.
  private static holdsStore: AsyncLocalStorage<readonly Hold[]> | undefined;
  private static get holds(): AsyncLocalStorage<readonly Hold[]> {
    SerialLock.holdsStore ??= new AsyncLocalStorage<readonly Hold[]>();
    return SerialLock.holdsStore;
  }

  /**
   * @param detectReentrancy fail fast with SB_SQL_REENTRANT_CALL instead of deadlocking when
   *   `fn` calls back into this lock. Default: on when SWITCHBOARD_DEBUG_LOCKS=1.
   */
  constructor(private readonly detectReentrancy = process.env.SWITCHBOARD_DEBUG_LOCKS === '1') {}

  /**
   * Runs `fn` once the lock is free and holds the lock until `fn` settles; returns its result.
   * Rejects with `SB_SQL_REENTRANT_CALL` when called from inside `fn` of this same lock
   * (that would deadlock): inside `transaction(fn)`, use the `tx` given to `fn`.
   * @example await lock.run(() => connection.run('COMMIT'))
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.detectReentrancy) return this.chain(fn);
    const outer = SerialLock.holds.getStore() ?? [];
    if (outer.some((hold) => hold.lock === this && hold.active)) {
      return Promise.reject(
        new SqlError(
          'SB_SQL_REENTRANT_CALL',
          'The warehouse was called from inside its own transaction(), which would wait for ' +
            'itself forever; inside transaction(fn), run statements on the `tx` passed to fn.',
        ),
      );
    }
    const hold: Hold = { lock: this, active: true };
    return this.chain(() => SerialLock.holds.run([...outer, hold], fn)).finally(() => {
      hold.active = false;
    });
  }

  private chain<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it resolved or threw.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
