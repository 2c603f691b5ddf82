/**
 * The benchmark's child processes (the two servers) and what Linux says about them in /proc.
 * Every child started here is killed when the benchmark exits, whether it ends normally,
 * throws, or gets Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export interface Child {
  process: ChildProcess;
  pid: number;
  /** The URL the child printed, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL). Synchronous, so it is safe in an exit handler. */
export function killAllChildren(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `node <args>` and resolves once its output matches `listening` (group 1 = the URL).
 * @throws when the child exits first or prints nothing matching within `timeoutMs`.
 * @example await startChild(['dist/bench/bare-server.js'], {}, /listening on (http:\/\/\S+)/)
 */
export async function startChild(
  args: string[],
  env: Record<string, string>,
  listening: RegExp,
  timeoutMs = 30_000,
): Promise<Child> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = listening.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    process: child,
    pid: child.pid as number,
    url,
    output: () => output,
    async stop(signal, stopTimeoutMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** VmRSS (now) or VmHWM (peak) of a process, in KiB. */
export function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** CPU seconds (user + system) used so far, by the whole process and by its main thread. */
export interface CpuTimes {
  total: number;
  main: number;
}

export function cpuTimes(pid: number): CpuTimes {
  // The process line includes threads that have already ended; the main thread's is its own.
  return {
    total: ticksToSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    main: ticksToSeconds(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')),
  };
}

/** utime + stime from a /proc stat line, in seconds (USER_HZ is 100 on Linux). */
function ticksToSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
