/**
 * sql/engine/dry-run.ts without I/O: a model is compiled with the warehouse's own dialect and
 * handed to Warehouse.dryRun; a warehouse without one, a refusal and an estimate over the
 * warehouse's cap each become their documented code; a deferred warehouse (serve's, while the
 * warehouse is down) passes dry runs through. The real warehouses are exercised by the
 * conformance suite and test/cli/compile-dry-run.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { SwitchboardError } from '../../core/errors.js';
import { dryRunModel, overLimit } from '../../sql/engine/dry-run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { Model, Project } from '../../sql/engine/model.js';
import { loadProject } from '../../sql/engine/project.js';
import type { DryRunEstimate, Warehouse } from '../../sql/warehouse.js';
import { deferredWarehouse } from '../../sql/warehouses/deferred.js';
import { dialectFor } from '../../sql/warehouses/index.js';

const SETTINGS = { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { default_region: 'US' } } as const;
const LIMIT = { bytes: 10 * 2 ** 30, configKey: 'warehouse.maximumBytesBilled' };

/** Only what dryRunModel touches: the dialect (with a dataset prefix) and, when given, dryRun. */
function stubWarehouse(dryRun?: (sql: string) => Promise<DryRunEstimate>): Warehouse {
  return { dialect: dialectFor('bigquery', { schemaPrefix: 'sb_' }), ...(dryRun === undefined ? {} : { dryRun }) } as unknown as Warehouse;
}

describe('dryRunModel', () => {
  let project: Project;
  let calls: Model;
  before(async () => {
    project = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));
    calls = project.models.get('calls') as Model;
  });

  test("compiles with the warehouse's dialect and returns exactly what it checked, with its answer", async () => {
    const seen: string[] = [];
    const run = await dryRunModel(stubWarehouse(async (sql) => (seen.push(sql), { bytesProcessed: 42, bytesLimit: LIMIT })), project, calls, SETTINGS, { incremental: true });
    assert.deepEqual(seen, [run.sql]);
    assert.match(run.sql, /`sb_analytics`\.`calls`/, 'the prefixed dataset, and the incremental branch (its watermark reads the model itself)');
    assert.deepEqual(run.estimate, { bytesProcessed: 42, bytesLimit: LIMIT });
  });

  test('a warehouse without dryRun is SB_SQL_DRY_RUN_UNSUPPORTED, naming warehouse.type', async () => {
    await assert.rejects(dryRunModel(stubWarehouse(), project, calls, SETTINGS, { incremental: false }), (error: SwitchboardError) => {
      assert.equal(error.code, 'SB_SQL_DRY_RUN_UNSUPPORTED');
      assert.equal(error.configKey, 'warehouse.type');
      assert.match(error.message, /cannot check a query without running it/);
      return true;
    });
  });

  test("the warehouse's refusal becomes SB_MODEL_DRY_RUN_FAILED with its message; our own errors pass through", async () => {
    const refused = stubWarehouse(async () => {
      throw new Error('BigQuery job insert failed (invalidQuery): Unrecognized name: x at [3:1]');
    });
    await assert.rejects(dryRunModel(refused, project, calls, SETTINGS, { incremental: false }), {
      code: 'SB_MODEL_DRY_RUN_FAILED',
      message: /curated\/calls\.sql: the warehouse refused the model's SQL in a dry run \(nothing ran\): BigQuery job insert failed \(invalidQuery\): Unrecognized name: x at \[3:1\]$/,
    });
    const closed = stubWarehouse(async () => {
      throw new SwitchboardError('SB_SQL_CLOSED', 'closed');
    });
    await assert.rejects(dryRunModel(closed, project, calls, SETTINGS, { incremental: false }), { code: 'SB_SQL_CLOSED' });
  });

  test('overLimit refuses only an estimate above the cap the warehouse reported', () => {
    assert.equal(overLimit(calls, { bytesProcessed: LIMIT.bytes, bytesLimit: LIMIT }), null, 'at the cap is allowed');
    assert.equal(overLimit(calls, { bytesProcessed: null, bytesLimit: LIMIT }), null, 'no estimate, nothing to compare');
    assert.equal(overLimit(calls, { bytesProcessed: 2 ** 50 }), null, 'no cap');
    const error = overLimit(calls, { bytesProcessed: LIMIT.bytes + 1, bytesLimit: LIMIT });
    assert.equal(error?.code, 'SB_MODEL_DRY_RUN_OVER_LIMIT');
    assert.equal(error?.configKey, 'warehouse.maximumBytesBilled');
    assert.match(error?.message ?? '', /reads 10\.0 GiB \(10737418241 bytes\), more than warehouse\.maximumBytesBilled = 10\.0 GiB \(10737418240 bytes\)/);
  });
});

describe('a deferred warehouse', () => {
  test("dry-runs through the warehouse once open, and says SB_SQL_DRY_RUN_UNSUPPORTED when that one has none", async () => {
    const able = deferredWarehouse(dialectFor('bigquery'), async () => stubWarehouse(async () => ({ bytesProcessed: 7 })));
    assert.deepEqual(await able.dryRun?.('SELECT 1'), { bytesProcessed: 7 });
    const unable = deferredWarehouse(dialectFor('bigquery'), async () => stubWarehouse());
    await assert.rejects(unable.dryRun!('SELECT 1'), { code: 'SB_SQL_DRY_RUN_UNSUPPORTED' });
  });
});
