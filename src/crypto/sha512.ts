// Portable SHA-512 (FIPS 180-4) for the Ed25519 verifier's challenge hash on hosts and in tests;
// the device passes Moddable's native Digest instead (hal Hashes). Words are native BigInt: XS has
// it, and 64-bit words need no hi/lo pairs, which makes this several times cheaper in XS compute
// than a 32-bit-halves implementation (npm run bench). The round constants are read-only tables; all
// working state is local to a call, so a Moddable preload (which freezes module objects) is safe.

import type { HashFunction } from '../../hal/index.js';

const MASK64 = (1n << 64n) - 1n;

// The tables are BigUint64Arrays, read-only (a preload keeps them in flash): the SDK 8.2.3 linker
// cannot preload BigInts held in an ordinary array (tools/gen-ed25519-base-table.js).

/** First 64 bits of the fractional parts of the cube roots of the first 80 primes. */
const K: BigUint64Array = BigUint64Array.of(
  0x428a2f98d728ae22n,
  0x7137449123ef65cdn,
  0xb5c0fbcfec4d3b2fn,
  0xe9b5dba58189dbbcn,
  0x3956c25bf348b538n,
  0x59f111f1b605d019n,
  0x923f82a4af194f9bn,
  0xab1c5ed5da6d8118n,
  0xd807aa98a3030242n,
  0x12835b0145706fben,
  0x243185be4ee4b28cn,
  0x550c7dc3d5ffb4e2n,
  0x72be5d74f27b896fn,
  0x80deb1fe3b1696b1n,
  0x9bdc06a725c71235n,
  0xc19bf174cf692694n,
  0xe49b69c19ef14ad2n,
  0xefbe4786384f25e3n,
  0x0fc19dc68b8cd5b5n,
  0x240ca1cc77ac9c65n,
  0x2de92c6f592b0275n,
  0x4a7484aa6ea6e483n,
  0x5cb0a9dcbd41fbd4n,
  0x76f988da831153b5n,
  0x983e5152ee66dfabn,
  0xa831c66d2db43210n,
  0xb00327c898fb213fn,
  0xbf597fc7beef0ee4n,
  0xc6e00bf33da88fc2n,
  0xd5a79147930aa725n,
  0x06ca6351e003826fn,
  0x142929670a0e6e70n,
  0x27b70a8546d22ffcn,
  0x2e1b21385c26c926n,
  0x4d2c6dfc5ac42aedn,
  0x53380d139d95b3dfn,
  0x650a73548baf63den,
  0x766a0abb3c77b2a8n,
  0x81c2c92e47edaee6n,
  0x92722c851482353bn,
  0xa2bfe8a14cf10364n,
  0xa81a664bbc423001n,
  0xc24b8b70d0f89791n,
  0xc76c51a30654be30n,
  0xd192e819d6ef5218n,
  0xd69906245565a910n,
  0xf40e35855771202an,
  0x106aa07032bbd1b8n,
  0x19a4c116b8d2d0c8n,
  0x1e376c085141ab53n,
  0x2748774cdf8eeb99n,
  0x34b0bcb5e19b48a8n,
  0x391c0cb3c5c95a63n,
  0x4ed8aa4ae3418acbn,
  0x5b9cca4f7763e373n,
  0x682e6ff3d6b2b8a3n,
  0x748f82ee5defb2fcn,
  0x78a5636f43172f60n,
  0x84c87814a1f0ab72n,
  0x8cc702081a6439ecn,
  0x90befffa23631e28n,
  0xa4506cebde82bde9n,
  0xbef9a3f7b2c67915n,
  0xc67178f2e372532bn,
  0xca273eceea26619cn,
  0xd186b8c721c0c207n,
  0xeada7dd6cde0eb1en,
  0xf57d4f7fee6ed178n,
  0x06f067aa72176fban,
  0x0a637dc5a2c898a6n,
  0x113f9804bef90daen,
  0x1b710b35131c471bn,
  0x28db77f523047d84n,
  0x32caab7b40c72493n,
  0x3c9ebe0a15c9bebcn,
  0x431d67c49c100d4cn,
  0x4cc5d4becb3e42b6n,
  0x597f299cfc657e2an,
  0x5fcb6fab3ad6faecn,
  0x6c44198c4a475817n,
);

/** Initial hash value: fractional parts of the square roots of the first 8 primes. */
const IV: BigUint64Array = BigUint64Array.of(
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
);

