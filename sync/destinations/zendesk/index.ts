/**
 * The Zendesk destination: a ticket per record, upserted by external_id. See destination.ts
 * for how a batch is sent, tickets.ts for the field mapping, README.md for an example sync.
 *
 * @example
 *   const destination = createZendeskDestination(config.file.destinations.zendesk, process.env, { logger })
 *   const outcomes = await destination.send(records, { sync: 'missed_calls_to_zendesk', object: 'tickets', signal })
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ConfigFile } from '../../../core/config-schema.js';
import type { Destination } from '../../destination.js';
import { ZendeskClient } from './client.js';
import { ZendeskDestination } from './destination.js';
import { ZendeskConfigError, ZENDESK_TOKEN_ENV } from './errors.js';
import { DEFAULT_JOB_POLLING, type JobPolling } from './jobs.js';

export { ZENDESK_TOKEN_ENV } from './errors.js';
export { ZENDESK_BATCH_SIZE } from './destination.js';
export { changeTag } from './tickets.js';

/** `destinations.zendesk` of the config file: `{ url: 'https://acme.zendesk.com', email: 'agent@acme.com' }`. */
export type ZendeskSettings = NonNullable<ConfigFile['destinations']['zendesk']>;

export interface ZendeskDestinationOptions {
  /** Default: silent. */
  logger?: Logger;
  /** Bulk job polling; defaults 250 ms doubling to 5 s, for at most 120 s. */
  jobPolling?: Partial<JobPolling>;
  /** Per HTTP request; default 30 s. */
  timeoutMs?: number;
  /** Look-ups and deletes in flight at once; default 4 (Zendesk's limits are per account, per minute). */
  concurrency?: number;
}

/**
 * Throws a SwitchboardError (`SB_SYNC_ZENDESK_NOT_CONFIGURED`, `SB_SYNC_ZENDESK_SECRET_MISSING`,
 * configKey `destinations.zendesk`) before any call when the settings or the token are missing.
 */
export function createZendeskDestination(
  settings: ZendeskSettings | undefined,
  env: NodeJS.ProcessEnv,
  options: ZendeskDestinationOptions = {},
): Destination {
  if (settings === undefined) {
    throw new ZendeskConfigError(
      'SB_SYNC_ZENDESK_NOT_CONFIGURED',
      'A sync writes to Zendesk, but destinations.zendesk is not set. Add { "url": "https://<subdomain>.zendesk.com", "email": "<agent email>" }.',
    );
  }
  const apiToken = env[ZENDESK_TOKEN_ENV];
  if (apiToken === undefined || apiToken === '') {
    throw new ZendeskConfigError(
      'SB_SYNC_ZENDESK_SECRET_MISSING',
      `${ZENDESK_TOKEN_ENV} is not set. Set it to an API token of ${settings.email} (Zendesk Admin Center › Apps and integrations › Zendesk API); ` +
        `destinations.zendesk names the account.`,
    );
  }
  return new ZendeskDestination({
    client: new ZendeskClient({ url: settings.url, email: settings.email, apiToken, timeoutMs: options.timeoutMs }),
    logger: (options.logger ?? pino({ level: 'silent' })).child({ component: 'sync', destination: 'zendesk' }),
    polling: { ...DEFAULT_JOB_POLLING, ...options.jobPolling },
    concurrency: Math.max(1, options.concurrency ?? 4),
  });
}
