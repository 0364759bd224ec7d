// Bench-only stand-in for src/ed25519.ts: the verifier the lock shipped before its own (issue 6),
// @noble/ed25519 with `zip215: false` and @noble/hashes' SHA-512, behind the same API. bench/run.js
// swaps it in for './ed25519.js' at bundle time so only the signature check differs from the
// shipped pipeline. noble has no prepared keys: "preparing" keeps the bytes, and a prepared
// verification is a one-shot one. Note noble checks the cofactored equation (docs/bench.md).

import * as ed from '@noble/ed25519';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { fromHex } from '../src/bytes.js';

ed.hashes.sha512 = nobleSha512;

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

const STRICT = { zip215: false } as const;

export class PreparedEd25519Key {
  constructor(readonly publicKey: Uint8Array) {}
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  try {
    return ed.verify(signature, message, publicKey, STRICT);
  } catch {
    return false;
  }
}

export function prepareEd25519Key(publicKey: Uint8Array): PreparedEd25519Key | undefined {
  return publicKey.length === ED25519_PUBLIC_KEY_LENGTH ? new PreparedEd25519Key(publicKey.slice()) : undefined;
}

export function verifyEd25519Prepared(signature: Uint8Array, message: Uint8Array, key: PreparedEd25519Key): boolean {
  return verifyEd25519(signature, message, key.publicKey);
}

/** The old boot self-test: RFC 8032 TEST 2 and its bit-flipped twin; builds noble's tables. */
export function ed25519SelfTest(): boolean {
  const publicKey = fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c') as Uint8Array;
  const message = fromHex('72') as Uint8Array;
  const signature = fromHex(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ) as Uint8Array;
  if (!verifyEd25519(signature, message, publicKey)) return false;
  signature[0] ^= 1;
  return !verifyEd25519(signature, message, publicKey);
}
