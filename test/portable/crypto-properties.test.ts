// Property tests (fast-check) for the verifier's arithmetic in src/crypto/, against plain BigInt
// reference arithmetic (`%`, modular exponentiation) and, for points, against @noble/ed25519's
// independent implementation. They run under Node and inside XS; seeds are fixed so a failure
// reproduces, run counts are modest because XS is slow.
import * as ed from '@noble/ed25519';
import { expect } from 'chai';
import fc from 'fast-check';
import { BASE_POINT_BYTES, BASE_TABLE_COUNT } from '../../src/crypto/base-point.js';
import { BASE_TABLE, BASE_TABLE_HIGH } from '../../src/crypto/base-table.js';
import { D, D2, P, P8, SQRT_M1, fold, invert, mul, pow2k, reduce, sqr, sqrtRatio, sub } from '../../src/crypto/field.js';
import { add, affineOddMultiples, cachedOddMultiples, decodePoint, double, encodePoint, isSmallOrder, jointMultiply, negate } from '../../src/crypto/point.js';
import { L, bigIntToBytes32LE, bytesToBigIntLE, isBelowL, reduceHash, wnaf } from '../../src/crypto/scalar.js';
import { toHex } from '../../src/bytes.js';
import { SMALL_ORDER_HEX, leBytes, leNumber } from './ed25519-cases.js';

const SEED = 20261130;
const runs = (numRuns: number) => ({ numRuns, seed: SEED });

const modP = (x: bigint): bigint => ((x % P) + P) % P;
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = ((b % m) + m) % m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

// Values a loosely reduced operand can take (below 2^272), with the edges drawn often.
const EDGES = [0n, 1n, 2n, 19n, P - 1n, P, P + 1n, (1n << 255n) - 1n, 1n << 255n, (1n << 256n) - 1n, 2n * P, P8 - 1n, (1n << 272n) - 1n];
const loose = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: (1n << 272n) - 1n }), fc.bigInt({ min: 0n, max: P - 1n }));
const canonical = fc.oneof(fc.constantFrom(0n, 1n, P - 1n), fc.bigInt({ min: 0n, max: P - 1n }));
const scalarBytes = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('field GF(2^255 − 19) (src/crypto/field.ts)', () => {
  it('constants: d = −121665/121666, 2d, √−1, 8p', () => {
    expect(modP(D * 121666n)).to.equal(modP(-121665n));
    expect(D2).to.equal(modP(2n * D));
    expect(modP(SQRT_M1 * SQRT_M1)).to.equal(P - 1n);
    expect(P8).to.equal(8n * P);
  });

  it('mul, sqr and fold: congruent to the product, non-negative and below 2^256, for operands below 2^272 (the bound jointMultiply relies on)', () => {
    fc.assert(
      fc.property(loose, loose, (a, b) => {
        const m = mul(a, b);
        const s = sqr(a);
        const f = fold(a * b);
        return m >= 0n && m < 1n << 256n && modP(m) === modP(a * b) && s >= 0n && s < 1n << 256n && modP(s) === modP(a * a) && f === m;
      }),
      runs(300),
    );
  });

  it('sub(a, b) with b < 8p: non-negative and congruent to a − b; reduce gives the canonical value of anything', () => {
    fc.assert(
      fc.property(loose, fc.bigInt({ min: 0n, max: P8 - 1n }), fc.bigInt({ min: -(1n << 600n), max: 1n << 600n }), (a, b, x) => {
        const d = sub(a, b);
        const r = reduce(x);
        return d >= 0n && modP(d) === modP(a - b) && r === modP(x);
      }),
      runs(300),
    );
  });

  it('pow2k(a, k) = a^(2^k)', () => {
    fc.assert(
      fc.property(loose, fc.integer({ min: 0, max: 40 }), (a, k) => modP(pow2k(a, k)) === powMod(a, 1n << BigInt(k), P)),
      runs(100),
    );
  });

  it('invert: canonical inverse of every non-zero residue, 0 for 0 (Euclid, checked against Fermat)', () => {
    fc.assert(
      fc.property(loose, (a) => {
        const i = invert(a);
        if (modP(a) === 0n) return i === 0n;
        return i >= 0n && i < P && modP(i * a) === 1n && i === powMod(a, P - 2n, P);
      }),
      runs(200),
    );
  });

  it('sqrtRatio: a canonical root of u/v when there is one, undefined exactly when u/v is not a square', () => {
    fc.assert(
      fc.property(canonical, fc.bigInt({ min: 1n, max: P - 1n }), fc.boolean(), (w, v, square) => {
        // Half the draws are squares by construction (u = w² v), the rest random.
        const u = square ? modP(w * w * v) : w;
        const x = sqrtRatio(u, v);
        const ratio = modP(u * powMod(v, P - 2n, P));
        const isSquare = ratio === 0n || powMod(ratio, (P - 1n) / 2n, P) === 1n;
        if (x === undefined) return !isSquare;
        return isSquare && x >= 0n && x < P && modP(v * x * x) === u;
      }),
      runs(150),
    );
  });
});

