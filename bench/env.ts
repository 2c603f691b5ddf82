/**
 * What every benchmark script shares: progress lines on stderr (stdout keeps the results),
 * and whole-number settings from the environment (`BENCH_ROWS=1_000_000`).
 */

/** One progress line, on stderr. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * `process.env[name]` as a whole number (underscores allowed as separators), `fallback` when
 * unset or empty; anything else outside [min, max] stops the benchmark with the variable named.
 * @example const rows = intEnv('BENCH_ROWS', 1_000_000, 1)
 */
export function intEnv(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`${name} must be a whole number ${range}, not "${raw}"`);
  }
  return value;
}
