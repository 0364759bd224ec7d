// Ed25519 signing and key derivation (RFC 8032 §5.1.5–5.1.6) for the lock's own device key: the
// lock signs entry receipts, audit-log exports and its provisioning answer. Only the lock's own
// key is ever used here; tickets are verified by src/ed25519.ts. Built on the verifier's field and
// point arithmetic (field.ts, point.ts); SHA-512 is passed in so the device can use its native one.
//
// The base-point multiplication takes the scalar four bits at a time with a fixed sequence — four
// doublings and one addition of a table entry (the identity for a zero digit) per window — so the
// operations done do not depend on the secret scalar. The table of 0·B … 15·B is made once per
// expanded key, at run time, and owned by it (nothing mutable at module scope).

import type { HashFunction } from '../../hal/index.js';
import { concatBytes } from '../bytes.js';
import { BASE_POINT_BYTES } from './base-point.js';
import { add, decodePoint, double, encodePoint, type Point } from './point.js';
import { L, bigIntToBytes32LE, bytesToBigIntLE, reduceHash } from './scalar.js';

export const ED25519_SEED_BYTES = 32;
const WINDOWS = 64;

/** A seed expanded once (RFC 8032 §5.1.5): signing with it costs one base-point multiplication. */
export interface ExpandedKey {
  readonly scalar: bigint;
  readonly prefix: Uint8Array;
  readonly publicKey: Uint8Array;
  /** 0·B, 1·B, … 15·B. */
  readonly baseMultiples: readonly Point[];
}

function baseMultiples(): Point[] {
  const base = decodePoint(Uint8Array.from(BASE_POINT_BYTES)) as Point;
  const table: Point[] = [{ X: 0n, Y: 1n, Z: 1n, T: 0n }, base];
  for (let i = 2; i < 16; i++) table.push(add(table[i - 1], base));
  return table;
}

/** scalar · B for 0 ≤ scalar < 2^256, the same operations whatever the scalar. */
function multiplyBase(scalar: bigint, table: readonly Point[]): Point {
  let acc = table[0];
  for (let w = WINDOWS - 1; w >= 0; w--) {
    acc = double(double(double(double(acc))));
    acc = add(acc, table[Number((scalar >> BigInt(4 * w)) & 15n)]);
  }
  return acc;
}

export function expandEd25519Seed(seed: Uint8Array, sha512: HashFunction): ExpandedKey {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) throw new RangeError('Ed25519 seed must be 32 bytes');
  const h = sha512(seed);
  const low = h.slice(0, 32);
  low[0] &= 248;
  low[31] &= 127;
  low[31] |= 64;
  const scalar = bytesToBigIntLE(low);
  const table = baseMultiples();
  return { scalar, prefix: h.slice(32, 64), publicKey: encodePoint(multiplyBase(scalar, table)), baseMultiples: table };
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
  const r = reduceHash(sha512(concatBytes(key.prefix, message)));
  const rEncoded = encodePoint(multiplyBase(r, key.baseMultiples));
  const k = reduceHash(sha512(concatBytes(rEncoded, key.publicKey, message)));
  const s = (r + k * key.scalar) % L;
  return concatBytes(rEncoded, bigIntToBytes32LE(s));
}
