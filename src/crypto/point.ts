// Points of edwards25519 for the verifier: strict decoding, encoding, tables of odd multiples and
// the one joint multiplication [s]B + [k]Q that a verification needs (Straus/Shamir: one shared
// chain of doublings, additions driven by wNAF digits of both scalars).
//
// Extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z, a = −1 (Hisil–Wong–Carter–Dawson
// 2008). Table entries are "cached" forms: (Y+X, Y−X, 2d·T, 2Z), or for affine points with Z = 1,
// (y+x, y−x, 2d·xy) with an implicit 2Z = 2, which saves a multiplication per addition.
//
// Field values are loosely reduced (field.ts). The hot loop below does not call field.ts: it
// inlines the same multiply-and-fold, because in XS a function call costs about as much as the
// fold itself. field.ts's property tests pin the fold's arithmetic; the curve tests pin this file.

import { D, D2, MASK255 as M, P, P8, invert, mul, reduce, sqr, sqrtRatio, sub } from './field.js';

const S = 255n;
const K = 19n;
/** 2^14 p (about 2^269): added before subtracting a value folded only once (below 2^268). */
const SUB = P << 14n;

/** A point in extended coordinates; values loosely reduced. */
export interface Point {
  X: bigint;
  Y: bigint;
  Z: bigint;
  T: bigint;
}

/**
 * Strict decoding (RFC 8032 §5.1.3, FIPS 186-5): y < p, the point on the curve, and x = 0 with
 * the sign bit set refused. Returns undefined for any encoding that is not canonical.
 */
export function decodePoint(bytes: Uint8Array): Point | undefined {
  if (bytes.length !== 32) return undefined;
  const sign = bytes[31] >> 7;
  let hex = '0x' + ((bytes[31] & 0x7f) < 16 ? '0' : '') + (bytes[31] & 0x7f).toString(16);
  for (let i = 30; i >= 0; i--) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  const y = BigInt(hex);
  if (y >= P) return undefined;
  const y2 = sqr(y);
  const u = sub(y2, 1n); // y² − 1
  const v = mul(D, y2) + 1n; // d y² + 1, never ≡ 0 (d is not a square)
  let x = sqrtRatio(u, v);
  if (x === undefined) return undefined;
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return { X: x, Y: y, Z: 1n, T: mul(x, y) };
}

/** The canonical 32-byte encoding. */
export function encodePoint(p: Point): Uint8Array {
  const zInv = invert(p.Z);
  const x = reduce(mul(p.X, zInv));
  const y = reduce(mul(p.Y, zInv));
  const out = new Uint8Array(32);
  let hex = y.toString(16);
  while (hex.length < 64) hex = '0' + hex;
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substring(62 - 2 * i, 64 - 2 * i), 16);
  if ((x & 1n) === 1n) out[31] |= 0x80;
  return out;
}

export function negate(p: Point): Point {
  return { X: sub(0n, reduce(p.X)), Y: p.Y, Z: p.Z, T: sub(0n, reduce(p.T)) };
}

/** 2p (dbl-2008-hwcd, a = −1, signs arranged as in ref10). */
export function double(p: Point): Point {
  const A = sqr(p.X);
  const B = sqr(p.Y);
  const C = sqr(p.Z) << 1n;
  const H = A + B;
  const E = sub(H, sqr(p.X + p.Y));
  const G = sub(A, B);
  const F = C + G;
  return { X: mul(E, F), Y: mul(G, H), Z: mul(F, G), T: mul(E, H) };
}

/** p + q (add-2008-hwcd-3, a = −1, k = 2d). */
export function add(p: Point, q: Point): Point {
  const A = mul(sub(p.Y, p.X), sub(q.Y, q.X));
  const B = mul(p.Y + p.X, q.Y + q.X);
  const C = mul(mul(p.T, q.T), D2);
  const Dz = mul(p.Z, q.Z) << 1n;
  const E = sub(B, A);
  const F = sub(Dz, C);
  const G = Dz + C;
  const H = B + A;
  return { X: mul(E, F), Y: mul(G, H), Z: mul(F, G), T: mul(E, H) };
}

/** True for the 8 points of small order (those [8]P = O), which FIPS 186-5 refuses as keys. */
export function isSmallOrder(p: Point): boolean {
  const q = double(double(double(p)));
  return reduce(q.X) === 0n;
}

/**
 * Odd multiples p, 3p, …, (2·count − 1)p in cached projective form, flat: 4 values per point
 * (Y+X, Y−X, 2d·T, 2Z). Made at run time for a public key; owned by the caller.
 */
export function cachedOddMultiples(p: Point, count: number): bigint[] {
  const out: bigint[] = [];
  const p2 = double(p);
  let q = p;
  for (let i = 0; i < count; i++) {
    if (i > 0) q = add(q, p2);
    out.push(q.Y + q.X, sub(q.Y, q.X), mul(q.T, D2), q.Z << 1n);
  }
  return out;
}

