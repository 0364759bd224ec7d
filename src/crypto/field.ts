// Arithmetic in GF(p), p = 2^255 − 19, on native BigInt (XS has it), for the Ed25519 verifier.
// XS meters a BigInt operation by the size of its result and charges `%` by (a.size − b.size) ×
// (a.size + b.size) words: a 512-bit `% p` costs ~190 units, two folds of 2^255 ≡ 19 ~75. So
// products are reduced by folding, values stay only loosely reduced (non-negative, < 2^256 after a
// multiplication), and `%` runs once, to encode. The point formulas (point.ts) inline the same fold
// for speed; these functions are the reference for them and serve the cold paths.
//
// Bounds (checked by the property tests): mul/sqr take non-negative inputs below 2^272 and return
// a value below 2^256 congruent to the product; sub(a, b) needs b < 8p.

export const P = (1n << 255n) - 19n;
/** 8p: added before a subtraction so a loosely reduced difference stays non-negative. */
export const P8 = P << 3n;
export const MASK255 = (1n << 255n) - 1n;
const SHIFT = 255n;
const FOLD = 19n;

/** Ed25519 curve constant d = −121665/121666 mod p. */
export const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
/** 2d, used by the addition formulas. */
export const D2 = (D * 2n) % P;
/** √−1 mod p, 2^((p−1)/4). */
export const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

/** Any BigInt congruent to x, as a non-negative value below 2^256 (two folds of 2^255 ≡ 19). */
export function fold(x: bigint): bigint {
  x = (x & MASK255) + (x >> SHIFT) * FOLD;
  return (x & MASK255) + (x >> SHIFT) * FOLD;
}

export function mul(a: bigint, b: bigint): bigint {
  const t = a * b;
  const u = (t & MASK255) + (t >> SHIFT) * FOLD;
  return (u & MASK255) + (u >> SHIFT) * FOLD;
}

export function sqr(a: bigint): bigint {
  const t = a * a;
  const u = (t & MASK255) + (t >> SHIFT) * FOLD;
  return (u & MASK255) + (u >> SHIFT) * FOLD;
}

/** a − b, kept non-negative (b < 8p). */
export function sub(a: bigint, b: bigint): bigint {
  return a + P8 - b;
}

/** The canonical representative in [0, p). */
export function reduce(x: bigint): bigint {
  const r = x % P;
  return r < 0n ? r + P : r;
}

/** a^(2^k), loosely reduced. The square and fold are inline: a call per step would cost ~15 %. */
export function pow2k(a: bigint, k: number): bigint {
  let t: bigint;
  for (let i = 0; i < k; i++) {
    t = a * a;
    t = (t & MASK255) + (t >> SHIFT) * FOLD;
    a = (t & MASK255) + (t >> SHIFT) * FOLD;
  }
  return a;
}

/**
 * 1/a mod p (0 for a ≡ 0), canonical, by the extended Euclidean algorithm. Quotients are small,
 * so XS charges little for each division (its meter counts the quotient's size), and there is no
 * 255-square exponentiation.
 */
export function invert(a: bigint): bigint {
  let r0 = P;
  let r1 = reduce(a);
  if (r1 === 0n) return 0n;
  let s0 = 0n;
  let s1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    const r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    const s2 = s0 - q * s1;
    s0 = s1;
    s1 = s2;
  }
  // r0 = gcd = 1 (p is prime and a ≢ 0); s0 · a ≡ 1.
  return reduce(s0);
}

/** x^((p−5)/8), the exponent of the combined inverse-and-square-root (RFC 8032 §5.1.3). */
function powP58(x: bigint): bigint {
  // Addition chain of ref10's fe_pow22523: 2^252 − 3.
  const x2 = sqr(x);
  const x9 = mul(pow2k(x2, 2), x);
  const x11 = mul(x9, x2);
  const x2_5_0 = mul(sqr(x11), x9); // 2^5 − 1
  const x2_10_0 = mul(pow2k(x2_5_0, 5), x2_5_0);
  const x2_20_0 = mul(pow2k(x2_10_0, 10), x2_10_0);
  const x2_40_0 = mul(pow2k(x2_20_0, 20), x2_20_0);
  const x2_50_0 = mul(pow2k(x2_40_0, 10), x2_10_0);
  const x2_100_0 = mul(pow2k(x2_50_0, 50), x2_50_0);
  const x2_200_0 = mul(pow2k(x2_100_0, 100), x2_100_0);
  const x2_250_0 = mul(pow2k(x2_200_0, 50), x2_50_0);
  return mul(pow2k(x2_250_0, 2), x); // 2^252 − 3
}

/**
 * The canonical x with x² · v ≡ u, or undefined if u/v is not a square (v ≢ 0). One
 * exponentiation serves both the inverse and the root: x = u v³ (u v⁷)^((p−5)/8).
 */
export function sqrtRatio(u: bigint, v: bigint): bigint | undefined {
  const v3 = mul(sqr(v), v);
  const v7 = mul(sqr(v3), v);
  let x = mul(mul(u, v3), powP58(mul(u, v7)));
  const vx2 = reduce(mul(v, sqr(x)));
  const ur = reduce(u);
  if (vx2 === ur) return reduce(x);
  if (vx2 === reduce(P - ur)) return reduce(mul(x, SQRT_M1));
  return undefined;
}
