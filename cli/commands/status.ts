import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { localUrl } from '../local-url.js';
import { adminHeaders, adminRefusal, configMismatch } from '../admin-client.js';
import { renderStatus, type StatusAnswer } from '../status-output.js';

interface StatusOptions {
  config?: string;
  url?: string;
  adminUrl?: string;
  json?: boolean;
}

export function statusCommand(): Command {
  return new Command('status')
    .description('Ask a running server how it is doing: landing per family, spool backlog and drain, the last build, each sync and pull (last run, outcome, failures), and every job (schedule, next tick, running here or on another node).')
    .option('-c, --config <file>', 'config file, to find the server address')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .option('--url <url>', 'the public server base URL, asked for ready/not when no operator API answers (default: from server.host and server.port)')
    .option('--json', 'print the whole report as JSON (GET /status), for scripts')
    .addHelpText(
      'after',
      `
The details come from the operator API's GET /status (a token with role read; the CLI finds
SWITCHBOARD_ADMIN_TOKEN or the token file serve wrote). The last runs are read from the control
tables (raw._job_runs, switchboard_sync.runs, raw._pull_runs, <models.schema>.sb_run_results), so
they survive a restart. When no operator API answers (admin.enabled false), only the public
/readyz is asked, which says ready or not and nothing more. Exit status 1 when not ready.`,
    )
    .action(async (options: StatusOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const answer = await askServer(config, options);
      if (answer === null) return;
      process.stdout.write(options.json === true ? `${JSON.stringify(answer.report, null, 2)}\n` : renderStatus(answer.report));
      if (!answer.ok) process.exitCode = 1;
    });
}

/**
 * GET /status from the operator API, else /readyz from the public server (which says ready or
 * not); null, with the reason on stderr and exit status 1, when neither answers.
 */
async function askServer(config: Config, options: StatusOptions): Promise<{ report: StatusAnswer; ok: boolean } | null> {
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
      return null;
    }
    process.stderr.write(`No operator API answers at ${admin}; ${base}/readyz says only ready or not.\n`);
  }
  return { report: (await response.json()) as StatusAnswer, ok: response.ok };
}

export function defaultUrl(configPath: string | undefined): string {
  return localUrl(loadConfig({ path: configPath, skipSecrets: true }).file.server);
}
