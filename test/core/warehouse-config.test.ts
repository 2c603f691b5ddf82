/**
 * Each warehouse's `warehouse:` block, validated by its folder's schema (sql/warehouses/<name>/config.ts)
 * through the one config loader, and what its descriptor makes of it: the open options, the
 * start-up line, the spool's binding line and the variables it reads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigQuery } from '../../fakes/bigquery/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '../../core/errors.js';
import { parseConfig } from '../../server/config.js';
import { featureSecrets } from '../../server/serve-config.js';
import { SqlError } from '../../sql/errors.js';
import { describeWarehouse, openWarehouse, warehouseConfigOf, warehouseIdentity, warehouseSecrets } from '../../sql/warehouses/index.js';

function errorOf(fn: () => unknown): SwitchboardError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SwitchboardError, `expected a SwitchboardError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

const bigquery = (keys: Record<string, unknown>): unknown => ({ warehouse: { type: 'bigquery', ...keys } });

describe('warehouse.type: bigquery', () => {
  test('a project ID is all it needs; every other key has its default', () => {
    assert.deepEqual(parseConfig(bigquery({ projectId: 'acme-analytics' })).warehouse, {
      type: 'bigquery',
      projectId: 'acme-analytics',
      location: 'US',
      datasetPrefix: '',
      rawSchema: 'raw',
      maximumBytesBilled: 10_737_418_240,
      jobTimeoutMs: 600_000,
    });
  });

  test('takes every key it documents', () => {
    const keys = {
      projectId: 'example.com:acme-analytics',
      location: 'europe-west3',
      keyFile: './secrets/bigquery.json',
      datasetPrefix: 'sb_',
      rawSchema: 'landing',
      maximumBytesBilled: 1_000_000,
      apiEndpoint: 'http://127.0.0.1:9050',
      jobTimeoutMs: 30_000,
    };
    assert.deepEqual(parseConfig(bigquery(keys)).warehouse, { type: 'bigquery', ...keys });
    assert.equal(parseConfig(bigquery({ projectId: 'acme-analytics', location: 'EU' })).warehouse.type, 'bigquery');
  });

  test('without a project ID, the message names warehouse.projectId', () => {
    const error = errorOf(() => parseConfig(bigquery({})));
    assert.equal(error.configKey, 'warehouse.projectId');
    assert.match(error.message, /warehouse\.projectId: is required/);
  });

  test('a project name or number instead of its ID names the key and says what an ID looks like', () => {
    for (const projectId of ['Acme Analytics', '123456789012', 'acme-', 'ab']) {
      const error = errorOf(() => parseConfig(bigquery({ projectId })));
      assert.equal(error.configKey, 'warehouse.projectId');
      assert.match(error.message, new RegExp(`warehouse\\.projectId: must be a GCP project ID such as acme-analytics.* \\(got "${projectId}"\\)`));
    }
  });

  test('a location that is not one names the key and gives examples', () => {
    for (const location of ['us', 'Frankfurt', 'europe-west']) {
      const error = errorOf(() => parseConfig(bigquery({ projectId: 'acme-analytics', location })));
      assert.equal(error.configKey, 'warehouse.location');
      assert.match(error.message, new RegExp(`warehouse\\.location: must be a BigQuery location: US, EU, or a region such as europe-west3 or us-central1 \\(got "${location}"\\)`));
    }
  });

  test('maximumBytesBilled cannot be switched off, and the message says how to let bigger queries run', () => {
    for (const maximumBytesBilled of [0, 'off', -1, 1.5]) {
      const error = errorOf(() => parseConfig(bigquery({ projectId: 'acme-analytics', maximumBytesBilled })));
      assert.equal(error.configKey, 'warehouse.maximumBytesBilled');
      assert.match(error.message, /warehouse\.maximumBytesBilled: must be a whole number of bytes above 0, e\.g\. 10737418240 \(10 GiB\)/);
      assert.match(error.message, /there is no "off".*raise warehouse\.maximumBytesBilled/);
    }
  });

  test('a dataset prefix must make valid dataset names', () => {
    const error = errorOf(() => parseConfig(bigquery({ projectId: 'acme-analytics', datasetPrefix: 'SB-' })));
    assert.equal(error.configKey, 'warehouse.datasetPrefix');
  });

  test('a typo in a key suggests the key meant', () => {
    const error = errorOf(() => parseConfig(bigquery({ projectID: 'acme-analytics' })));
    assert.match(error.message, /warehouse\.projectID: unknown key; did you mean warehouse\.projectId\?/);
  });

  test("another warehouse's key says which type takes it", () => {
    const error = errorOf(() => parseConfig(bigquery({ projectId: 'acme-analytics', path: './x.duckdb' })));
    assert.match(error.message, /warehouse\.path: applies only when warehouse\.type is duckdb, and warehouse\.type is bigquery/);
  });

  test('its open options resolve the key file against the working directory', () => {
    const file = parseConfig(bigquery({ projectId: 'acme-analytics', location: 'EU', keyFile: 'keys/sa.json', datasetPrefix: 'sb_' }));
    assert.deepEqual(warehouseConfigOf(file.warehouse, '/srv/sb'), {
      type: 'bigquery',
      projectId: 'acme-analytics',
      location: 'EU',
      keyFile: '/srv/sb/keys/sa.json',
      datasetPrefix: 'sb_',
      maximumBytesBilled: 10_737_418_240,
      jobTimeoutMs: 600_000,
    });
  });

  test('the start-up line names the project and location; the spool binding names project and prefix, without secrets', () => {
    const file = parseConfig(bigquery({ projectId: 'acme-analytics', location: 'EU', keyFile: '/etc/sb/key.json', datasetPrefix: 'sb_' }));
    assert.equal(describeWarehouse(file.warehouse), 'BigQuery acme-analytics (EU), dataset prefix sb_');
    assert.equal(describeWarehouse(parseConfig(bigquery({ projectId: 'acme-analytics' })).warehouse), 'BigQuery acme-analytics (US)');
    assert.equal(warehouseIdentity(warehouseConfigOf(file.warehouse, '/'), file.warehouse.rawSchema), 'bigquery acme-analytics/sb_ (raw schema raw)');
  });

  test('Application Default Credentials are optional, so start-up asks for no variable', () => {
    const file = parseConfig(bigquery({ projectId: 'acme-analytics' }));
    assert.deepEqual(
      warehouseSecrets(file.warehouse).map((s) => [s.env, s.optional]),
      [['GOOGLE_APPLICATION_CREDENTIALS', true]],
    );
    assert.deepEqual(warehouseSecrets(parseConfig(bigquery({ projectId: 'acme-analytics', keyFile: '/k.json' })).warehouse), []);
    assert.deepEqual(featureSecrets(file), []);
  });

  test('a project it may not use stops the open with what to grant, naming warehouse.projectId', async () => {
    const fake = await startFakeBigQuery();
    const dir = await mkdtemp(join(tmpdir(), 'sb-bq-config-'));
    try {
      fake.failNext({ status: 403, reason: 'accessDenied', kind: 'jobs.insert', message: 'Access Denied: Project acme-analytics: User does not have bigquery.jobs.create permission' });
      const file = parseConfig(bigquery({ projectId: fake.projectId, keyFile: await fake.writeCredentials(dir), apiEndpoint: fake.url }));
      await assert.rejects(openWarehouse(warehouseConfigOf(file.warehouse, '/')), (error: unknown) => {
        assert.ok(error instanceof SqlError);
        assert.equal(error.code, 'SB_SQL_UNAVAILABLE');
        assert.equal(error.configKey, 'warehouse.projectId');
        assert.match(error.message, /accessDenied.*BigQuery Job User/);
        return true;
      });
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the DuckDB and Postgres descriptors', () => {
  test('DuckDB: the path resolves against the working directory (`:memory:` stays), and the start-up line shows it as written', () => {
    const file = parseConfig({ warehouse: { path: './data/x.duckdb', threads: 2 } });
    assert.deepEqual(warehouseConfigOf(file.warehouse, '/srv/sb'), { type: 'duckdb', path: '/srv/sb/data/x.duckdb', threads: 2, memoryLimit: '1GB', checkpointThreshold: '256MB' });
    const memory = warehouseConfigOf(parseConfig({ warehouse: { path: ':memory:' } }).warehouse, '/srv/sb');
    assert.equal(memory.type === 'duckdb' ? memory.path : undefined, ':memory:');
    assert.equal(describeWarehouse(file.warehouse), 'DuckDB ./data/x.duckdb');
    assert.deepEqual(warehouseSecrets(file.warehouse), []);
  });

  test('Postgres: the start-up line masks a password written into the URL; PGPASSWORD is optional', () => {
    const file = parseConfig({ warehouse: { type: 'postgres', url: 'postgres://sb:s3cret@db.internal:6432/switchboard' } });
    assert.equal(describeWarehouse(file.warehouse), 'Postgres postgres://sb:***@db.internal:6432/switchboard');
    assert.doesNotMatch(warehouseIdentity(warehouseConfigOf(file.warehouse, '/'), 'raw'), /s3cret/);
    assert.deepEqual(
      warehouseSecrets(file.warehouse).map((s) => [s.env, s.optional]),
      [['PGPASSWORD', true]],
    );
    assert.deepEqual(featureSecrets(file), []);
  });
});
