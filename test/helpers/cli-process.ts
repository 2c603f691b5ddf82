/**
 * Runs the real `switchboard` command in a child process (dist/cli/main.js) and returns its
 * exit status and output, for tests of what an operator sees.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * @param env the child's whole environment besides PATH (nothing else is inherited)
 * @example const res = await runCli(['sql', 'SELECT 1 AS one'], dir)
 */
export async function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
