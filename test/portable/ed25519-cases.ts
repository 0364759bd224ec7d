// Differential cases for the Ed25519 verifier, shared by the Node test (test/node/ed25519-
// differential.test.ts, oracles node:crypto and noble) and the XS run (test/portable/ed25519-
// differential.test.ts, oracle noble bundled into XS). Deterministic from a seed, so a failing case
// reproduces from its index. Signatures are made with @noble/ed25519 and, for the crafted ones
// (mixed-order keys, R carrying a torsion component), with noble's point arithmetic and plain
// BigInt scalars: nothing here uses the code under test.
//
// Every signature yields VARIANTS cases: itself, a flipped bit in R, S, A and the message, S + L,
// S + 2^253, R and A replaced by small-order and by non-canonical encodings, R plus a torsion
// point, S = 0 with R = identity, and a small-order key with a signature its equation accepts.

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../../src/bytes.js';

ed.hashes.sha512 = sha512;

export const P = (1n << 255n) - 19n;
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

/** The 8 points of small order (the torsion subgroup), canonical encodings; checked by the tests. */
export const SMALL_ORDER_HEX: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, −1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

export function leBytes(x: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(x & 255n);
    x >>= 8n;
  }
  return out;
}

export function leNumber(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x;
}

/**
 * Non-canonical encodings: y = p + i (i = 0…18, the only y ≥ p that fit in 255 bits) with either
 * sign bit, and x = 0 with the sign bit set (y = 1 and y = −1).
 */
export const NON_CANONICAL: readonly Uint8Array[] = (() => {
  const out: Uint8Array[] = [];
  for (let i = 0n; i <= 18n; i++) {
    const e = leBytes(P + i);
    out.push(e);
    const signed = e.slice();
    signed[31] |= 0x80;
    out.push(signed);
  }
  out.push(hex('0100000000000000000000000000000000000000000000000000000000000080'));
  out.push(hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'));
  return out;
})();

/** A small, fast, seeded generator (sfc32): the cases are the same on every engine. */
export class CaseRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed | 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  below(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 255;
    return out;
  }
  scalar(): bigint {
    return (leNumber(this.bytes(64)) % (L - 1n)) + 1n;
  }
}

