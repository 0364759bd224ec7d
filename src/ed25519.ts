// Strict Ed25519 verification (RFC 8032 §5.1.7, cofactorless, with the FIPS 186-5 checks): S must
// be below the group order L, A and R must be canonical encodings (y < p; x = 0 with the sign bit
// set is refused), and small-order public keys are refused; mixed-order keys are accepted, as
// RFC 8032 says. The curve arithmetic is this project's own (src/crypto/), written for XS: see
// docs/bench.md for why and what it costs, and test/ for the vectors and oracles that pin it.
//
// A verification is one joint multiplication [S]B − [k]A, encoded and compared with R's bytes:
// a canonical R equals the encoding exactly when the points agree, and a non-canonical R never
// equals any encoding, so this is as strict as decoding R and saves a square root.
//
// Keys the lock knows in advance (its trusted issuers) can be prepared once: decoded, checked and
// given a table of odd multiples, which makes each later verification under them cheaper.

import { BASE_WINDOW } from './crypto/base-point.js';
import { BASE_TABLE, BASE_TABLE_HIGH, type AffineCached } from './crypto/base-table.js';
import { affineOddMultiples, cachedOddMultiples, decodePoint, double, encodePoint, isSmallOrder, jointMultiply, negate, type Point } from './crypto/point.js';
import { bigIntToBytes32LE, isBelowL, reduceHash, wnaf } from './crypto/scalar.js';
import { sha512 as portableSha512 } from './crypto/sha512.js';
import { bytesEqual, fromHex } from './bytes.js';
import type { HashFunction } from '../hal/index.js';

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** wNAF width for a one-shot key's table, built per verification: 8 cached points. */
const ONE_SHOT_WINDOW = 5;
/**
 * wNAF width for a prepared key's two tables (−A and −2^128·A), built once: 2 × 16 affine points.
 * With k split into 128-bit halves like S, a verification needs 128 doublings instead of 253.
 */
const PREPARED_WINDOW = 6;
/** Digit array lengths: a 256-bit or 128-bit scalar plus room for a final carry (w ≤ 8). */
const FULL_DIGITS = 256 + 9;
const HALF_DIGITS = 128 + 9;

/**
 * A public key decoded, checked (canonical, not of small order) and tabulated once: odd multiples
 * of −A and of −2^128·A. Immutable, and it keeps its own copy of the key bytes, which are what
 * the challenge hash covers. Make one with prepareEd25519Key.
 */
export class PreparedEd25519Key {
  readonly #publicKey: Uint8Array;
  readonly #low: readonly bigint[];
  readonly #high: readonly bigint[];
  private constructor(publicKey: Uint8Array, low: readonly bigint[], high: readonly bigint[]) {
    this.#publicKey = publicKey;
    this.#low = low;
    this.#high = high;
    Object.freeze(this);
  }

  /** The 32-byte public key (a copy). */
  get publicKey(): Uint8Array {
    return this.#publicKey.slice();
  }

  /** @internal The key bytes themselves, for the challenge hash. */
  static keyBytes(key: PreparedEd25519Key): Uint8Array {
    return key.#publicKey;
  }

  /** @internal */
  static create(publicKey: Uint8Array): PreparedEd25519Key | undefined {
    const negA = decodeKey(publicKey);
    if (negA === undefined) return undefined;
    let negAHigh = negA;
    for (let i = 0; i < 128; i++) negAHigh = double(negAHigh);
    const count = 1 << (PREPARED_WINDOW - 2);
    return new PreparedEd25519Key(publicKey.slice(), Object.freeze(affineOddMultiples(negA, count)), Object.freeze(affineOddMultiples(negAHigh, count)));
  }

