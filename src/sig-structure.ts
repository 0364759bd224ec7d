// The bytes an issuer signs: Sig_structure = ["Signature1", body_protected, external_aad, payload]
// (RFC 9052 §4.4). Tickets carry no external AAD; the other signed statements each carry their own.

import { encodeCbor } from './cbor/encode.js';

export const SIGNATURE1_CONTEXT = 'Signature1';

/**
 * `externalAad` separates what a signature means: tickets use none; admin commands, time
 * statements, receipts and the device's answers each use their own (src/admin/contexts.ts), so
 * a signature made for one can never verify as another.
 */
export function sign1Input(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeCbor([SIGNATURE1_CONTEXT, protectedBytes, externalAad, payload]);
}
