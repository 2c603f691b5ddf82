/**
 * Failed pull pages are recorded with what it takes to pull them again (ingest/pulls/failures.ts):
 * the page, its step, the cursor and the position to resume from. The same page failing again
 * counts on the same row; a run that gets past it, or finishes the range, resolves it; a run
 * stopped on purpose records nothing. A scheduled pull, on DuckDB, with a scripted source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '../../core/errors.js';
import { pullFailuresTable, type PullFailureRow } from '../../ingest/pulls/failures.js';
import { runPull } from '../../ingest/pulls/runner.js';
import type { PullSource } from '../../ingest/pulls/source.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { migrated } from '../helpers/migrate.js';

/** Five pages, positions 1…5; `failAt` says which page throws (consulted on each attempt). */
function scripted(failAt: () => number | null, stop?: AbortController): PullSource<number> {
  return {
    name: 'scripted',
    description: 'five pages',
    table: 'work_events',
    family: 'work',
    async pull(_range, position, io) {
      for (let page = (position ?? 0) + 1; page <= 5; page++) {
        if (failAt() === page) {
          stop?.abort(new SwitchboardError('SB_PULL_STOPPED', 'stopped by the operator'));
          io.signal.throwIfAborted();
          throw new SwitchboardError('SB_PULL_WORK_AUTH', `8x8 refused page ${page}`);
        }
        await io.land([{ dedupeKey: `k${page}`, eventType: 'WORK_CALL_RECORD', body: `{"page":${page}}` }], page, { step: `window ${page}`, stepIndex: page, steps: 5 });
      }
      return { skipped: [] };
    },
  };
}

test('a failed page is recorded once with its resume point, counted when it fails again, and resolved when a run gets past it', async () => {
  const wh = await migrated(await openWarehouse({ type: 'duckdb', path: ':memory:' }), { rawSchema: 'raw' });
  const table = pullFailuresTable('raw');
  const rows = async (): Promise<PullFailureRow[]> =>
    (await wh.all(`SELECT * FROM ${wh.dialect.tableName(table.schema, table.name)} ORDER BY first_failed_at, failure_id`)) as unknown as PullFailureRow[];
  const now = new Date('2026-11-27T12:00:00Z');
  const options = { rawSchema: 'raw', now, initialMs: 86_400_000 };
  try {
    let failAt: number | null = 3;
    const source = scripted(() => failAt);
    const first = runPull(wh, source, { ...options, runId: 'run-1' });
    await assert.rejects(first, { code: 'SB_PULL_WORK_AUTH' });
    let [row] = await rows();
    assert.ok(row !== undefined);
    assert.deepEqual(
      [row.failure_id, row.source, row.mode, row.cursor_key, row.page, row.step, row.position, row.error_code, Number(row.failures), row.resolved_at],
      ['run-1:3', 'scripted', 'scheduled', 'scripted', 3, 'window 2', '2', 'SB_PULL_WORK_AUTH', 1, null],
    );
    assert.deepEqual([row.range_from, row.range_to], ['2026-11-26T12:00:00.000Z', '2026-11-27T12:00:00.000Z']);

    // The next run resumes at page 3, which fails again: the same row counts it.
    await assert.rejects(runPull(wh, source, { ...options, runId: 'run-2' }), { code: 'SB_PULL_WORK_AUTH' });
    assert.deepEqual((await rows()).map((r) => [r.failure_id, Number(r.failures), r.last_run_id]), [['run-1:3', 2, 'run-2']]);

    // A run that gets past page 3 and fails at 4 resolves it and records page 4.
    failAt = 4;
    await assert.rejects(runPull(wh, source, { ...options, runId: 'run-3' }), { code: 'SB_PULL_WORK_AUTH' });
    [row] = await rows();
    assert.deepEqual([row?.failure_id, row?.resolved_by], ['run-1:3', 'run-3']);
    assert.deepEqual((await rows()).filter((r) => r.resolved_at === null).map((r) => [r.failure_id, r.page, r.position]), [['run-3:2', 2, '3']]);

    // Stopping on purpose is not a failure.
    const stop = new AbortController();
    await assert.rejects(runPull(wh, scripted(() => 4, stop), { ...options, runId: 'run-4', signal: stop.signal }));
    assert.equal((await rows()).length, 2, 'nothing recorded for a stopped run');

    // The run that finishes the range resolves what is left.
    failAt = null;
    const done = await runPull(wh, source, { ...options, runId: 'run-5' });
    assert.equal(done.status, 'success');
    assert.deepEqual((await rows()).map((r) => [r.failure_id, r.resolved_by]), [['run-1:3', 'run-3'], ['run-3:2', 'run-5']]);
    const [landed] = await wh.all<{ n: number }>(`SELECT count(*) AS n FROM raw.work_events`);
    assert.equal(Number(landed?.n), 5, 'each page landed once');
  } finally {
    await wh.close();
  }
});