  /** @internal The joint multiplication's streams for (S, k) under this key. */
  static streams(key: PreparedEd25519Key, s: Uint8Array, k: Uint8Array): Streams {
    const active = new Uint8Array(HALF_DIGITS);
    return {
      digits: [
        wnaf(s.subarray(0, 16), BASE_WINDOW, HALF_DIGITS, active),
        wnaf(s.subarray(16, 32), BASE_WINDOW, HALF_DIGITS, active),
        wnaf(k.subarray(0, 16), PREPARED_WINDOW, HALF_DIGITS, active),
        wnaf(k.subarray(16, 32), PREPARED_WINDOW, HALF_DIGITS, active),
      ],
      tables: [flatTable(BASE_TABLE), flatTable(BASE_TABLE_HIGH), key.#low, key.#high],
      strides: [3, 3, 3, 3],
      active,
    };
  }
}

/**
 * A frozen base table as the flat array jointMultiply reads (3 values per point), made per
 * verification: 48 references to the BigInts that stay in the frozen table (in flash under a
 * preload), which keeps them in named fields because the SDK 8.2.3 linker cannot preload
 * BigInts held in an array.
 */
function flatTable(table: readonly AffineCached[]): bigint[] {
  const out: bigint[] = new Array(table.length * 3);
  for (let i = 0; i < table.length; i++) {
    const e = table[i];
    out[3 * i] = e.ypx;
    out[3 * i + 1] = e.ymx;
    out[3 * i + 2] = e.xy2d;
  }
  return out;
}

/** Inputs of jointMultiply: [S]B − [k]A as digit streams over tables. */
interface Streams {
  digits: Int8Array[];
  tables: (readonly bigint[])[];
  strides: number[];
  active: Uint8Array;
}

/** −A for a strictly decoded public key that is not of small order. */
function decodeKey(publicKey: Uint8Array): Point | undefined {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return undefined;
  const a = decodePoint(publicKey);
  if (a === undefined || isSmallOrder(a)) return undefined;
  return negate(a);
}

/** A prepared key for a public key the lock will verify many signatures under; undefined if the key is invalid. */
export function prepareEd25519Key(publicKey: Uint8Array): PreparedEd25519Key | undefined {
  try {
    return PreparedEd25519Key.create(publicKey);
  } catch {
    return undefined;
  }
}

/** True only for a valid signature; any malformed input is simply false. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, sha512: HashFunction = portableSha512): boolean {
  try {
    if (!isSignature(signature) || !(message instanceof Uint8Array)) return false;
    const negA = decodeKey(publicKey);
    if (negA === undefined) return false;
    const table = cachedOddMultiples(negA, 1 << (ONE_SHOT_WINDOW - 2));
    // S in halves over the two base tables, k whole over −A's table: 253 doublings.
    const streams = (s: Uint8Array, k: Uint8Array): Streams => {
      const active = new Uint8Array(FULL_DIGITS);
      return {
        digits: [
          wnaf(s.subarray(0, 16), BASE_WINDOW, FULL_DIGITS, active),
          wnaf(s.subarray(16, 32), BASE_WINDOW, FULL_DIGITS, active),
          wnaf(k, ONE_SHOT_WINDOW, FULL_DIGITS, active),
        ],
        tables: [flatTable(BASE_TABLE), flatTable(BASE_TABLE_HIGH), table],
        strides: [3, 3, 4],
        active,
      };
    };
    return check(signature, message, publicKey, streams, sha512);
  } catch {
    return false;
  }
}

/** verifyEd25519 under a prepared key: the same answers, cheaper. */
export function verifyEd25519Prepared(signature: Uint8Array, message: Uint8Array, key: PreparedEd25519Key, sha512: HashFunction = portableSha512): boolean {
  try {
    if (!(key instanceof PreparedEd25519Key) || !isSignature(signature) || !(message instanceof Uint8Array)) return false;
    return check(signature, message, PreparedEd25519Key.keyBytes(key), (s, k) => PreparedEd25519Key.streams(key, s, k), sha512);
  } catch {
    return false;
  }
}

function isSignature(signature: Uint8Array): boolean {
  return signature instanceof Uint8Array && signature.length === ED25519_SIGNATURE_LENGTH;
}

/** RFC 8032 §5.1.7 steps 2 and 3; `streams` lays out [S]B − [k]A for the key at hand. */
function check(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  streams: (s: Uint8Array, k: Uint8Array) => Streams,
  sha512: HashFunction,
): boolean {
  const s = signature.subarray(32, 64);
  if (!isBelowL(s)) return false;
  const input = new Uint8Array(64 + message.length);
  input.set(signature.subarray(0, 32));
  input.set(publicKey, 32);
  input.set(message, 64);
  const hash = sha512(input);
  if (!(hash instanceof Uint8Array) || hash.length !== 64) return false;
  const k = bigIntToBytes32LE(reduceHash(hash));
  const { digits, tables, strides, active } = streams(s, k);
  const q = jointMultiply(digits, tables, strides, active);
  return bytesEqual(encodePoint(q), signature.subarray(0, 32));
}

// RFC 8032 §7.1 TEST 2: a known answer for the power-on self-test.
const KAT_PUBLIC_KEY = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const KAT_MESSAGE = '72';
const KAT_SIGNATURE = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

const hexBytes = (hex: string): Uint8Array => fromHex(hex) as Uint8Array;

/**
 * Power-on self-test of the verifier and of the SHA-512 it is given (the device's native one):
 * a known signature must verify, one-shot and under a prepared key, and the same signature with
 * one bit flipped must not.
 */
export function ed25519SelfTest(sha512: HashFunction = portableSha512): boolean {
  const publicKey = hexBytes(KAT_PUBLIC_KEY);
  const message = hexBytes(KAT_MESSAGE);
  const signature = hexBytes(KAT_SIGNATURE);
  const prepared = prepareEd25519Key(publicKey);
  if (prepared === undefined) return false;
  if (!verifyEd25519(signature, message, publicKey, sha512)) return false;
  if (!verifyEd25519Prepared(signature, message, prepared, sha512)) return false;
  signature[0] ^= 1;
  return !verifyEd25519(signature, message, publicKey, sha512) && !verifyEd25519Prepared(signature, message, prepared, sha512);
}
