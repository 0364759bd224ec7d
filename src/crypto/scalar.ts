// Scalars of Ed25519: integers modulo the prime group order L, as the verifier needs them: the
// little-endian decoding of S (refused unless S < L), the challenge k = SHA-512(R‖A‖M) mod L, and
// the signed-digit (wNAF) recoding that drives the joint multiplication in point.ts.

/** L = 2^252 + 27742317777372353535851937790883648493. */
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** L, little-endian. */
const L_BYTES: readonly number[] = Object.freeze([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** True if the 32 little-endian bytes encode an integer below L (RFC 8032's check S < L). */
export function isBelowL(bytes: Uint8Array): boolean {
  // Byte comparison from the top: almost always decided by the first byte, no BigInt needed.
  for (let i = 31; i >= 0; i--) {
    if (bytes[i] !== L_BYTES[i]) return bytes[i] < L_BYTES[i];
  }
  return false;
}

/** The little-endian integer of bytes[start, end). */
export function bytesToBigIntLE(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  // Hex, then one BigInt parse: cheaper in XS than a shift-and-or per byte.
  let hex = '0x';
  for (let i = end - 1; i >= start; i--) hex += HEX[bytes[i]];
  return hex.length === 2 ? 0n : BigInt(hex);
}

const HEX: readonly string[] = Object.freeze(Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16)));

/** 32 little-endian bytes of 0 ≤ x < 2^256. */
export function bigIntToBytes32LE(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  const hex = x.toString(16).padStart(64, '0');
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substring(62 - 2 * i, 64 - 2 * i), 16);
  return out;
}

/** A 64-byte hash, little-endian, reduced mod L (RFC 8032 §5.1.7 step 2). */
export function reduceHash(hash: Uint8Array): bigint {
  // One `%` of a 512-bit value by a 253-bit one: once per verification, not in a loop.
  return bytesToBigIntLE(hash) % L;
}

/**
 * Width-w non-adjacent form of a scalar given as little-endian bytes: digits[i] is 0 or odd with
 * |digits[i]| < 2^(w−1), k = Σ digits[i]·2^i, and any two non-zero digits are at least w
 * positions apart. `length` ≥ 8·bytes + w + 1 (a final carry may land past the top bit; 2 ≤ w ≤ 8).
 * If `active` is given, active[i] is set to 1 wherever digits[i] ≠ 0 (shared by the streams of a
 * joint multiplication, so it needs no pass of its own over the digits).
 */
export function wnaf(scalar: Uint8Array, w: number, length: number, active?: Uint8Array): Int8Array {
  const bits = scalar.length * 8;
  const digits = new Int8Array(length);
  const width = 1 << w;
  const mask = width - 1;
  const half = width >> 1;
  let carry = 0;
  let pos = 0;
  while (pos < bits || carry !== 0) {
    const byte = pos >> 3;
    // Up to 9 bits from three bytes (w ≤ 8); bytes past the end read as 0.
    const window = (((scalar[byte] | 0 | ((scalar[byte + 1] | 0) << 8) | ((scalar[byte + 2] | 0) << 16)) >> (pos & 7)) & mask) + carry;
    if ((window & 1) === 0) {
      // Zero digits up to the window's lowest set bit, or across the whole window if it is 0
      // (then the carry is 0). The carry stays as it is: (k >> pos) + carry halves exactly.
      pos += window === 0 ? w : 31 - Math.clz32(window & -window);
      continue;
    }
    if (window < half) {
      carry = 0;
      digits[pos] = window;
    } else {
      carry = 1;
      digits[pos] = window - width;
    }
    if (active !== undefined) active[pos] = 1;
    pos += w;
  }
  return digits;
}
