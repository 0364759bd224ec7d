// The courier's holder key: the Ed25519 key a ticket names in its cnf claim, kept on the phone,
// whose signature over the lock's challenge is the holder proof. Signing uses tweetnacl, the
// host-side signing library the issuer uses too (issuer/ticket.ts); it is imported here directly,
// not through issuer/, because a courier app has no business bundling the issuer's backend code.
// Portable: runs in a browser and in XS.

import nacl from 'tweetnacl';
import type { HolderProver } from './session.js';

export const HOLDER_SEED_BYTES = 32;

export interface HolderKey {
  /** The 32-byte Ed25519 public key: what an issuer puts in the ticket's cnf claim. */
  readonly publicKey: Uint8Array;
  /** Signs each proof request's message with this key. */
  readonly prove: HolderProver;
}

/** The holder key for a 32-byte Ed25519 seed (RFC 8032 private key; JWK "d"). */
export function holderKeyFromSeed(seed: Uint8Array): HolderKey {
  if (!(seed instanceof Uint8Array) || seed.length !== HOLDER_SEED_BYTES) throw new RangeError(`a holder key seed is ${HOLDER_SEED_BYTES} bytes`);
  const pair = nacl.sign.keyPair.fromSeed(seed);
  const secretKey = pair.secretKey;
  return Object.freeze({
    publicKey: pair.publicKey.slice(),
    prove: (request: { message: Uint8Array }) => nacl.sign.detached(request.message, secretKey),
  });
}
