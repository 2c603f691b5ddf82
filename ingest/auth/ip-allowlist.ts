/**
 * Per-family source-address allowlists. Entries are addresses, CIDR ranges or preset names.
 * Presets hold 8x8's published webhook source addresses:
 * - messaging: https://developer.8x8.com/connect/docs/ip-address-list (updated 2025-10-13)
 * - voice: https://developer.8x8.com/connect/docs/voice/voice-ip-addresses (Singapore)
 * Contact Center and JaaS publish no ranges; their signatures are the proof, so they default to `any`.
 */
import ipaddr from 'ipaddr.js';
import { SwitchboardError } from '../../core/errors.js';

export const IP_PRESETS: Readonly<Record<string, readonly string[]>> = {
  '8x8-messaging-apac': ['52.220.117.120', '52.220.109.9', '18.136.13.204'],
  '8x8-messaging-id': ['34.101.157.207', '34.101.215.77', '34.34.217.244', '34.101.109.67'],
  '8x8-messaging-eu': ['34.142.20.188', '34.142.64.178', '34.39.69.103', '34.39.114.155'],
  '8x8-messaging-na': ['50.112.250.190', '100.21.170.42', '52.10.10.63'],
  '8x8-voice': ['18.140.80.2', '52.220.253.234', '54.255.116.8', '52.74.232.241'],
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  any: ['0.0.0.0/0', '::/0'],
};
// The union of every messaging region, for accounts that do not pin one.
(IP_PRESETS as Record<string, readonly string[]>)['8x8-messaging'] = Object.entries(IP_PRESETS)
  .filter(([name]) => name.startsWith('8x8-messaging-'))
  .flatMap(([, ips]) => ips);

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class IpAllowlist {
  private readonly ranges: Range[];
  readonly allowsAny: boolean;

  /**
   * @param entries e.g. `['8x8-messaging', 'loopback', '203.0.113.0/24']`
   * @param configKey named in the error when an entry is not valid
   */
  constructor(entries: readonly string[], configKey: string) {
    this.ranges = entries.flatMap((entry) => (IP_PRESETS[entry] ?? [entry]).map((e) => parseEntry(e, configKey)));
    this.allowsAny = entries.includes('any');
  }

  /** Recent verdicts by address: 8x8 sends from a handful of addresses, so parsing each once is enough. */
  private readonly verdicts = new Map<string, boolean>();

  allows(address: string): boolean {
    if (this.allowsAny) return true;
    const known = this.verdicts.get(address);
    if (known !== undefined) return known;
    // Bounded: a scan from many addresses resets the cache instead of growing it.
    if (this.verdicts.size >= 1024) this.verdicts.clear();
    const verdict = this.check(address);
    this.verdicts.set(address, verdict);
    return verdict;
  }

  private check(address: string): boolean {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address); // unwraps IPv4-mapped IPv6 (::ffff:1.2.3.4)
    } catch {
      return false;
    }
    return this.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  }
}

function parseEntry(entry: string, configKey: string): Range {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const ip = ipaddr.parse(entry);
    return [ip, ip.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new SwitchboardError(
      'SB_CONFIG_INVALID',
      `${configKey}: "${entry}" is neither an IP address, a CIDR range nor a preset (${Object.keys(IP_PRESETS).join(', ')}).`,
      { configKey },
    );
  }
}
