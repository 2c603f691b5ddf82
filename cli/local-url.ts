/**
 * The URL this machine reaches a configured listener at: a wildcard bind address
 * (0.0.0.0, ::) is reached on loopback, and IPv6 literals need brackets.
 * @example localUrl({ host: '0.0.0.0', port: 8080 }) → 'http://127.0.0.1:8080'
 */
export function localUrl(listener: { host: string; port: number }): string {
  const host = listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
}
