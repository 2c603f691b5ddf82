/**
 * Schema drift through the whole server (serve's composition, real DuckDB and Postgres): a
 * meetings event lands, the `drift` job runs, one with a new field lands, the job runs again
 * → exactly one path_added row, which GET /drift returns and /metrics counts; and a
 * Salesforce sync whose mapping names a field the org lacks (the Salesforce fake) shows up
 * as destination_field drift.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import type { DriftRunResult } from '../../ingest/drift/schema-drift.js';
import type { DriftRow } from '../../ingest/drift/store.js';
import { startSalesforceServer, type SalesforceServer } from '../../fakes/salesforce/index.js';
import { SYNC_SCHEMA } from '../../sync/state.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';

const SECRET_ENV = 'SWITCHBOARD_SALESFORCE_CLIENT_SECRET';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`schema drift in serve, on ${warehouse}`, () => {
    let h: Harness;
    let sf: SalesforceServer;
    const modelsSchema = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    // Postgres keeps switchboard_sync between runs: a fresh sync name per run.
    const sync = `tasks_${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      sf = await startSalesforceServer();
      process.env[SECRET_ENV] = sf.clientSecret; // the syncer reads the process's environment, as serve's does
      h = await startHarness({
        warehouse,
        config: {
          models: { schedule: 'off', schema: modelsSchema },
          drift: { warmupEvents: 1, settleSeconds: 0 },
          destinations: { salesforce: { loginUrl: sf.url, clientId: sf.clientId } },
          syncs: [{ name: sync, model: 'tasks', key: 'id', destination: 'salesforce', object: 'Task', schedule: 'off', mapping: { Subject: 'subject', Bogus__c: 'subject' } }],
        },
      });
    });
    after(async () => {
      delete process.env[SECRET_ENV];
      if (h !== undefined) {
        if (warehouse === 'postgres') {
          await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${modelsSchema} CASCADE`);
          for (const table of ['runs', 'outcomes', 'snapshots', 'rejections']) await h.server.warehouse.run(`DELETE FROM ${SYNC_SCHEMA}.${table} WHERE sync_name = '${sync}'`);
        }
        await h.close();
      }
      await sf?.close();
    });

    const tick = async (): Promise<DriftRunResult> => (await h.server.jobs.tick('drift')) as DriftRunResult;
    const getDrift = async (query = ''): Promise<DriftRow[]> => {
      const response = await h.admin({ method: 'GET', url: `/drift${query}` });
      assert.equal(response.statusCode, 200, response.body);
      return (response.json() as { drift: DriftRow[] }).drift;
    };

    test('a new field in a meetings payload records exactly one path_added, shown by GET /drift and /metrics', async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
      await h.drain();
      const first = await tick();
      assert.deepEqual([first.learned, first.found], [1, {}], 'the first event is the baseline');

      const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: Record<string, unknown> };
      event.idempotencyKey = 'b7d8c1e2-0000-4000-8000-000000000001';
      event.data.phone = '+14155550100';
      assert.equal((await h.send('meetings', { body: JSON.stringify(event) })).statusCode, 200);
      await h.drain();
      const second = await tick();
      assert.deepEqual(second.found, { path_added: 1 });

      const rows = (await getDrift(`?since=${encodeURIComponent(since)}`)).filter((r) => r.family === 'meetings');
      assert.equal(rows.length, 1, JSON.stringify(rows));
      const [row] = rows;
      assert.deepEqual(
        [row?.kind, row?.event_type, row?.path, row?.new_type, row?.count, row?.sample],
        ['path_added', 'PARTICIPANT_JOINED', '$.data.phone', 'string', 1, '********0100'],
        'the phone number masked although models.pii.phone is keep: samples are never kept in the clear',
      );
      assert.deepEqual(await getDrift(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`), [], 'since filters');
      assert.deepEqual((await tick()).found, {}, 'a run with nothing new records nothing');
      assert.equal((await getDrift('?kind=path_added')).length, 1);

      const metrics = await h.admin({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /^switchboard_schema_drift_total\{family="meetings",kind="path_added"\} 1$/m);
      const [job] = await h.query<{ status: string }>(`SELECT status FROM ${h.raw('_job_runs')} WHERE job = 'drift' ORDER BY started_at DESC LIMIT 1`);
      assert.equal(job?.status, 'success', 'runs are in the job history');
    });

    test('a Salesforce field the org does not have, refused by a sync, is destination_field drift', async () => {
      await h.server.warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${modelsSchema}`);
      await h.server.warehouse.run(`CREATE TABLE ${modelsSchema}.tasks AS SELECT 'c1' AS id, 'missed call' AS subject`);
      const result = (await h.server.jobs.tick(`sync:${sync}`)) as { status: string; error: { code: string; message: string } | null };
      assert.equal(result.status, 'failed');
      assert.match(result.error?.message ?? '', /No such column 'Bogus__c'/);
      const found = await tick();
      assert.equal(found.found.destination_field !== undefined && found.found.destination_field >= 1, true, JSON.stringify(found.found));
      const rows = (await getDrift('?kind=destination_field')).filter((r) => r.destination === sync);
      assert.deepEqual(rows.map((r) => [r.family, r.event_type, r.path, r.sample, r.count]), [['salesforce', 'Task', 'Bogus__c', 'INVALID_FIELD', 1]]);
    });
  });
}
