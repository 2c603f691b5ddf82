/**
 * The shape of `switchboard.yaml` (or `.json`). Every key has a default, so an empty file (or
 * no file at all) is a working local setup on embedded DuckDB under ./data/.
 *
 * The `warehouse:` block is not here: each warehouse declares its own in
 * `sql/warehouses/<name>/config.ts`, and {@link configSchemaFor} combines them with the rest.
 *
 * Secrets never live here: each one is read from an environment variable named in
 * README.md#configuration (see `core/secrets.ts`).
 */
import { z } from 'zod';
import { cronOrOff, ianaZone, schemaName } from './config-fields.js';
import { pulls } from './config-pulls.js';
import { alerts } from './config-alerts.js';
import { drift } from './config-drift.js';
import { models } from './config-models.js';
import { warehouseSection, type WarehouseChoices, type WarehouseSchema, type WarehouseSettings } from './config-warehouse.js';

export type { WarehouseChoices, WarehouseSchema, WarehouseSettings } from './config-warehouse.js';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

/** IP allowlist entries: an address, a CIDR range, or a preset name (see ingest/ip-presets.ts). */
const allowlist = z.array(z.string().min(1)).min(1);

const server = z.strictObject({
  /** 127.0.0.1 for local try-outs; 0.0.0.0 (or a proxy in front) to receive from 8x8. */
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For is trusted. Empty: trust none. */
  trustProxy: z.array(z.string().min(1)).default([]),
  /** Largest accepted request body. 8x8 events are a few KB. */
  bodyLimitBytes: positiveInt.default(1_048_576),
  /**
   * Node's deadline for *receiving* a whole request: a client that has not finished sending
   * by then gets 408 (slow-loris protection). 8x8's bodies are a few KB and arrive in
   * milliseconds, so this only ever cuts off stalled clients; it is not the answer deadline.
   */
  requestTimeoutMs: positiveInt.default(10_000),
  /**
   * Deadline for making a received event durable (spool fsync) before answering 503 so that
   * 8x8 retries. Below 5 s: 8x8's WhatsApp webhooks page asks for an answer "within 5
   * seconds" (docs/connect/docs/whatsapp/whatsapp-webhooks.md, 8x8.md §1.7), and an answer
   * 8x8 has stopped waiting for is a retry anyway. Example: 4000.
   */
  durableDeadlineMs: positiveInt.max(4_900).default(4_000),
  /** Per source IP, across all webhook routes. 8x8 sends from a handful of IPs. */
  rateLimit: z
    .strictObject({
      max: positiveInt.default(50_000),
      windowMs: positiveInt.default(60_000),
      /**
       * Per source IP and window, refusals of *unverified* requests (wrong or missing
       * credentials, refused addresses) before that address gets 429 without its body being
       * read. 8x8 itself never fails verification once set up.
       */
      unverifiedMax: positiveInt.default(300),
    })
    .prefault({}),
});

const admin = z.strictObject({
  /** The operator API (replay, …) on its own listener. Keep it on loopback. */
  enabled: z.boolean().default(true),
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8081),
  /**
   * More host names the operator API answers to (the Host header), besides admin.host and,
   * when that is loopback or a wildcard, 127.0.0.1, localhost and ::1. Requests naming any
   * other host are refused (DNS rebinding). E.g. `["switchboard.internal"]`.
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** How long one `switchboard sql` query (POST /sql) may run before it is cancelled. */
  sqlTimeoutMs: positiveInt.default(60_000),
});

const jobs = z.strictObject({
  /**
   * This process's name in job leases, run history and status (with its pid); default the
   * host name. Give each serve process its own when several share a host name.
   */
  nodeName: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, dash and underscore only').optional(),
  /**
   * How long a job's lease in the warehouse lasts without renewal (renewed every third of
   * it). When a serve process dies mid-run, another takes the job over after at most this.
   */
  leaseSeconds: z.number().int().min(3).max(3600).default(60),
  /** Longest a build, sync or pull may run before it is stopped at its next checkpoint. */
  deadlineMinutes: z.number().int().positive().max(24 * 60).default(60),
});

