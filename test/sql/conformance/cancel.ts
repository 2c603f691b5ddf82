/**
 * Conformance: aborting the signal given to all() or stream() stops the query on the server
 * and the call rejects with SB_SQL_QUERY_CANCELLED; the warehouse keeps working. The slow
 * query never ends by itself (10^15 rows), so a cancel that did not reach the server would
 * leave the test hanging until its timeout: it proves the cancel without timing anything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '../../../core/errors.js';
import { NEVER_ENDS, numbers, withWarehouse, type OpenWarehouse } from './fixtures.js';

const SLOW = NEVER_ENDS;

const cancelled = (error: unknown) => error instanceof SwitchboardError && error.code === 'SB_SQL_QUERY_CANCELLED';

/** A signal aborted once the query has had time to start (when exactly does not matter). */
function abortSoon(): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  return controller.signal;
}

/** Fails instead of hanging when a cancel never reaches the server. */
const guard = { timeout: 60_000 };

export function cancelTests(open: OpenWarehouse): void {
  test('all() with an aborted signal cancels the running query with SB_SQL_QUERY_CANCELLED, and the next query answers', guard, async () => {
    await withWarehouse(open, async (wh) => {
      await assert.rejects(wh.all(SLOW, [], { signal: abortSoon() }), cancelled);
      assert.deepEqual(await wh.all('SELECT 1 AS one'), [{ one: 1 }]);
      assert.deepEqual(await wh.all('SELECT 2 AS two', [], { signal: new AbortController().signal }), [{ two: 2 }], 'a signal never aborted changes nothing');
    });
  });

  test('all() with a signal aborted before the call runs nothing and rejects with SB_SQL_QUERY_CANCELLED', async () => {
    await withWarehouse(open, async (wh) => {
      await assert.rejects(wh.all(SLOW, [], { signal: AbortSignal.abort() }), cancelled);
      assert.deepEqual(await wh.all('SELECT 1 AS one'), [{ one: 1 }]);
    });
  });

  test('stream() cancels its running query when its signal aborts, and the warehouse keeps working', guard, async () => {
    await withWarehouse(open, async (wh) => {
      await assert.rejects(async () => {
        for await (const batch of wh.stream(SLOW, [], { signal: abortSoon() })) assert.fail(`no batch expected, got ${batch.length} rows`);
      }, cancelled);
      assert.deepEqual(await wh.all('SELECT 1 AS one'), [{ one: 1 }]);
    });
  });

  test('stream() stops between batches once its signal aborts', async () => {
    await withWarehouse(open, async (wh) => {
      const controller = new AbortController();
      let batches = 0;
      await assert.rejects(async () => {
        for await (const batch of wh.stream(`SELECT a.n FROM (${numbers(2)}) AS a WHERE a.n < 50`, [], { batchRows: 10, signal: controller.signal })) {
          batches += 1;
          assert.equal(batch.length, 10);
          controller.abort();
        }
      }, cancelled);
      assert.equal(batches, 1);
      assert.deepEqual(await wh.all('SELECT 1 AS one'), [{ one: 1 }]);
    });
  });
}
