/**
 * BigQuery's `warehouse:` block: the project, the location, how to authenticate, how
 * datasets are named, and the bytes-billed guard every query carries.
 *
 * Datasets play the part of schemas: `<datasetPrefix><schema>`, e.g. with prefix `sb_` the
 * raw tables are in `sb_raw`, the models in `sb_analytics`, sync state in `sb_switchboard_sync`.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { schemaName } from '../../../core/config-fields.js';
import type { WarehouseKind } from '../kind.js';

/** 10 GiB: the default `maximumBytesBilled`. */
export const DEFAULT_MAXIMUM_BYTES_BILLED = 10 * 1024 ** 3;

/** How to reach BigQuery: what `openBigQuery` takes. */
export interface BigQueryOptions {
  /** The GCP project that runs the jobs and holds the datasets, e.g. `acme-analytics`. */
  projectId: string;
  /** Where the datasets live and jobs run: `US`, `EU` or a region such as `europe-west3`. */
  location: string;
  /**
   * Absolute path of a service-account key (JSON). Absent: Application Default Credentials
   * (GOOGLE_APPLICATION_CREDENTIALS, gcloud's user credentials, or the metadata server).
   */
  keyFile?: string;
  /** Prepended to every schema to name its dataset, e.g. `sb_` → `sb_raw`; may be empty. */
  datasetPrefix: string;
  /** Every query job's `maximumBytesBilled`: a query that would scan more fails unbilled. E.g. 10737418240. */
  maximumBytesBilled: number;
  /** Another API root than Google's, e.g. `http://127.0.0.1:9050` (the test fake, a private endpoint). */
  apiEndpoint?: string;
  /** Longest a job may run before it is cancelled, e.g. 600000. */
  jobTimeoutMs: number;
}

const bytesBilledMessage =
  'must be a whole number of bytes above 0, e.g. 10737418240 (10 GiB). Every query carries it as its maximumBytesBilled guard and ' +
  'there is no "off": a query that would scan more fails without cost, so raise warehouse.maximumBytesBilled to let bigger queries run';

export const bigQueryConfigSchema = z.strictObject({
  type: z.literal('bigquery'),
  /**
   * The GCP project, e.g. `acme-analytics`: 6 to 30 lower-case letters, digits or hyphens,
   * starting with a letter, not ending with a hyphen
   * (https://cloud.google.com/resource-manager/docs/creating-managing-projects); a
   * domain-scoped project is written `example.com:acme-analytics`.
   */
  projectId: z
    .string()
    .regex(
      /^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      'must be a GCP project ID such as acme-analytics: 6 to 30 lower-case letters, digits or hyphens, starting with a letter (the ID, not the project name or number)',
    ),
  /** Multi-region `US` or `EU`, or a region such as `europe-west3` (https://cloud.google.com/bigquery/docs/locations). */
  location: z.string().regex(/^(US|EU|[a-z]+-[a-z]+\d+)$/, 'must be a BigQuery location: US, EU, or a region such as europe-west3 or us-central1').default('US'),
  /**
   * A service-account key file (JSON), e.g. `/etc/switchboard/bigquery-key.json`; relative
   * paths resolve against the working directory. Keep it out of the repository. Absent:
   * Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or the metadata server).
   */
  keyFile: z.string().min(1).optional(),
  /** Dataset names are `<datasetPrefix><schema>`: with `sb_`, `sb_raw` and `sb_analytics`. Default: none. */
  datasetPrefix: z
    .string()
    .regex(/^([a-z_][a-z0-9_]*)?$/, 'must be empty or lower-case letters, digits and underscores starting with a letter or underscore, such as sb_')
    .default(''),
  rawSchema: schemaName.default('raw'),
  /** Every query's guard: BigQuery fails a query that would bill more bytes, without charge. */
  maximumBytesBilled: z.number({ error: bytesBilledMessage }).int(bytesBilledMessage).positive(bytesBilledMessage).default(DEFAULT_MAXIMUM_BYTES_BILLED),
  /** Only for tests and private endpoints; Google's by default. */
  apiEndpoint: z.string().url().optional(),
  /** Longest one job may run before it is cancelled. */
  jobTimeoutMs: z.number().int().positive().default(600_000),
});

export type BigQuerySettings = z.output<typeof bigQueryConfigSchema>;

export const bigQueryKind: WarehouseKind<typeof bigQueryConfigSchema, BigQueryOptions> = {
  type: 'bigquery',
  schema: bigQueryConfigSchema,
  toOptions: (settings, cwd) => ({
    projectId: settings.projectId,
    location: settings.location,
    ...(settings.keyFile === undefined ? {} : { keyFile: resolve(cwd, settings.keyFile) }),
    datasetPrefix: settings.datasetPrefix,
    maximumBytesBilled: settings.maximumBytesBilled,
    ...(settings.apiEndpoint === undefined ? {} : { apiEndpoint: settings.apiEndpoint }),
    jobTimeoutMs: settings.jobTimeoutMs,
  }),
  describe: (settings) => `BigQuery ${settings.projectId} (${settings.location})${settings.datasetPrefix === '' ? '' : `, dataset prefix ${settings.datasetPrefix}`}`,
  identity: (options) => `bigquery ${options.projectId}/${options.datasetPrefix}`,
  // Without a key file, the library finds credentials itself; the metadata server needs no variable, so none is required.
  secrets: (settings) =>
    settings.keyFile === undefined
      ? [{ env: 'GOOGLE_APPLICATION_CREDENTIALS', configKey: 'warehouse.keyFile', purpose: 'a service-account key for BigQuery, unless the metadata server or gcloud provides credentials', optional: true }]
      : [],
};
