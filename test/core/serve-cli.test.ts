/**
 * What `switchboard serve` tells the operator: its help (every operator API route), where it
 * listens (also on a wildcard host), and, when another server holds the data directory, one
 * clear line instead of a stack trace.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { startServerProcess } from '../helpers/server-process.js';
import { startHarness, TEST_SECRETS } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait-for.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

async function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A scratch directory removed when the test ends. */
function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-serve-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('switchboard serve', () => {
  test('--help lists every route of the operator API, with the role it needs', async (t) => {
    const help = await cli(['serve', '--help'], scratch(t));
    assert.equal(help.code, 0);
    const operatorPart = help.stdout.slice(help.stdout.indexOf('Operator API'));
    const listed = new Set([...operatorPart.matchAll(/^ {2}(GET|POST) +(\/\S+) +role (read|operate)/gm)].map((m) => `${m[1]} ${m[2]}`));

    // The routes the operator API really has (HEAD and OPTIONS aside).
    const h = await startHarness();
    t.after(() => h.close());
    const served = new Set<string>();
    const parents: string[] = [];
    // printRoutes draws a tree, one path segment per line, 4 columns of indent per level:
    // "├── /rejections (GET, HEAD)" then "│   └── /replay (POST)".
    // The web console's pages are one help line of their own (README › Observability › Console lists them): its subtree is left out.
    const lines = h.server.admin.printRoutes({ commonPrefix: false }).split('\n');
    const consoleAt = lines.findIndex((line) => /── \/console \(/.test(line));
    assert.notEqual(consoleAt, -1, 'the console is served');
    const depth = (line: string): number => line.indexOf('── ');
    let consoleEnd = consoleAt + 1;
    while (consoleEnd < lines.length && depth(lines[consoleEnd] ?? '') > depth(lines[consoleAt] ?? '')) consoleEnd += 1;
    const apiTree = [...lines.slice(0, consoleAt), ...lines.slice(consoleEnd)].join('\n');
    assert.match(operatorPart, /^ {2}\/console\/ +the web console/m);
    for (const [, indent, segment, methods] of apiTree.matchAll(/^(.*?)(\/\S*) \(([^)]+)\)$/gm)) {
      const depth = (indent as string).length / 4 - 1;
      parents.length = depth;
      const path = [...parents, segment].join('');
      parents.push(segment as string);
      for (const method of (methods as string).split(', ')) if (method === 'GET' || method === 'POST') served.add(`${method} ${path}`);
    }
    assert.ok(served.has('POST /sync') && served.has('POST /pull'), `the operator API serves /sync and /pull: ${[...served].join(', ')}`);
    assert.deepEqual([...listed].sort(), [...served].sort());
  });

  test('a second server on the same data directory stops with the one SB_SPOOL_LOCKED line, no stack trace', async (t) => {
    const home = scratch(t);
    writeFileSync(join(home, 'switchboard.yaml'), 'log:\n  level: warn\n');
    const first = await startServerProcess(join(home, 'switchboard.yaml'), {}, home);
    let second: Awaited<ReturnType<typeof cli>>;
    try {
      second = await cli(['serve', '--config', 'switchboard.yaml', '--port', '0', '--admin-port', '0'], home);
    } finally {
      await first.kill('SIGTERM'); // before the directory goes
    }
    assert.equal(second.code, 1, second.stderr);
    const errors = `${second.stdout}${second.stderr}`.split('\n').filter((line) => /error|"level":50/i.test(line));
    assert.equal(errors.length, 1, `one error line:\n${errors.join('\n')}`);
    assert.match(errors[0] ?? '', /^error SB_SPOOL_LOCKED: Another process \(pid \d+\) is using the spool in .*spool\. Stop it, or give this instance its own spool\.dir/);
    assert.doesNotMatch(`${second.stdout}${second.stderr}`, /^\s+at |"stack"/m);
  });

  test('on 0.0.0.0 the start-up line says it listens on all interfaces, with the bound port and URLs that answer', async (t) => {
    const home = scratch(t);
    writeFileSync(join(home, 'switchboard.yaml'), 'log:\n  level: warn\nfamilies:\n  contactCenter:\n    enabled: false\n');
    const child = spawn(process.execPath, [CLI, 'serve', '--config', 'switchboard.yaml', '--host', '0.0.0.0', '--port', '0', '--admin-port', '0'], {
      cwd: home,
      env: { PATH: process.env.PATH ?? '', ...TEST_SECRETS },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    };
    try {
      await startsOnAllInterfaces(child);
    } finally {
      await stop(); // before the directory goes
    }
  });
});

/** Reads serve's start-up line on 0.0.0.0 and checks what it says. */
async function startsOnAllInterfaces(child: ChildProcessByStdio<null, null, Readable>): Promise<void> {
  let stderr = '';
  const line = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^Switchboard listening on all interfaces, port (\d+) \(host 0\.0\.0\.0\): reach it at (http:\/\/\S+), or (http:\/\/127\.0\.0\.1:\d+) on this machine \(.*webhooks: POST (\S+)\/webhooks\/8x8\/<family>\)$/m.exec(stderr);
      if (match !== null) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  const [, port, example, local, webhookBase] = line as unknown as [string, string, string, string, string];
  assert.notEqual(port, '0', 'the bound port, not the requested 0');
  assert.ok(example.endsWith(`:${port}`) && local.endsWith(`:${port}`), line[0]);
  assert.equal(webhookBase, example, 'the webhook URL uses the address other machines reach');
  assert.doesNotMatch(stderr, /listening on http:\/\/127\.0\.0\.1/, 'no loopback-only claim');
  // Right after start-up under-pressure may answer 503 for a second (its first event-loop sample): wait, bounded.
  for (const url of [local, example]) await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, `${url}/healthz answers 200`);
}
