// Strict Ed25519 verification (RFC 8032 §5.1.7 with FIPS 186-5 checks): S must be below the group
// order L, A and R must be canonical encodings (y < p), and small-order public keys are refused.
// @noble/ed25519 does this with `zip215: false`; its default (ZIP-215) is deliberately lenient.
// BigInt is native in XS, which makes noble ~30x cheaper there than tweetnacl (see npm run bench).

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex } from './bytes.js';

// noble needs a synchronous SHA-512; XS has no WebCrypto.
ed.hashes.sha512 = sha512;

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

const STRICT = { zip215: false } as const;

/** True only for a valid signature; any malformed input is simply false. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  try {
    return ed.verify(signature, message, publicKey, STRICT);
  } catch {
    return false;
  }
}

// RFC 8032 §7.1 TEST 2: a known answer for the power-on self-test.
const KAT_PUBLIC_KEY = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const KAT_MESSAGE = '72';
const KAT_SIGNATURE =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

const hexBytes = (hex: string): Uint8Array => fromHex(hex) as Uint8Array;

/**
 * Power-on self-test: a known signature must verify and the same signature with one bit flipped
 * must not. Run at boot, it also builds noble's precomputed tables (about 10 M XS compute units),
 * which would otherwise land on the first unlock after every boot.
 */
export function ed25519SelfTest(): boolean {
  const publicKey = hexBytes(KAT_PUBLIC_KEY);
  const message = hexBytes(KAT_MESSAGE);
  const signature = hexBytes(KAT_SIGNATURE);
  if (!verifyEd25519(signature, message, publicKey)) return false;
  signature[0] ^= 1;
  return !verifyEd25519(signature, message, publicKey);
}