export interface Ed25519Case {
  index: number;
  group: number;
  variant: string;
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

export const VARIANTS = 14;

const modL = (x: bigint): bigint => ((x % L) + L) % L;
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint => {
  const input = new Uint8Array(64 + m.length);
  input.set(r);
  input.set(a, 32);
  input.set(m, 64);
  return modL(leNumber(sha512(input)));
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

function message(rng: CaseRandom, group: number): Uint8Array {
  // Edge messages now and then: empty, one zero byte, 1000 bytes of 0xff, exactly one SHA-512
  // block of R‖A‖M (64 bytes of M) and one byte either side of the padding boundary.
  switch (group % 16) {
    case 0:
      return new Uint8Array(0);
    case 1:
      return new Uint8Array(1);
    case 2:
      return new Uint8Array(1000).fill(0xff);
    case 3:
      return rng.bytes(64);
    case 4:
      return rng.bytes(111 - 64);
    case 5:
      return rng.bytes(112 - 64);
    default:
      return rng.bytes(rng.below(8) === 0 ? rng.below(1001) : rng.below(301));
  }
}

/**
 * One signed (signature, message, key) for a group: usually an ordinary noble signature; every
 * fourth group a crafted one, alternately under a mixed-order key A = aB + T (cofactorless-valid
 * only when the torsion part is killed by k) and with R = rB + T (never cofactorless-valid).
 */
function signGroup(rng: CaseRandom, group: number): { signature: Uint8Array; message: Uint8Array; publicKey: Uint8Array; kind: string } {
  const m = message(rng, group);
  if (group % 4 !== 3) {
    const seed = rng.bytes(32);
    return { signature: ed.sign(m, seed), message: m, publicKey: ed.getPublicKey(seed), kind: 'signed' };
  }
  const torsion = ed.Point.fromBytes(hex(SMALL_ORDER_HEX[1 + ((group >> 2) % 7)]));
  const a = rng.scalar();
  const r = rng.scalar();
  if ((group >> 2) % 2 === 0) {
    const publicKey = ed.Point.BASE.multiply(a).add(torsion).toBytes();
    const R = ed.Point.BASE.multiply(r).toBytes();
    const s = modL(r + challenge(R, publicKey, m) * a);
    return { signature: concat(R, leBytes(s)), message: m, publicKey, kind: 'mixed-order key' };
  }
  const publicKey = ed.Point.BASE.multiply(a).toBytes();
  const R = ed.Point.BASE.multiply(r).add(torsion).toBytes();
  const s = modL(r + challenge(R, publicKey, m) * a);
  return { signature: concat(R, leBytes(s)), message: m, publicKey, kind: 'torsion R' };
}

/** Cases first…first+count−1 of the sequence for `seed` (groups of VARIANTS). */
export function* ed25519Cases(seed: number, count: number, first = 0): Generator<Ed25519Case> {
  const firstGroup = Math.floor(first / VARIANTS);
  for (let group = firstGroup; group * VARIANTS < first + count; group++) {
    const rng = new CaseRandom((seed ^ Math.imul(group, 0x9e3779b1)) >>> 0);
    const base = signGroup(rng, group);
    const { signature, message: m, publicKey } = base;
    const R = signature.subarray(0, 32);
    const s = leNumber(signature.subarray(32));
    const small = hex(SMALL_ORDER_HEX[group % 8]);
    const nonCanonical = NON_CANONICAL[group % NON_CANONICAL.length];
    const torsion = ed.Point.fromBytes(hex(SMALL_ORDER_HEX[1 + (group % 7)]));
    let rPlusTorsion: Uint8Array;
    try {
      rPlusTorsion = ed.Point.fromBytes(R).add(torsion).toBytes();
    } catch {
      rPlusTorsion = R.slice(); // R itself not a point (cannot happen for these signers)
    }
    const variants: [string, Uint8Array, Uint8Array, Uint8Array][] = [
      [base.kind, signature, m, publicKey],
      ['R bit flipped', flipBit(signature, rng.below(256)), m, publicKey],
      ['S bit flipped', flipBit(signature, 256 + rng.below(256)), m, publicKey],
      ['A bit flipped', signature, m, flipBit(publicKey, rng.below(256))],
      ['message bit flipped', signature, m.length > 0 ? flipBit(m, rng.below(m.length * 8)) : Uint8Array.of(0), publicKey],
      ['S + L', concat(R, leBytes(s + L)), m, publicKey],
      ['S + 2^253', concat(R, leBytes(s + (1n << 253n))), m, publicKey],
      ['R small order', concat(small, signature.subarray(32)), m, publicKey],
      ['A small order', signature, m, small],
      ['R non-canonical', concat(nonCanonical, signature.subarray(32)), m, publicKey],
      ['A non-canonical', signature, m, nonCanonical],
      ['R plus torsion', concat(rPlusTorsion, signature.subarray(32)), m, publicKey],
      ['S = 0, R = identity', concat(hex(SMALL_ORDER_HEX[0]), new Uint8Array(32)), m, publicKey],
      // [S]B − [k]O = R holds for any k: only the small-order-key rule refuses it.
      ['small-order key, equation holds', equationHolds(rng), m, hex(SMALL_ORDER_HEX[0])],
    ];
    for (let v = 0; v < VARIANTS; v++) {
      const index = group * VARIANTS + v;
      if (index < first || index >= first + count) continue;
      const [variant, sig, msg, pk] = variants[v];
      yield { index, group, variant, signature: sig, message: msg, publicKey: pk };
    }
  }
}

/** R = [s]B with signature (R, s): valid under the identity key whatever k is. */
function equationHolds(rng: CaseRandom): Uint8Array {
  const s = rng.scalar();
  return concat(ed.Point.BASE.multiply(s).toBytes(), leBytes(s));
}

/**
 * Independent classification with noble's points: is [S]B − [k]A − R a non-zero point of small
 * order? Exactly then a cofactored verifier (noble, ZIP-215 or not) accepts what a cofactorless
 * one refuses. Undefined when A or R does not decode or S ≥ L.
 */
export function torsionOnlyDifference(c: Ed25519Case): boolean | undefined {
  try {
    const A = ed.Point.fromBytes(c.publicKey);
    const R = ed.Point.fromBytes(c.signature.subarray(0, 32));
    const s = leNumber(c.signature.subarray(32));
    if (s >= L) return undefined;
    const k = challenge(c.signature.subarray(0, 32), c.publicKey, c.message);
    const q = ed.Point.BASE.multiply(s, false).subtract(A.multiply(k, false)).subtract(R);
    return !q.is0() && q.isSmallOrder();
  } catch {
    return undefined;
  }
}

/** True if the key decodes (strictly) to a point of small order. */
export function isSmallOrderKey(publicKey: Uint8Array): boolean {
  try {
    return ed.Point.fromBytes(publicKey).isSmallOrder();
  } catch {
    return false;
  }
}

/** noble strict (zip215: false), never throwing. */
export function nobleStrict(c: Ed25519Case): boolean {
  try {
    return ed.verify(c.signature, c.message, c.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export const describeCase = (c: Ed25519Case): string =>
  `case ${c.index} (group ${c.group}, ${c.variant}): sig ${toHex(c.signature)} msg(${c.message.length}) ${toHex(c.message).slice(0, 64)} pk ${toHex(c.publicKey)}`;