describe('scalars mod L (src/crypto/scalar.ts)', () => {
  it('isBelowL agrees with BigInt comparison, at the boundary too', () => {
    const edges = [0n, 1n, L - 1n, L, L + 1n, (1n << 253n) - 1n, (1n << 256n) - 1n, L + (1n << 252n)];
    for (const x of edges) expect(isBelowL(leBytes(x)), x.toString(16)).to.equal(x < L);
    fc.assert(
      fc.property(scalarBytes, (b) => isBelowL(b) === leNumber(b) < L),
      runs(300),
    );
  });

  it('reduceHash is the 512-bit little-endian value mod L; byte conversions round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), scalarBytes, (h, b) => {
        const x = leNumber(b);
        return reduceHash(h) === leNumber(h) % L && bytesToBigIntLE(b) === x && toHex(bigIntToBytes32LE(x)) === toHex(b);
      }),
      runs(300),
    );
    expect(bytesToBigIntLE(new Uint8Array(0))).to.equal(0n);
  });

  it('wnaf round-trips: Σ dᵢ2ⁱ = k, digits odd and below 2^(w−1), non-zero digits w apart, active marks them', () => {
    fc.assert(
      fc.property(
        fc.oneof(scalarBytes, fc.constantFrom(new Uint8Array(32).fill(255), new Uint8Array(32)), fc.uint8Array({ minLength: 16, maxLength: 16 })),
        fc.integer({ min: 2, max: 8 }),
        (b, w) => {
          const length = b.length * 8 + 9;
          const active = new Uint8Array(length);
          const digits = wnaf(b, w, length, active);
          let sum = 0n;
          let last = -Infinity;
          for (let i = 0; i < length; i++) {
            const d = digits[i];
            if ((d !== 0) !== (active[i] === 1)) return false;
            if (d === 0) continue;
            if ((d & 1) === 0 || Math.abs(d) >= 1 << (w - 1) || i - last < w) return false;
            last = i;
            sum += BigInt(d) << BigInt(i);
          }
          return sum === leNumber(b);
        },
      ),
      runs(300),
    );
  });
});

describe('points of edwards25519 (src/crypto/point.ts), against @noble/ed25519', () => {
  const B = decodePoint(Uint8Array.from(BASE_POINT_BYTES))!;
  const nobleBytes = (k: bigint) => ed.Point.BASE.multiply(k).toBytes();
  const scalar = fc.bigInt({ min: 1n, max: L - 1n });

  it('decode/encode round-trip the base point and the small-order points; isSmallOrder finds exactly those', () => {
    expect(toHex(encodePoint(B))).to.equal(toHex(Uint8Array.from(BASE_POINT_BYTES)));
    expect(isSmallOrder(B)).to.equal(false);
    for (const h of SMALL_ORDER_HEX) {
      const p = decodePoint(Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16))))!;
      expect(p, h).to.not.equal(undefined);
      expect(toHex(encodePoint(p))).to.equal(h);
      expect(isSmallOrder(p), h).to.equal(true);
      expect(ed.Point.fromHex(h).isSmallOrder(), h).to.equal(true);
    }
    expect(new Set(SMALL_ORDER_HEX).size).to.equal(8);
  });

  it('double, add, negate and encode agree with noble on multiples of B', () => {
    fc.assert(
      fc.property(scalar, scalar, (a, b) => {
        const pa = decodePoint(nobleBytes(a))!;
        const pb = decodePoint(nobleBytes(b))!;
        return (
          toHex(encodePoint(double(pa))) === toHex(nobleBytes((2n * a) % L)) &&
          toHex(encodePoint(add(pa, pb))) === toHex(nobleBytes((a + b) % L || L)) &&
          toHex(encodePoint(negate(pa))) === toHex(nobleBytes(L - a))
        );
      }),
      runs(20),
    );
  });

  it('decodePoint accepts exactly what noble strict decodes, and gives the same point', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = toHex(ed.Point.fromBytes(bytes, false).toBytes());
        } catch {
          expected = undefined;
        }
        const ours = decodePoint(bytes);
        return ours === undefined ? expected === undefined : toHex(encodePoint(ours)) === expected && expected === toHex(bytes);
      }),
      runs(200),
    );
  });

  it('jointMultiply: [a]B + [b]Q with affine and cached tables of any width agrees with noble', () => {
    fc.assert(
      fc.property(scalar, scalar, scalar, fc.integer({ min: 2, max: 6 }), (a, b, q, w) => {
        const Q = decodePoint(nobleBytes(q))!;
        const count = 1 << (w - 2);
        const active = new Uint8Array(265);
        const digits = [wnaf(leBytes(a), w, 265, active), wnaf(leBytes(b), w, 265, active)];
        const viaAffine = jointMultiply(digits, [affineOddMultiples(B, count), affineOddMultiples(Q, count)], [3, 3], active);
        const viaCached = jointMultiply(digits, [cachedOddMultiples(B, count), cachedOddMultiples(Q, count)], [4, 4], active);
        const expected = toHex(nobleBytes((a + b * q) % L || L));
        return toHex(encodePoint(viaAffine)) === expected && toHex(encodePoint(viaCached)) === expected;
      }),
      runs(15),
    );
  });

  it(`the frozen base tables are the odd multiples of B and of 2^128·B, (y + x, y − x, 2d·x·y) mod p`, () => {
    expect(Object.isFrozen(BASE_TABLE) && Object.isFrozen(BASE_TABLE_HIGH)).to.equal(true);
    for (const [table, factor] of [
      [BASE_TABLE, 1n],
      [BASE_TABLE_HIGH, 1n << 128n],
    ] as const) {
      expect(table.length).to.equal(BASE_TABLE_COUNT);
      for (let i = 0; i < BASE_TABLE_COUNT; i++) {
        const { x, y } = ed.Point.BASE.multiply(((2n * BigInt(i) + 1n) * factor) % L).toAffine();
        expect(Object.isFrozen(table[i])).to.equal(true);
        expect([table[i].ypx, table[i].ymx, table[i].xy2d], `${2 * i + 1}·${factor}·B`).to.deep.equal([modP(y + x), modP(y - x), modP(2n * D * x * y)]);
      }
    }
  });
});