const spool = z.strictObject({
  /** Where accepted events wait, fsync'd, until they are in the warehouse. */
  dir: z.string().min(1).default('./data/spool'),
  /** Disk budget. Past it, webhooks get 503 + Retry-After until the warehouse catches up. */
  maxBytes: positiveInt.default(1024 * 1024 * 1024),
  /** Retry-After (seconds) sent with 503. 8x8 retries at 1, 10, 30 and 90 s regardless. */
  retryAfterSeconds: positiveInt.default(10),
  segmentBytes: positiveInt.default(64 * 1024 * 1024),
  /** Only for benchmarks that say so: acknowledging without fsync can lose events. */
  fsync: z.boolean().default(true),
});

const rejections = z.strictObject({
  /** How much of a refused body is kept (its SHA-256 and size are always kept). 8x8 events are a few KB. */
  bodySampleBytes: z.number().int().min(0).max(1_048_576).default(16_384),
  /** Refusals stored one by one per source address and minute; past it they are counted into one summary row a minute. */
  perSourcePerMinute: positiveInt.default(60),
  /** Refusals stored one by one per minute from all sources together (the disk budget for refusals). */
  maxPerMinute: positiveInt.default(600),
});

const signals = z.strictObject({
  /**
   * Compute the signals (throughput, latency, ratios, backlog per minute) and keep them in
   * `<models.schema>.sb_signal_*`: counters in memory on the landing path, written once a
   * flush. Off: nothing is counted, and landing reads no event times.
   */
  enabled: z.boolean().default(true),
  /**
   * How often the counters of the minutes that have ended are written (and the backlog
   * sampled): a divisor of 60 below a minute, or whole minutes dividing an hour.
   */
  flushSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .refine((s) => (s < 60 ? 60 % s === 0 : s % 60 === 0 && 3600 % s === 0), 'must divide a minute (5, 10, 15, 20, 30) or be whole minutes dividing an hour (60, 120, 300, …, 3600)')
    .default(60),
  /** Rows older than this many days are deleted (once an hour). */
  retentionDays: positiveInt.max(3650).default(30),
  /**
   * Curated tables whose `last_updated_at` (the newest `landed_at` of a row's events) measures
   * landed → curated after each build: the latency's pipeline is the table's name.
   */
  curatedModels: z.array(schemaName).default(['calls', 'messages', 'meetings']),
});

const drain = z.strictObject({
  /** Most events written to the warehouse in one transaction. */
  batchSize: positiveInt.max(50_000).default(1000),
  /** When nearly caught up, wait this long for more events before the next transaction. */
  lingerMs: z.number().int().min(0).max(60_000).default(200),
  /** Longest back-off between failed warehouse writes. */
  maxBackoffMs: positiveInt.default(30_000),
  /**
   * A waiting backlog that has not moved for this long is a stalled drain: /readyz reports
   * not ready, switchboard_drain_stalled is 1, and an error is logged.
   */
  stallAfterSeconds: positiveInt.default(300),
});

const messaging = z.strictObject({
  enabled: z.boolean().default(true),
  allow: allowlist.default(['8x8-messaging', 'loopback']),
  auth: z
    .strictObject({
      /**
       * static: 8x8 sends the `httpAuthorization` value you registered, as-is.
       * oauth: 8x8 gets a token from Switchboard's /oauth/token and sends it as a bearer.
       * none: rely on the IP allowlist alone.
       */
      mode: z.enum(['static', 'oauth', 'none']).default('static'),
      /** oauth only: the clientId you register with 8x8 (the secret comes from the environment). */
      clientId: z.string().min(1).default('switchboard'),
      /** oauth only: lifetime of issued tokens. */
      tokenTtlSeconds: positiveInt.default(3600),
    })
    .prefault({}),
});

