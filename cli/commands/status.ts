import { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { localUrl } from '../local-url.js';
import { adminHeaders, adminRefusal, configMismatch } from '../admin-client.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('Ask a running server how it is doing: spool backlog, warehouse reachability, events landed, and every job (builds, syncs, pulls: schedule, next tick, running here or on another node, last run).')
    .option('-c, --config <file>', 'config file, to find the server address')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .option('--url <url>', 'the public server base URL, asked for ready/not when no operator API answers (default: from server.host and server.port)')
    .addHelpText(
      'after',
      `
The details come from the operator API's GET /status (a token with role read; the CLI finds
SWITCHBOARD_ADMIN_TOKEN or the token file serve wrote). When no operator API answers (admin.enabled
false), only the public /readyz is asked, which says ready or not and nothing more.`,
    )
    .action(async (options: { config?: string; url?: string; adminUrl?: string }) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const admin = options.adminUrl ?? localUrl(config.file.admin);
      let response: Response | null = null;
      if (config.file.admin.enabled || options.adminUrl !== undefined) {
        response = await fetch(new URL('/status', admin), { headers: adminHeaders(config, false), signal: AbortSignal.timeout(5000) }).catch(() => null);
      }
      // The report is what the server runs; a config changed since it started is said, not hidden.
      const mismatch = response === null ? null : configMismatch(config, admin, response);
      if (mismatch !== null) process.stderr.write(`warning ${mismatch.code}: ${mismatch.message}\n`);
      if (response !== null && !response.ok && response.status !== 503) {
        throw adminRefusal(config, response.status, (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } }, `HTTP ${response.status} from ${admin}/status`);
      }
      if (response === null) {
        const base = options.url ?? localUrl(config.file.server);
        try {
          response = await fetch(new URL('/readyz', base), { signal: AbortSignal.timeout(5000) });
        } catch (error) {
          process.stderr.write(`No server answers at ${admin} or ${base} (${(error as Error).message}). Start one with: switchboard serve\n`);
          process.exitCode = 1;
          return;
        }
        process.stderr.write(`No operator API answers at ${admin}; ${base}/readyz says only ready or not.\n`);
      }
      const report = (await response.json()) as Record<string, unknown>;
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (!response.ok) process.exitCode = 1;
    });
}

export function defaultUrl(configPath: string | undefined): string {
  return localUrl(loadConfig({ path: configPath, skipSecrets: true }).file.server);
}
