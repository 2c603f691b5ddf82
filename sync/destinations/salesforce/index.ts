/**
 * The Salesforce destination (jsforce): Tasks (or any sObject) upserted by an external-ID
 * field through sObject Collections or Bulk API 2.0, and the Contact/Lead pull behind the
 * WhoId match. See destination.ts for batching and failures, people.ts for the pull.
 *
 * Secrets come from the environment: SWITCHBOARD_SALESFORCE_CLIENT_SECRET (the connected
 * app's consumer secret) and, for `auth: password`, SWITCHBOARD_SALESFORCE_PASSWORD (the
 * password with the security token appended).
 */
import { SalesforceDestination, type SalesforceDestinationOptions } from './destination.js';
import { SalesforceError } from './errors.js';
import { API_NAME } from './lookup.js';
import { SALESFORCE_SECRET_ENV } from './secrets.js';
import { SalesforceSession, type SalesforceSettings } from './session.js';

export { SalesforceDestination, type SalesforceBeforeSyncContext, type SalesforceDestinationOptions } from './destination.js';
export { SalesforceError, type SalesforceErrorCode } from './errors.js';
export { pullSalesforcePeople, salesforcePeopleTable, PEOPLE_QUERIES, type PullOptions } from './people.js';
export { operationFor, type Operation, type SalesforceSendContext, type SyncMode } from './plan.js';
export { SalesforceSession, type SalesforceSettings } from './session.js';

export { SALESFORCE_SECRET_ENV } from './secrets.js';

/**
 * Builds the destination from `destinations.salesforce` and the environment. Nothing is
 * sent until the first send() or beforeSync(), which logs in.
 * @throws SalesforceError SB_SYNC_SALESFORCE_SECRET_MISSING / SB_SYNC_SALESFORCE_CONFIG.
 * @example createSalesforceDestination(config.file.destinations.salesforce, process.env, { logger })
 */
export function createSalesforceDestination(settings: SalesforceSettings, env: NodeJS.ProcessEnv, options: SalesforceDestinationOptions = {}): SalesforceDestination {
  const configKey = 'destinations.salesforce';
  const secret = (name: keyof typeof SALESFORCE_SECRET_ENV, why: string): string => {
    const variable = SALESFORCE_SECRET_ENV[name];
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new SalesforceError('SB_SYNC_SALESFORCE_SECRET_MISSING', `${variable} is not set, but ${configKey} needs it (${why}). Set ${variable} in the environment.`, { configKey });
    }
    return value;
  };
  if (settings.clientId === undefined || settings.clientId === '') {
    throw new SalesforceError('SB_SYNC_SALESFORCE_CONFIG', `${configKey}.clientId is not set: give the connected app's consumer key.`, { configKey: `${configKey}.clientId` });
  }
  if (settings.auth === 'password' && (settings.username === undefined || settings.username === '')) {
    throw new SalesforceError('SB_SYNC_SALESFORCE_CONFIG', `${configKey}.username is not set, but auth is password: give the integration user's username.`, { configKey: `${configKey}.username` });
  }
  if (!API_NAME.test(settings.externalIdField)) {
    throw new SalesforceError('SB_SYNC_SALESFORCE_CONFIG', `${configKey}.externalIdField "${settings.externalIdField}" is not a field API name (e.g. Switchboard_Call_Id__c).`, { configKey: `${configKey}.externalIdField` });
  }
  const clientSecret = secret('clientSecret', "the connected app's consumer secret");
  const password = settings.auth === 'password' ? secret('password', 'auth is password: the password with the security token appended') : null;
  return new SalesforceDestination(new SalesforceSession(settings, { clientSecret, password }, options.logger), options);
}