const voice = z.strictObject({
  enabled: z.boolean().default(true),
  allow: allowlist.default(['8x8-voice', 'loopback']),
  auth: z
    .strictObject({
      /** header: 8x8 sends the registered `httpAuthHeader` value; none: IP allowlist only. */
      mode: z.enum(['header', 'none']).default('header'),
      /** The header carrying it. 8x8 does not document the name; Authorization is the likely one. */
      header: z.string().min(1).default('authorization'),
    })
    .prefault({}),
});

const contactCenter = z.strictObject({
  enabled: z.boolean().default(true),
  allow: allowlist.default(['any']),
  /**
   * The Contact Center region of the legacy Chat API (v2), whose signing keys are served at
   * `https://api.8x8.com/vcc/{region}/chat/v2/jwk/{kid}/public` (8x8's own samples use `us`:
   * docs/actions-events/docs/validating-webhook-events.md). One of us, eu, ca, ap. Example: "eu".
   */
  region: z.enum(['us', 'eu', 'ca', 'ap']).default('us'),
  /**
   * Where public keys are fetched by kid; `{kid}` is replaced. Tried in order. Default: the
   * Chat Gateway's URL, then the legacy Chat API's in `region`, so events of both kinds verify.
   */
  jwkUrls: z
    .array(z.string().regex(/^https?:\/\/.*\{kid\}/, 'must be an http(s) URL containing {kid}'))
    .min(1)
    .optional(),
  /** How long a fetched key is trusted before it is fetched again. */
  jwkCacheSeconds: positiveInt.default(3600),
  /** Timeout for one key fetch. */
  jwkFetchTimeoutMs: positiveInt.default(3000),
  /** A local JWKS file of extra trusted keys (tests, air-gapped setups). */
  trustedKeysFile: z.string().min(1).optional(),
  /**
   * Largest accepted difference between the signed `x-8x8-transmission-time` (epoch ms) and
   * the arrival time. The signature covers only a CRC32 of the body, so this bounds how long
   * a captured delivery's headers can be reused with a forged body. Like meetings.toleranceSeconds.
   */
  toleranceSeconds: positiveInt.default(300),
});

const meetings = z.strictObject({
  enabled: z.boolean().default(true),
  allow: allowlist.default(['any']),
  /** Largest accepted difference between the signature's t= and now. */
  toleranceSeconds: positiveInt.default(300),
});

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case identifier such as calls_to_salesforce');

/**
 * One reverse-ETL sync: a model (or a query over models), its key, where it goes and how.
 * Secrets of destinations come from the environment (README › Secrets).
 */
