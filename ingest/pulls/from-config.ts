/**
 * The pull sources the config turns on (`pulls.*`), with their credentials from the
 * environment. A source whose key is absent is off; one whose credentials are missing
 * is listed, and says which variable to set when it is run.
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../../core/config-schema.js';
import { SwitchboardError } from '../../core/errors.js';
import type { SecretNeed } from '../../core/secrets.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { Puller, type ConfiguredSource, type PullerOptions } from './puller.js';
import { WORK_ANALYTICS_ENV, WorkAnalyticsClient } from './work-analytics/client.js';
import { WORK_SOURCE, workCallRecordsSource } from './work-analytics/source.js';
import { CC_ANALYTICS_ENV, CcAnalyticsClient } from './contact-center/client.js';
import { CC_SOURCE, ccInteractionsSource } from './contact-center/source.js';
import { CONNECT_ENV, ConnectExportsClient } from './connect/client.js';
import { connectExportSource, connectSourceName } from './connect/source.js';

type Env = Readonly<Record<string, string | undefined>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Per source key of `pulls`, the environment variables its client logs in with. */
const CREDENTIALS = {
  workAnalytics: [WORK_ANALYTICS_ENV.apiKey, WORK_ANALYTICS_ENV.username, WORK_ANALYTICS_ENV.password],
  ccInteractions: [CC_ANALYTICS_ENV.clientId, CC_ANALYTICS_ENV.clientSecret],
  connect: [CONNECT_ENV.apiKey],
} as const;

const PURPOSES: Readonly<Record<keyof typeof CREDENTIALS, string>> = {
  workAnalytics: 'pulls from 8x8 Work Analytics',
  ccInteractions: 'pulls from 8x8 Contact Center Historical Analytics',
  connect: 'pulls 8x8 Connect log exports',
};

/**
 * The credentials every configured source needs, which serve checks at start with the
 * other secrets (README › Secrets).
 * @example pullSecrets(file) // [{ env: 'SWITCHBOARD_CONNECT_API_KEY', configKey: 'pulls.connect', purpose: 'pulls 8x8 Connect log exports' }]
 */
export function pullSecrets(file: ConfigFile): SecretNeed[] {
  return (Object.keys(CREDENTIALS) as Array<keyof typeof CREDENTIALS>)
    .filter((source) => file.pulls[source] !== undefined)
    .flatMap((source) => CREDENTIALS[source].map((env) => ({ env, configKey: `pulls.${source}`, purpose: PURPOSES[source] })));
}

/** Every configured source, in a stable order. */
export function configuredSources(file: ConfigFile, env: Env): ConfiguredSource[] {
  const sources: ConfiguredSource[] = [];
  const work = file.pulls.workAnalytics;
  if (work !== undefined) {
    sources.push({
      name: WORK_SOURCE,
      description: '8x8 Work Analytics call records → raw.work_events → calls',
      configKey: 'pulls.workAnalytics',
      schedule: work.schedule,
      lookbackMs: work.lookbackHours * HOUR,
      initialMs: work.initialDays * DAY,
      create: () => {
        const [apiKey = '', username = '', password = ''] = required(env, CREDENTIALS.workAnalytics, 'pulls.workAnalytics');
        const client = new WorkAnalyticsClient({ baseUrl: work.baseUrl, apiKey, username, password });
        return workCallRecordsSource(client, { timeZone: work.timeZone, pageSize: work.pageSize, legs: work.legs, ...(work.pbxId === undefined ? {} : { pbxId: work.pbxId }) });
      },
    });
  }
  const cc = file.pulls.ccInteractions;
  if (cc !== undefined) {
    sources.push({
      name: CC_SOURCE,
      description: '8x8 Contact Center Historical Analytics, detailed interactions → raw.contact_center_events → calls',
      configKey: 'pulls.ccInteractions',
      schedule: cc.schedule,
      lookbackMs: cc.lookbackHours * HOUR,
      initialMs: cc.initialDays * DAY,
      create: () => {
        const [clientId = '', clientSecret = ''] = required(env, CREDENTIALS.ccInteractions, 'pulls.ccInteractions');
        const client = new CcAnalyticsClient({
          clientId,
          clientSecret,
          region: cc.region,
          tokenUrl: cc.tokenUrl,
          ...(cc.baseUrl === undefined ? {} : { baseUrl: cc.baseUrl }),
          ...(cc.tenantId === undefined ? {} : { tenantId: cc.tenantId }),
        });
        return ccInteractionsSource(client, { pageSize: cc.pageSize, windowHours: cc.windowHours });
      },
    });
  }
  const connect = file.pulls.connect;
  for (const product of connect?.products ?? []) {
    if (connect === undefined) break;
    const baseUrl = { sms: connect.smsUrl, chatapps: connect.chatappsUrl, voice: connect.voiceUrl }[product];
    sources.push({
      name: connectSourceName(product),
      description: `8x8 Connect ${product === 'sms' ? 'SMS' : product === 'chatapps' ? 'Chat Apps' : 'Voice'} log exports (CSV jobs) → raw.${product === 'voice' ? 'voice_events → calls' : 'messaging_events → messages'}`,
      configKey: 'pulls.connect',
      schedule: connect.schedule,
      lookbackMs: connect.lookbackHours * HOUR,
      initialMs: connect.initialDays * DAY,
      create: () => {
        const [apiKey = ''] = required(env, CREDENTIALS.connect, 'pulls.connect');
        const client = new ConnectExportsClient({ product, apiKey, subAccountId: connect.subAccountId, baseUrl });
        return connectExportSource(client, product, { windowHours: connect.windowHours, pollIntervalMs: connect.pollIntervalMs });
      },
    });
  }
  return sources;
}

/** The Puller of `serve` and of `switchboard pull` without a server. */
/** @param onRunFinished told of every run that ended (PullerOptions.onRunFinished): serve's signals */
export function pullerFor(file: ConfigFile, warehouse: Warehouse, env: Env, logger: Logger, onRunFinished?: PullerOptions['onRunFinished']): Puller {
  return new Puller({ warehouse, rawSchema: file.warehouse.rawSchema, sources: configuredSources(file, env), logger, onRunFinished });
}

/** The values of `names` in env, or SB_PULL_CREDENTIALS naming every one that is missing. */
function required(env: Env, names: readonly string[], configKey: string): string[] {
  const missing = names.filter((name) => (env[name] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new SwitchboardError(
      'SB_PULL_CREDENTIALS',
      `${configKey} is configured but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set. Set ${missing.length === 1 ? 'it' : 'them'} in the environment of serve and switchboard pull (README › Secrets), or remove ${configKey} from the config.`,
      { configKey },
    );
  }
  return names.map((name) => (env[name] ?? '').trim());
}
