/**
 * Builds a documented sample event for a family, authenticated the way 8x8 would
 * authenticate it with the configured secrets. `switchboard send-test-event` posts it; tests
 * use it to drive the real routes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { FAMILY_ROUTES, type FamilyName } from './families/family.js';
import { MESSAGING_SAMPLES } from './families/messaging/samples.js';
import { VOICE_SAMPLES } from './families/voice/samples.js';
import { CONTACT_CENTER_SAMPLES } from './families/contact-center/samples.js';
import { MEETINGS_SAMPLES } from './families/meetings/samples.js';
import { signJaas } from './families/meetings/index.js';
import { signDetached, signedPayload } from './families/contact-center/signature.js';
import { DEV_KID, ensureDevKeyPair, importPrivateJwk } from './families/contact-center/dev-keys.js';
import { devKeysDir } from './families/index.js';

export const SAMPLES: Readonly<Record<FamilyName, Readonly<Record<string, string>>>> = {
  messaging: MESSAGING_SAMPLES,
  voice: VOICE_SAMPLES,
  'contact-center': CONTACT_CENTER_SAMPLES,
  meetings: MEETINGS_SAMPLES,
};


export interface TestRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface TestRequestOptions {
  /** A sample name from SAMPLES[family]; defaults to the first. */
  sample?: string | undefined;
  /** Replaces the sample body (must be what is signed). */
  body?: string | undefined;
  /** Contact Center: the event id (default: random, so each send is a new event). */
  eventId?: string | undefined;
  /** Contact Center: a private JWK file to sign with (default: the development key). */
  privateKeyFile?: string | undefined;
  /** Messaging in oauth mode: the bearer token to send. */
  bearerToken?: string | undefined;
  now?: Date;
  cwd?: string;
}

export function isFamilyName(name: string): name is FamilyName {
  return name in SAMPLES;
}

export async function buildTestRequest(family: FamilyName, config: Config, options: TestRequestOptions = {}): Promise<TestRequest> {
  const samples = SAMPLES[family];
  const sampleName = options.sample ?? Object.keys(samples)[0] ?? '';
  const sample = samples[sampleName];
  if (options.body === undefined && sample === undefined) {
    throw new SwitchboardError(
      'SB_CLI_UNKNOWN_SAMPLE',
      `No sample "${sampleName}" for ${family}. Samples: ${Object.keys(samples).join(', ')}.`,
    );
  }
  const body = options.body ?? (sample as string);
  const now = options.now ?? new Date();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'switchboard-send-test-event' };
  const { secrets, file } = config;

  if (family === 'messaging') {
    if (file.families.messaging.auth.mode === 'static') headers.authorization = secrets.messagingAuthorization ?? '';
    if (file.families.messaging.auth.mode === 'oauth' && options.bearerToken !== undefined) {
      headers.authorization = `Bearer ${options.bearerToken}`;
    }
  } else if (family === 'voice') {
    if (file.families.voice.auth.mode === 'header') headers[file.families.voice.auth.header.toLowerCase()] = secrets.voiceAuthHeader ?? '';
  } else if (family === 'meetings') {
    headers['x-jaas-signature'] = signJaas(secrets.meetingsWebhookSecrets[0] ?? '', Math.floor(now.getTime() / 1000), body);
    if (secrets.meetingsAuthorization !== null) headers.authorization = secrets.meetingsAuthorization;
  } else {
    const jwk: JWK =
      options.privateKeyFile === undefined
        ? (await ensureDevKeyPair(devKeysDir(config, options.cwd ?? process.cwd()))).privateJwk
        : (JSON.parse(readFileSync(options.privateKeyFile, 'utf8')) as JWK);
    Object.assign(headers, {
      'x-8x8-customer-id': 'switchboard-test',
      'x-8x8-tenant-id': 'switchboard-test',
      'x-8x8-event-id': options.eventId ?? randomUUID().replaceAll('-', ''),
      'x-8x8-retry': '0',
      'x-8x8-transmission-time': String(now.getTime()),
    });
    const payload = signedPayload(Buffer.from(body), headers);
    headers['x-8x8-signature'] = await signDetached(payload, (await importPrivateJwk(jwk)) as Parameters<typeof signDetached>[1], jwk.kid ?? DEV_KID);
  }
  return { path: FAMILY_ROUTES[family], headers, body };
}
