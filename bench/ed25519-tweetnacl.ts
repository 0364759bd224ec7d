// Bench-only stand-in for src/ed25519.ts: the same verifyEd25519 signature, backed by tweetnacl.
// bench/run.js swaps it in for './ed25519.js' at bundle time so the rest of the verifier pipeline
// is byte-for-byte the shipped one and only the signature check differs.
// Not a drop-in for production: tweetnacl skips some of the strict checks (S < L, small-order
// public keys) that src/ed25519.ts enforces; it is here to be timed, not trusted.

import nacl from 'tweetnacl';

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** True only for a valid signature; any malformed input is simply false. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  try {
    return nacl.sign.detached.verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

/** tweetnacl has no prepared keys: "preparing" keeps the bytes. */
export class PreparedEd25519Key {
  constructor(readonly publicKey: Uint8Array) {}
}

export function prepareEd25519Key(publicKey: Uint8Array): PreparedEd25519Key | undefined {
  return publicKey.length === ED25519_PUBLIC_KEY_LENGTH ? new PreparedEd25519Key(publicKey.slice()) : undefined;
}

export function verifyEd25519Prepared(signature: Uint8Array, message: Uint8Array, key: PreparedEd25519Key): boolean {
  return verifyEd25519(signature, message, key.publicKey);
}
