/**
 * The fake BigQuery's datasets, tables and streaming inserts (fakes/bigquery/catalog.ts), and its
 * credential file from a child process with every non-local connection made to fail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBigQueryFixture, rejection, type BigQueryFixture } from './bigquery-fixture.js';

describe('the fake BigQuery: datasets, tables and insertAll through the real client', () => {
  let f: BigQueryFixture;
  before(async () => {
    f = await startBigQueryFixture({ location: 'EU' });
  });
  after(() => f.close());

  test('datasets: create, get, exists, 409 duplicate on a second create, list with paging, delete refusing a dataset with tables', async () => {
    const [created] = await f.bigquery.createDataset('raw_8x8', { labels: { owner: 'switchboard' } });
    assert.equal(created.metadata.location, 'EU', 'a dataset created without a location gets the default');
    assert.equal(f.fake.catalog.dataset('raw_8x8')?.resource.id, `${f.fake.projectId}:raw_8x8`);
    const [exists] = await f.bigquery.dataset('raw_8x8').exists();
    assert.equal(exists, true);
    const [absent] = await f.bigquery.dataset('nope').exists();
    assert.equal(absent, false);
    const duplicate = await rejection(f.bigquery.createDataset('raw_8x8'));
    assert.equal(duplicate.code, 409);
    assert.equal(duplicate.errors?.[0]?.reason, 'duplicate');

    await f.bigquery.createDataset('curated');
    const [first, next] = await f.bigquery.getDatasets({ maxResults: 1, autoPaginate: false });
    assert.deepEqual(first.map((d) => d.id), ['curated']);
    const [second, last] = await f.bigquery.getDatasets(next ?? {});
    assert.deepEqual(second.map((d) => d.id), ['raw_8x8']);
    assert.equal(last, null);

    await f.bigquery.dataset('curated').table('calls').create({ schema: [{ name: 'id', type: 'STRING' }] });
    const inUse = await rejection(f.bigquery.dataset('curated').delete());
    assert.equal(inUse.errors?.[0]?.reason, 'resourceInUse');
    await f.bigquery.dataset('curated').delete({ force: true });
    assert.equal(f.fake.catalog.dataset('curated'), undefined);
  });

  test('tables: create with schema, partitioning and clustering, get, exists, list with paging, delete, 404 notFound', async () => {
    const dataset = f.bigquery.dataset('models');
    await dataset.create();
    const [table] = await dataset.createTable('calls', {
      schema: [
        { name: 'call_id', type: 'STRING', mode: 'REQUIRED' },
        { name: 'started_at', type: 'TIMESTAMP' },
        { name: 'agent_id', type: 'STRING' },
      ],
      timePartitioning: { type: 'DAY', field: 'started_at' },
      clustering: { fields: ['agent_id'] },
    });
    assert.equal(table.id, 'calls');
    const stored = f.fake.catalog.table('models', 'calls');
    assert.deepEqual(stored?.resource.timePartitioning, { type: 'DAY', field: 'started_at' });
    assert.deepEqual(stored?.resource.clustering, { fields: ['agent_id'] });
    const [metadata] = await dataset.table('calls').getMetadata();
    assert.equal(metadata.schema.fields[0].name, 'call_id');
    assert.equal(metadata.type, 'TABLE');
    assert.equal((await dataset.table('calls').exists())[0], true);
    const duplicate = await rejection(dataset.createTable('calls', {}));
    assert.equal(duplicate.errors?.[0]?.reason, 'duplicate');

    f.fake.catalog.addTable('models', 'messages', { schema: [{ name: 'id', type: 'STRING' }] });
    f.fake.catalog.addTable('models', 'meetings');
    const [page, next] = await dataset.getTables({ maxResults: 2, autoPaginate: false });
    assert.deepEqual(page.map((t) => t.id), ['calls', 'meetings']);
    assert.equal(page[0]?.metadata.schema, undefined, 'tables.list items carry no schema');
    const [rest] = await dataset.getTables(next ?? {});
    assert.deepEqual(rest.map((t) => t.id), ['messages']);
    const [all] = await dataset.getTables();
    assert.equal(all.length, 3);

    await dataset.table('meetings').delete();
    assert.equal((await dataset.table('meetings').exists())[0], false);
    const missing = await rejection(dataset.table('meetings').get());
    assert.equal(missing.code, 404);
    assert.equal(missing.errors?.[0]?.reason, 'notFound');
    assert.match(missing.message, /Not found: Table/);
    const noDataset = await rejection(f.bigquery.dataset('absent').createTable('x', {}));
    assert.equal(noDataset.errors?.[0]?.reason, 'notFound');
  });

  test('insertAll records rows with their insertIds, drops a repeated insertId, and answers insertErrors for refused rows', async () => {
    const table = f.fake.catalog.addTable('stream', 'events', { schema: [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INT64' }] });
    const events = f.bigquery.dataset('stream').table('events');
    await events.insert([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    assert.deepEqual(table.rows.map((r) => r.json), [{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    assert.ok(table.rows.every((r) => typeof r.insertId === 'string'), 'the library sets an insertId per row');

    await events.insert([{ insertId: 'same', json: { id: 'c', n: 3 } }], { raw: true });
    await events.insert([{ insertId: 'same', json: { id: 'c', n: 3 } }], { raw: true });
    assert.equal(table.rows.filter((r) => r.insertId === 'same').length, 1, 'best-effort de-duplication by insertId');
    const [metadata] = await events.getMetadata();
    assert.equal(metadata.streamingBuffer.estimatedRows, '3');

    f.fake.catalog.rejectRows((row) => (row.json.id === 'bad' ? { reason: 'invalid', message: 'no thanks', location: 'id' } : undefined));
    const refused = await rejection(events.insert([{ id: 'ok', n: 4 }, { id: 'bad', n: 5 }], { partialRetries: 0 }));
    f.fake.catalog.rejectRows(undefined);
    assert.equal(refused.name, 'PartialFailureError');
    assert.deepEqual(refused.errors?.map((e) => (e as { errors: Array<{ reason: string }> }).errors[0]?.reason), ['stopped', 'invalid']);
    assert.equal(table.rows.some((r) => r.json.id === 'ok'), false, 'without skipInvalidRows nothing of the request is stored');

    const unknown = await rejection(events.insert([{ id: 'x', colour: 'red' }], { partialRetries: 0 }));
    assert.equal((unknown.errors?.[0] as { errors: Array<{ reason: string; message: string }> }).errors[0]?.message, 'no such field: colour.');
    await events.insert([{ id: 'y', colour: 'red' }], { ignoreUnknownValues: true });
    assert.deepEqual(table.rows.at(-1)?.json, { id: 'y', colour: 'red' });
    const insert = f.fake.requests.filter((r) => r.kind === 'tabledata.insertAll').at(-1);
    assert.equal((insert?.body as { ignoreUnknownValues: boolean }).ignoreUnknownValues, true);
  });

  test('a child process authenticates from the credential file alone, with every connection off 127.0.0.1 failing', async () => {
    f.fake.respond(() => ({ schema: [{ name: 'answer', type: 'INT64' }], rows: [{ answer: 42 }] }));
    const config = join(f.dir, 'warehouse.json');
    await writeFile(config, JSON.stringify({ projectId: f.fake.projectId, apiEndpoint: f.fake.url, keyFilename: f.keyFilename }));
    const tokensBefore = f.fake.requests.filter((r) => r.kind === 'token').length;
    const script = [
      "import { BigQuery } from '@google-cloud/bigquery';",
      "import { readFileSync } from 'node:fs';",
      'const options = JSON.parse(readFileSync(process.argv[1], "utf8"));',
      'const [rows] = await new BigQuery(options).query("SELECT 42 AS answer");',
      'process.stdout.write(JSON.stringify(rows));',
    ].join('\n');
    const dead = 'http://127.0.0.1:9';
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, config], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1', GCE_METADATA_HOST: '127.0.0.1:9', GOOGLE_APPLICATION_CREDENTIALS: '' },
      timeout: 60_000,
    });
    assert.deepEqual(JSON.parse(stdout), [{ answer: 42 }]);
    assert.equal(f.fake.requests.filter((r) => r.kind === 'token').length, tokensBefore + 1, 'the child fetched its token from the fake');
  });
});
