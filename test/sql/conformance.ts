/**
 * The warehouse conformance suite: one set of behaviours every Warehouse must show, run
 * unchanged against each real engine (test/sql/duckdb.test.ts, test/sql/postgres.test.ts).
 * When an engine needs different SQL, the fix belongs in its dialect, never in here.
 *
 * @example runWarehouseConformance('duckdb', () => openDuckDb({ path: freshTempFile() }))
 */
import { describe } from 'node:test';
import type { Warehouse } from '../../sql/warehouse.js';
import { transactionTests } from './conformance/transactions.js';
import { upsertTests } from './conformance/upserts.js';
import { valueTests } from './conformance/values.js';
import { jsonRowsTests } from './conformance/json-rows.js';
import { jsonTextTests } from './conformance/json-text.js';
import { readOnlyTests } from './conformance/read-only.js';
import { writeRowsTests } from './conformance/write-rows.js';
import { introspectTests } from './conformance/introspect.js';
import { streamTests } from './conformance/stream.js';
import { cancelTests } from './conformance/cancel.js';
import { dryRunTests } from './conformance/dry-run.js';

/**
 * Declares the suite `warehouse conformance: <name>`. `open` must return a warehouse that
 * is fresh or at least isolated from other runs; each test opens and closes its own.
 */
export function runWarehouseConformance(name: string, open: () => Promise<Warehouse>): void {
  describe(`warehouse conformance: ${name}`, () => {
    valueTests(open);
    upsertTests(open);
    jsonRowsTests(open);
    jsonTextTests(open);
    transactionTests(open);
    readOnlyTests(open);
    writeRowsTests(open);
    introspectTests(open);
    streamTests(open);
    cancelTests(open);
    dryRunTests(open);
  });
}
