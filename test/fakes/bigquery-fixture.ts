/**
 * The fake BigQuery (fakes/bigquery/) with a real @google-cloud/bigquery client signed in through
 * the fake's token endpoint, for the tests of the fake itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BigQuery } from '@google-cloud/bigquery';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions } from '../../fakes/bigquery/index.js';

export interface BigQueryFixture {
  fake: FakeBigQuery;
  bigquery: BigQuery;
  /** The credential file (`keyFilename`). */
  keyFilename: string;
  dir: string;
  close(): Promise<void>;
}

/** Starts the fake and a client; retries wait 1 ms instead of the library's 1–2 s. */
export async function startBigQueryFixture(options: FakeBigQueryOptions = {}): Promise<BigQueryFixture> {
  const fake = await startFakeBigQuery(options);
  const dir = await mkdtemp(join(tmpdir(), 'bq-fake-'));
  const keyFilename = await fake.writeCredentials(dir);
  const bigquery = new BigQuery({ projectId: fake.projectId, apiEndpoint: fake.url, keyFilename, retryOptions: { maxRetryDelay: 0.001 } });
  return {
    fake,
    bigquery,
    keyFilename,
    dir,
    close: async () => {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: number; message: string; errors?: Array<{ reason?: string; message?: string; row?: unknown }>; name?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code?: number; message: string };
  }
  throw new Error('expected a rejection');
}
