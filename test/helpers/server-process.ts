/**
 * Runs the real `switchboard serve` in a child process, for tests that kill it (SIGKILL)
 * or load it over real sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The operator API, e.g. http://127.0.0.1:41235 */
  adminUrl: string;
  /** Everything the process printed so far. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `startTimeoutMs`: how long it may take to listen (default 20 s; a remote warehouse migrates first, and takes longer). */
export async function startServerProcess(configPath: string, env: Record<string, string>, cwd: string, options: { startTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configPath, '--port', '0', '--admin-port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const [url, adminUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${startTimeoutMs / 1000} s:\n${output}`)), startTimeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      // On a wildcard host (0.0.0.0) the line names the loopback URL after ", or ".
      const match = /listening on (?:all interfaces[^\n]*?, or )?(http:\/\/[^;\s"()]+)/.exec(output);
      const admin = /Operator API on (?:all interfaces[^\n]*?, or )?(http:\/\/[^;\s"()]+)/.exec(output);
      if (match?.[1] !== undefined && admin?.[1] !== undefined) {
        clearTimeout(timer);
        resolve([match[1], admin[1]]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    child,
    url,
    adminUrl,
    output: () => output,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/**
 * For a describe block: the real `switchboard serve` in a new temporary folder whose
 * switchboard.yaml is `yaml`, started before the block's tests and stopped, its folder
 * removed, after them. `server` is there once the block's tests run.
 * @example const served = serveInTempHome('switchboard-docs-cli-serve-', 'models:\n  schedule: "off"\n'); … served.server.adminUrl
 */
export function serveInTempHome(prefix: string, yaml: string): { readonly home: string; readonly server: ServerProcess } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  let server: ServerProcess | undefined;
  before(async () => {
    writeFileSync(join(home, 'switchboard.yaml'), yaml);
    server = await startServerProcess(join(home, 'switchboard.yaml'), {}, home);
  });
  after(async () => {
    await server?.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });
  return {
    home,
    get server(): ServerProcess {
      if (server === undefined) throw new Error('serveInTempHome: the server starts in before(); use it inside a test');
      return server;
    },
  };
}