const sync = z
  .strictObject({
    name: identifier,
    /** The model to send, e.g. `salesforce_call_tasks` (in models.schema). */
    model: identifier.optional(),
    /** Or a SELECT over the warehouse, e.g. `SELECT * FROM analytics.calls WHERE is_missed`. */
    sql: z.string().min(1).optional(),
    /** The column that identifies a row in the model and its record in the destination. */
    key: identifier,
    destination: z.enum(['salesforce', 'zendesk', 'slack']),
    /** Salesforce sObject (`Task`), Zendesk `tickets`, or a Slack channel id (`C0123…`). */
    object: z.string().min(1),
    /** Destination field → model column. */
    mapping: z.record(z.string().min(1), identifier).refine((m) => Object.keys(m).length > 0, 'map at least one field'),
    /** upsert: create or update; update: never create; create: never update; mirror: upsert and delete what left the model. */
    mode: z.enum(['upsert', 'update', 'create', 'mirror']).default('upsert'),
    /** When `serve` runs it (node-cron), or `off` (then only `switchboard sync`). */
    schedule: cronOrOff.default('*/5 * * * *'),
    /** Alert syncs (Slack escalations) run ahead of bulk ones. */
    priority: z.enum(['alert', 'bulk']).default('bulk'),
  })
  .superRefine((value, ctx) => {
    if ((value.model === undefined) === (value.sql === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of model or sql', path: ['model'] });
    }
  });

const destinations = z.strictObject({
  salesforce: z
    .strictObject({
      /** Token endpoint host; a sandbox uses https://test.salesforce.com. */
      loginUrl: z.string().url().default('https://login.salesforce.com'),
      /** Set explicitly: jsforce's default is an old version. */
      apiVersion: z.string().regex(/^\d+\.0$/, 'must look like "62.0"').default('62.0'),
      /** OAuth: `client_credentials` (connected app) or `password` (username + password + token). */
      auth: z.enum(['client_credentials', 'password']).default('client_credentials'),
      clientId: z.string().min(1).optional(),
      username: z.string().min(1).optional(),
      /** The external-ID field Tasks are upserted by. */
      externalIdField: z.string().min(1).default('Switchboard_Call_Id__c'),
      /** Above this many changed records, Bulk API 2.0 instead of sObject Collections. */
      bulkThreshold: z.number().int().min(1).default(2000),
      /** Pace REST calls to at most this many per second (the share of the org's API allowance for Switchboard); unset: no pacing. */
      requestsPerSecond: z.number().int().positive().optional(),
    })
    .optional(),
  zendesk: z
    .strictObject({
      /** https://<subdomain>.zendesk.com */
      url: z.string().url(),
      /** The agent the API token belongs to (`email/token` auth). */
      email: z.string().min(1),
    })
    .optional(),
  slack: z
    .strictObject({
      /** Only for tests and proxies; Slack's own by default. */
      apiUrl: z.string().url().default('https://slack.com/api/'),
      /** Per Web API call. */
      timeoutMs: z.number().int().positive().default(10_000),
      /** Records per send (one API call each). */
      batchSize: z.number().int().positive().max(1000).default(20),
      /** After a crash, how far back to look for an alert already posted (seconds). */
      lookupWindowSeconds: z.number().int().positive().default(259_200),
      /** …and how many pages of conversations.history at most. */
      lookupMaxPages: z.number().int().positive().max(100).default(1),
      /** conversations.history `limit`: at most 15 for apps outside the Slack Marketplace (up to 999 inside). */
      historyPageSize: z.number().int().positive().max(999).default(15),
      /** Least seconds between conversations.history calls: 60 outside the Marketplace (1 a minute), ~1.2 inside (Tier 3). */
      historyIntervalSeconds: z.number().nonnegative().max(3600).default(60),
      /** Least ms between two posts to one channel (Slack allows about 1 a second per channel). */
      postIntervalMs: z.number().int().nonnegative().max(60_000).default(1000),
    })
    .optional(),
});

/** Every section but `warehouse`, whose schemas come from sql/warehouses/. */
const sections = {
  server: server.prefault({}),
  admin: admin.prefault({}),
  spool: spool.prefault({}),
  drain: drain.prefault({}),
  jobs: jobs.prefault({}),
  signals: signals.prefault({}),
  rejections: rejections.prefault({}),
  models: models.prefault({}),
  destinations: destinations.prefault({}),
  syncs: z.array(sync).default([]),
  pulls: pulls.prefault({}),
  alerts: alerts.prefault({}),
  drift: drift.prefault({}),
  families: z
    .strictObject({
      messaging: messaging.prefault({}),
      voice: voice.prefault({}),
      contactCenter: contactCenter.prefault({}),
      meetings: meetings.prefault({}),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
};

/**
 * The schema of the whole file, with the warehouses sql/warehouses/ declares (core does not
 * import sql/: the caller passes them, see server/config.ts).
 * @example const schema = configSchemaFor({ schemas: WAREHOUSE_CONFIG_SCHEMAS, notYet: WAREHOUSES_NOT_YET })
 */
export function configSchemaFor<const W extends readonly [WarehouseSchema, ...WarehouseSchema[]]>(warehouses: WarehouseChoices<W>) {
  return z.strictObject({ warehouse: warehouseSection(warehouses), ...sections });
}

/**
 * The validated config file, defaults filled in, before secrets are attached, as code outside
 * sql/warehouses/ sees it: the warehouse's own keys are that folder's business.
 */
export type ConfigFile = z.infer<z.ZodObject<typeof sections>> & { warehouse: WarehouseSettings };
