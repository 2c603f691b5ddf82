import { hostname, networkInterfaces } from 'node:os';

/** True for a bind address that means every interface of the machine: 0.0.0.0 or ::. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

/**
 * The URL this machine reaches a configured listener at: a wildcard bind address
 * (0.0.0.0, ::) is reached on loopback, and IPv6 literals need brackets.
 * @example localUrl({ host: '0.0.0.0', port: 8080 }) → 'http://127.0.0.1:8080'
 */
export function localUrl(listener: { host: string; port: number }): string {
  const host = isWildcardHost(listener.host) ? '127.0.0.1' : listener.host;
  return urlOf(host, listener.port);
}

/**
 * Where a bound listener can be reached, for the line `serve` prints at start-up. A specific
 * address is its own URL. A wildcard one listens on every interface, so the text says so
 * and gives a URL that other machines can use (this machine's first external IPv4 address,
 * else its host name) beside the loopback one.
 * @example listeningOn('127.0.0.1', 8080) → { url: 'http://127.0.0.1:8080', text: 'http://127.0.0.1:8080' }
 * @example listeningOn('0.0.0.0', 8080) → { url: 'http://10.1.2.3:8080',
 *   text: 'all interfaces, port 8080 (host 0.0.0.0): reach it at http://10.1.2.3:8080, or http://127.0.0.1:8080 on this machine' }
 */
export function listeningOn(host: string, port: number): { url: string; text: string } {
  if (!isWildcardHost(host)) {
    const url = urlOf(host, port);
    return { url, text: url };
  }
  const url = urlOf(externalAddress() ?? hostname(), port);
  return { url, text: `all interfaces, port ${port} (host ${host}): reach it at ${url}, or ${localUrl({ host, port })} on this machine` };
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The first IPv4 address of a non-loopback interface, if the machine has one. */
function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
