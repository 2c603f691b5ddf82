import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { buildTestRequest, isFamilyName, SAMPLES } from '../../ingest/test-events.js';
import { defaultUrl } from './status.js';

export function sendTestEventCommand(): Command {
  return new Command('send-test-event')
    .description('Sign a documented sample event with the configured secret and post it: the first check when webhooks do not arrive.')
    .argument('<family>', `one of: ${Object.keys(SAMPLES).join(', ')}`)
    .option('-c, --config <file>', 'config file (the same one the server uses, for its secrets and address)')
    .option('--url <url>', 'the server base URL (default: from server.host and server.port)')
    .option('--sample <name>', 'which sample to send (see --list)')
    .option('--list', 'list the samples for <family> and exit')
    .option('--private-key <file>', 'contact-center: private JWK to sign with (default: the local development key)')
    .addHelpText(
      'after',
      `
Examples:
  switchboard send-test-event meetings
  switchboard send-test-event messaging --sample sms-receipt
  switchboard send-test-event contact-center --url https://hooks.example.com

Exit status 0 means the server acknowledged the event (2xx); the response is printed either way.`,
    )
    .action(async (family: string, options: { config?: string; url?: string; sample?: string; list?: boolean; privateKey?: string }) => {
      if (!isFamilyName(family)) {
        throw new SwitchboardError('SB_CLI_UNKNOWN_FAMILY', `Unknown family "${family}". Use one of: ${Object.keys(SAMPLES).join(', ')}.`);
      }
      if (options.list === true) {
        process.stdout.write(`${Object.keys(SAMPLES[family]).join('\n')}\n`);
        return;
      }
      const config = loadConfig({ path: options.config });
      const base = options.url ?? defaultUrl(options.config);
      let bearerToken: string | undefined;
      if (family === 'messaging' && config.file.families.messaging.auth.mode === 'oauth') {
        bearerToken = await fetchToken(base, config.file.families.messaging.auth.clientId, config.secrets.messagingOauthClientSecret ?? '');
      }
      const request = await buildTestRequest(family, config, {
        sample: options.sample,
        privateKeyFile: options.privateKey,
        bearerToken,
      });
      const url = new URL(request.path, base);
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
      } catch (error) {
        throw new SwitchboardError('SB_CLI_UNREACHABLE', `Could not reach ${url} (${(error as Error).message}). Is \`switchboard serve\` running there?`);
      }
      const text = await response.text();
      process.stdout.write(`POST ${url} → ${response.status}\n${text}\n`);
      if (!response.ok) process.exitCode = 1;
    });
}

async function fetchToken(base: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(new URL('/oauth/token', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!response.ok || body.access_token === undefined) {
    throw new SwitchboardError('SB_CLI_TOKEN', `The token endpoint refused the client credentials (${response.status} ${body.error ?? ''}).`);
  }
  return body.access_token;
}
