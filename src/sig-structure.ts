// The bytes an issuer signs: Sig_structure = ["Signature1", body_protected, external_aad, payload]
// (RFC 9052 §4.4). Latchkey uses no external AAD.

import { encodeCbor } from './cbor/encode.js';

const EMPTY = new Uint8Array(0);
export const SIGNATURE1_CONTEXT = 'Signature1';

/**
 * `externalAad` separates what a signature means: tickets use none; admin commands, time
 * statements, receipts and the device's answers each use their own (src/admin/contexts.ts), so
 * a signature made for one can never verify as another.
 */
export function sign1Input(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  return encodeCbor([SIGNATURE1_CONTEXT, protectedBytes, externalAad, payload]);
}
