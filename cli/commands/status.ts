import { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { localUrl } from '../local-url.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('Ask a running server how it is doing: spool backlog, warehouse reachability, events landed, model builds and pulls.')
    .option('-c, --config <file>', 'config file, to find the server address')
    .option('--url <url>', 'the server base URL (default: from server.host and server.port)')
    .action(async (options: { config?: string; url?: string }) => {
      const base = options.url ?? defaultUrl(options.config);
      let response: Response;
      try {
        response = await fetch(new URL('/readyz', base), { signal: AbortSignal.timeout(5000) });
      } catch (error) {
        process.stderr.write(`No server answers at ${base} (${(error as Error).message}). Start one with: switchboard serve\n`);
        process.exitCode = 1;
        return;
      }
      const report = (await response.json()) as Record<string, unknown>;
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (!response.ok) process.exitCode = 1;
    });
}

export function defaultUrl(configPath: string | undefined): string {
  return localUrl(loadConfig({ path: configPath, skipSecrets: true }).file.server);
}
