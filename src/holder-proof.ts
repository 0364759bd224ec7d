// The holder proof: what the courier's phone signs with the ticket's cnf key, and the lock checks,
// to show it holds the key the ticket names. It sits beside sig-structure.ts (what an issuer signs)
// because it is part of deciding on a ticket, not of the BLE transport that carries it: the lock
// uses it without depending on src/ble.

import { sha256 } from './crypto/sha256.js';
import { encodeCbor } from './cbor/encode.js';
import type { HashFunction } from '../hal/index.js';

/** The context string that keeps a holder proof from meaning anything else. */
export const HOLDER_PROOF_CONTEXT = 'Latchkey holder proof v1';

/** SHA-256 of the exact ticket bytes as presented (`hash`: the lock's HAL SHA-256; portable by default). */
export function ticketHash(ticket: Uint8Array, hash: HashFunction = sha256): Uint8Array {
  return hash(ticket);
}

/**
 * The bytes the phone signs with the ticket's cnf key and the lock verifies:
 * CBOR ["Latchkey holder proof v1", challenge, lockId, SHA-256(ticket)]. The context string keeps
 * the signature from meaning anything else; the challenge makes it single-use; the lock ID and
 * ticket hash pin it to this lock and this exact ticket.
 */
export function holderProofMessage(challenge: Uint8Array, lockId: string, ticketHash: Uint8Array): Uint8Array {
  return encodeCbor([HOLDER_PROOF_CONTEXT, challenge, lockId, ticketHash]);
}