/**
 * The same odd multiples in affine cached form, 3 values per point (y+x, y−x, 2d·xy), all
 * canonical: one inversion for the whole table (Montgomery's trick). Additions with these save a
 * multiplication; a prepared key and the frozen base table use this form.
 */
export function affineOddMultiples(p: Point, count: number): bigint[] {
  const points: Point[] = [];
  const p2 = double(p);
  let q = p;
  for (let i = 0; i < count; i++) {
    if (i > 0) q = add(q, p2);
    points.push(q);
  }
  // prefix[i] = Z0 ⋯ Zi; invert the product once, then peel one Z off per point.
  const prefix: bigint[] = [];
  let acc = 1n;
  for (const q of points) {
    acc = mul(acc, q.Z);
    prefix.push(acc);
  }
  let inv = invert(acc);
  const zInv: bigint[] = new Array(count);
  for (let i = count - 1; i >= 0; i--) {
    zInv[i] = i === 0 ? inv : mul(inv, prefix[i - 1]);
    inv = mul(inv, points[i].Z);
  }
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const x = reduce(mul(points[i].X, zInv[i]));
    const y = reduce(mul(points[i].Y, zInv[i]));
    out.push(reduce(y + x), reduce(y - x + P), reduce(mul(mul(x, y), D2)));
  }
  return out;
}

/**
 * Σ [scalar_j] P_j for wNAF digit arrays digits[j] over tables[j] of odd multiples of P_j, with
 * one shared chain of doublings. strides[j] is 3 for an affine table, 4 for a cached projective
 * one; digit d uses the entry |d| >> 1, negated for d < 0. active[i] must be 1 exactly where some
 * digits[j][i] ≠ 0 (wnaf fills it); all arrays have the same length.
 */
export function jointMultiply(digits: readonly Int8Array[], tables: readonly (readonly bigint[])[], strides: readonly number[], active: Uint8Array): Point {
  const n = digits.length;
  let top = active.length - 1;
  while (top >= 0 && active[top] === 0) top--;
  let X = 0n;
  let Y = 1n;
  let Z = 1n;
  let T = 0n;
  let t: bigint;
  let u: bigint;
  // Products whose results feed only additions and further products are folded once (< 2^268);
  // those that become coordinates are folded twice (< 2^256). Differences add SUB = 2^14 p, which
  // exceeds every once-folded value. The bounds are worked through in docs/bench.md.
  for (let i = top; i >= 0; i--) {
    if (i !== top) {
      t = X * X;
      const A = (t & M) + (t >> S) * K;
      t = Y * Y;
      const B = (t & M) + (t >> S) * K;
      t = Z * Z;
      const C = ((t & M) + (t >> S) * K) << 1n;
      const H = A + B;
      t = X + Y;
      t = t * t;
      const E = H + SUB - ((t & M) + (t >> S) * K);
      const G = A + SUB - B;
      const F = C + G;
      t = E * F;
      u = (t & M) + (t >> S) * K;
      X = (u & M) + (u >> S) * K;
      t = G * H;
      u = (t & M) + (t >> S) * K;
      Y = (u & M) + (u >> S) * K;
      t = F * G;
      u = (t & M) + (t >> S) * K;
      Z = (u & M) + (u >> S) * K;
      if (active[i] !== 0) {
        t = E * H;
        u = (t & M) + (t >> S) * K;
        T = (u & M) + (u >> S) * K;
      }
    }
    if (active[i] === 0) continue;
    for (let j = 0; j < n; j++) {
      const d = digits[j][i];
      if (d === 0) continue;
      const table = tables[j];
      const stride = strides[j];
      const e = (d < 0 ? -d >> 1 : d >> 1) * stride;
      const ypx = table[e];
      const ymx = table[e + 1];
      t = (Y + P8 - X) * (d < 0 ? ypx : ymx);
      const A = (t & M) + (t >> S) * K;
      t = (Y + X) * (d < 0 ? ymx : ypx);
      const B = (t & M) + (t >> S) * K;
      t = T * table[e + 2];
      const C = (t & M) + (t >> S) * K;
      let Dz: bigint;
      if (stride === 3)
        Dz = Z << 1n; // affine entry: 2Z' = 2
      else {
        t = Z * table[e + 3];
        Dz = (t & M) + (t >> S) * K;
      }
      const E = B + SUB - A;
      const F = d < 0 ? Dz + C : Dz + SUB - C;
      const G = d < 0 ? Dz + SUB - C : Dz + C;
      const H = B + A;
      t = E * F;
      u = (t & M) + (t >> S) * K;
      X = (u & M) + (u >> S) * K;
      t = G * H;
      u = (t & M) + (t >> S) * K;
      Y = (u & M) + (u >> S) * K;
      t = F * G;
      u = (t & M) + (t >> S) * K;
      Z = (u & M) + (u >> S) * K;
      t = E * H;
      u = (t & M) + (t >> S) * K;
      T = (u & M) + (u >> S) * K;
    }
  }
  return { X, Y, Z, T };
}
