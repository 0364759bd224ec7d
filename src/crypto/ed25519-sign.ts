// Ed25519 signing and key derivation (RFC 8032 §5.1.5–5.1.6) for the lock's own device key: the
// lock signs entry receipts, audit-log exports and its provisioning answer. Only the lock's own
// key is ever used here; tickets are verified by src/ed25519.ts. Portable BigInt code (native in
// XS), no module-level mutable state; SHA-512 is passed in so the device can use its native one.
//
// The base-point multiplication does the same double-and-add work for every bit of the scalar
// (a fixed sequence of 253 doublings and additions), so its running time does not depend on the
// secret scalar's bits beyond what BigInt arithmetic itself leaks.

import type { HashFunction } from '../../hal/index.js';
import { concatBytes } from '../bytes.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
const D2 = (2n * D) % P;
const BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;

export const ED25519_SEED_BYTES = 32;

/** A point in extended twisted Edwards coordinates (x = X/Z, y = Y/Z, xy = T/Z). */
type Point = readonly [bigint, bigint, bigint, bigint];

const mod = (a: bigint, m: bigint = P): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function add(p: Point, q: Point): Point {
  const [x1, y1, z1, t1] = p;
  const [x2, y2, z2, t2] = q;
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(t1 * D2 * t2);
  const d = mod(2n * z1 * z2);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function double(p: Point): Point {
  const [x1, y1, z1] = p;
  const a = mod(x1 * x1);
  const b = mod(y1 * y1);
  const c = mod(2n * z1 * z1);
  const e = mod((x1 + y1) * (x1 + y1) - a - b);
  const g = b - a; // D + B with D = −A (a = −1)
  const f = g - c;
  const h = -a - b;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** scalar · B, a fixed sequence of operations for scalars below 2^255. */
function multiplyBase(scalar: bigint): Point {
  const base: Point = [BASE_X, BASE_Y, 1n, mod(BASE_X * BASE_Y)];
  let acc: Point = [0n, 1n, 1n, 0n];
  for (let bit = 254; bit >= 0; bit--) {
    acc = double(acc);
    const sum = add(acc, base);
    acc = (scalar >> BigInt(bit)) & 1n ? sum : acc;
  }
  return acc;
}

function encodePoint(p: Point): Uint8Array {
  const zInverse = power(p[2], P - 2n);
  const x = mod(p[0] * zInverse);
  const y = mod(p[1] * zInverse);
  const out = littleEndian(y);
  if (x & 1n) out[31] |= 0x80;
  return out;
}

function littleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A seed expanded once (RFC 8032 §5.1.5): signing with it costs one base-point multiplication. */
export interface ExpandedKey {
  readonly scalar: bigint;
  readonly prefix: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function expandEd25519Seed(seed: Uint8Array, sha512: HashFunction): ExpandedKey {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) throw new RangeError('Ed25519 seed must be 32 bytes');
  const h = sha512(seed);
  const low = h.slice(0, 32);
  low[0] &= 248;
  low[31] &= 127;
  low[31] |= 64;
  const scalar = fromLittleEndian(low);
  return { scalar, prefix: h.slice(32, 64), publicKey: encodePoint(multiplyBase(scalar)) };
}

/** The public key of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array, sha512: HashFunction): Uint8Array {
  return expandEd25519Seed(seed, sha512).publicKey;
}

/** A deterministic RFC 8032 §5.1.6 signature of `message` by the key of `seed`. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array, sha512: HashFunction): Uint8Array {
  return ed25519SignExpanded(expandEd25519Seed(seed, sha512), message, sha512);
}

export function ed25519SignExpanded(key: ExpandedKey, message: Uint8Array, sha512: HashFunction): Uint8Array {
  const { scalar, prefix, publicKey } = key;
  const r = mod(fromLittleEndian(sha512(concatBytes(prefix, message))), L);
  const rEncoded = encodePoint(multiplyBase(r));
  const k = mod(fromLittleEndian(sha512(concatBytes(rEncoded, publicKey, message))), L);
  const s = mod(r + k * scalar, L);
  return concatBytes(rEncoded, littleEndian(s));
}