/** SHA-512 of `message` (any length an XS Uint8Array can hold). */
export const sha512: HashFunction = (message: Uint8Array): Uint8Array => {
  const length = message.length;
  // Padding: 0x80, zeros, then the bit length as a 128-bit big-endian integer.
  const blocks = Math.floor((length + 17 + 127) / 128);
  const padded = new Uint8Array(blocks * 128);
  padded.set(message);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
  view.setUint32(padded.length - 4, bits >>> 0);

  const w: bigint[] = new Array(80);
  let h0 = IV[0],
    h1 = IV[1],
    h2 = IV[2],
    h3 = IV[3],
    h4 = IV[4],
    h5 = IV[5],
    h6 = IV[6],
    h7 = IV[7];
  for (let offset = 0; offset < padded.length; offset += 128) {
    for (let t = 0; t < 16; t++) {
      w[t] = (BigInt(view.getUint32(offset + 8 * t)) << 32n) | BigInt(view.getUint32(offset + 8 * t + 4));
    }
    for (let t = 16; t < 80; t++) {
      // A rotation of x is a shift of x‖x (128 bits), masked.
      const x = w[t - 15];
      const xx = x | (x << 64n);
      const y = w[t - 2];
      const yy = y | (y << 64n);
      // σ0 and σ1 keep junk above bit 63, which the final mask removes (carries only move up).
      const s0 = (xx >> 1n) ^ (xx >> 8n) ^ (x >> 7n);
      const s1 = (yy >> 19n) ^ (yy >> 61n) ^ (y >> 6n);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & MASK64;
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7;
    let x: bigint;
    let t1: bigint;
    // Eight rounds per pass with the roles of a…h rotated by hand instead of eight assignments a
    // round. Σ0 and Σ1 (shifts of x‖x) keep junk above bit 63; the masks on the new d and h remove
    // it (carries only move up).
    for (let t = 0; t < 80; t += 8) {
      x = e | (e << 64n);
      t1 = h + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (g ^ (e & (f ^ g))) + K[t] + w[t];
      x = a | (a << 64n);
      d = (d + t1) & MASK64;
      h = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((a & b) | (c & (a | b)))) & MASK64;
      x = d | (d << 64n);
      t1 = g + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (f ^ (d & (e ^ f))) + K[t + 1] + w[t + 1];
      x = h | (h << 64n);
      c = (c + t1) & MASK64;
      g = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((h & a) | (b & (h | a)))) & MASK64;
      x = c | (c << 64n);
      t1 = f + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (e ^ (c & (d ^ e))) + K[t + 2] + w[t + 2];
      x = g | (g << 64n);
      b = (b + t1) & MASK64;
      f = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((g & h) | (a & (g | h)))) & MASK64;
      x = b | (b << 64n);
      t1 = e + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (d ^ (b & (c ^ d))) + K[t + 3] + w[t + 3];
      x = f | (f << 64n);
      a = (a + t1) & MASK64;
      e = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((f & g) | (h & (f | g)))) & MASK64;
      x = a | (a << 64n);
      t1 = d + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (c ^ (a & (b ^ c))) + K[t + 4] + w[t + 4];
      x = e | (e << 64n);
      h = (h + t1) & MASK64;
      d = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((e & f) | (g & (e | f)))) & MASK64;
      x = h | (h << 64n);
      t1 = c + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (b ^ (h & (a ^ b))) + K[t + 5] + w[t + 5];
      x = d | (d << 64n);
      g = (g + t1) & MASK64;
      c = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((d & e) | (f & (d | e)))) & MASK64;
      x = g | (g << 64n);
      t1 = b + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (a ^ (g & (h ^ a))) + K[t + 6] + w[t + 6];
      x = c | (c << 64n);
      f = (f + t1) & MASK64;
      b = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((c & d) | (e & (c | d)))) & MASK64;
      x = f | (f << 64n);
      t1 = a + ((x >> 14n) ^ (x >> 18n) ^ (x >> 41n)) + (h ^ (f & (g ^ h))) + K[t + 7] + w[t + 7];
      x = b | (b << 64n);
      e = (e + t1) & MASK64;
      a = (t1 + ((x >> 28n) ^ (x >> 34n) ^ (x >> 39n)) + ((b & c) | (d & (b | c)))) & MASK64;
    }
    h0 = (h0 + a) & MASK64;
    h1 = (h1 + b) & MASK64;
    h2 = (h2 + c) & MASK64;
    h3 = (h3 + d) & MASK64;
    h4 = (h4 + e) & MASK64;
    h5 = (h5 + f) & MASK64;
    h6 = (h6 + g) & MASK64;
    h7 = (h7 + h) & MASK64;
  }
  const out = new Uint8Array(64);
  const outView = new DataView(out.buffer);
  const state = [h0, h1, h2, h3, h4, h5, h6, h7];
  for (let i = 0; i < 8; i++) {
    outView.setUint32(8 * i, Number(state[i] >> 32n));
    outView.setUint32(8 * i + 4, Number(state[i] & 0xffffffffn));
  }
  return out;
};
