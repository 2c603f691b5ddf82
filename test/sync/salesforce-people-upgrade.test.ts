/**
 * Upgrading a warehouse whose `salesforce_people` was made before `account_id`, on real DuckDB
 * and real Postgres: the table is the incremental model models/outbound/salesforce_people.sql,
 * whose rows the pull writes, so it has on_schema_change='fail': without the column every build
 * of it fails, leaving the pulled rows alone, rather than rebuilding it empty. The migration sync/0003_salesforce_people_account_id appends the column (nullable, no
 * row rewritten); builds and the pull then work, and the rows already there are kept.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAMILY_TABLES } from '../../ingest/families/family.js';
import { PULL_ONLY_TABLES, rawEventTable } from '../../ingest/raw-tables.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { listColumns } from '../../sql/introspect.js';
import { withoutColumns } from '../../sql/migrations/steps.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { createSalesforceDestination, pullSalesforcePeople, salesforcePeopleTable } from '../../sync/destinations/salesforce/index.js';
import { startSalesforceServer } from '../../fakes/salesforce/index.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'sf-people-upgrade-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') }), raw: 'raw', analytics: 'analytics' },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), raw: uniqueSchema('raw'), analytics: uniqueSchema('analytics') },
] as const;

for (const target of targets) {
  describe(`salesforce_people made before account_id, on ${target.name}`, () => {
    test('the build fails on the old table until the migration appends account_id; then builds and the pull work and old rows stay', async () => {
      const wh: Warehouse = await target.open();
      const settings: ProjectSettings = { targetSchema: target.analytics, sources: { raw: target.raw }, vars: { default_region: 'US' } };
      const sf = await startSalesforceServer();
      try {
        const d = wh.dialect;
        await wh.run(d.createSchema(target.raw));
        for (const name of [...Object.values(FAMILY_TABLES), ...PULL_ONLY_TABLES]) await wh.run(d.createTable(rawEventTable(target.raw, name)));
        // The table as the previous version made it, with a row its pull wrote.
        const old = withoutColumns(salesforcePeopleTable(target.analytics), ['account_id']);
        await wh.run(d.createSchema(target.analytics));
        await wh.run(d.createTable(old));
        await wh.writeRows(old, [{ id: '003000000000009AAA', object: 'Contact', phone_field: 'Phone', phone_raw: '+12015550199', phone_e164: '+12015550199', pulled_at: new Date('2025-03-01T00:00:00Z') }], { mode: 'append' });
        const buildPeople = async () => build(wh, await loadProject(BUNDLED_MODELS_DIR, d), { settings, select: ['+salesforce_call_tasks'] });

        const refused = (await buildPeople()).results.find((r) => r.node === 'model.salesforce_people');
        assert.equal(refused?.status, 'error', "on_schema_change='fail': the build refuses the old table rather than rebuild it empty");
        assert.match(refused?.message ?? '', /^outbound\/salesforce_people\.sql: SB_MODEL_SCHEMA_CHANGED: the select's columns no longer match \S+\.salesforce_people \(added account_id\); the table is left as it was\./);

        await migrated(wh, { rawSchema: target.raw, modelsSchema: target.analytics });
        const columns = (await listColumns(wh, d, target.analytics, 'salesforce_people')).map((c) => c.name);
        assert.deepEqual(columns, salesforcePeopleTable(target.analytics).columns.map((c) => c.name), 'account_id appended last, in the model\'s order');
        assert.deepEqual(
          (await wh.all(`SELECT id, account_id FROM ${d.tableName(target.analytics, 'salesforce_people')}`)),
          [{ id: '003000000000009AAA', account_id: null }],
          'the row already there is kept, with no account until the next pull',
        );

        const after = await buildPeople();
        assert.deepEqual(after.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.node}: ${r.message}`), []);

        const account = sf.org.addAccount({ Name: 'Acme' });
        const contact = sf.org.addContact({ LastName: 'Tan', Phone: '+1 201 555 0199', AccountId: account });
        const salesforce = createSalesforceDestination(
          { loginUrl: sf.url, apiVersion: '62.0', auth: 'client_credentials', clientId: sf.clientId, externalIdField: 'Switchboard_Call_Id__c', bulkThreshold: 2000 },
          { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret },
          { defaultRegion: 'US' },
        );
        await pullSalesforcePeople(await salesforce.session.connection(), wh, target.analytics, { defaultRegion: 'US' });
        assert.deepEqual(await wh.all(`SELECT id, account_id FROM ${d.tableName(target.analytics, 'salesforce_people')}`), [{ id: contact, account_id: account }]);
      } finally {
        await sf.close();
        if (target.name === 'postgres') {
          for (const schema of [target.raw, target.analytics]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
        }
        await wh.close();
      }
    });
  });
}
