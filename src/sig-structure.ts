// The bytes an issuer signs: Sig_structure = ["Signature1", body_protected, external_aad, payload]
// (RFC 9052 §4.4). Latchkey uses no external AAD.

import { encodeCbor } from './cbor/encode.js';

const EMPTY = new Uint8Array(0);
export const SIGNATURE1_CONTEXT = 'Signature1';

export function sign1Input(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor([SIGNATURE1_CONTEXT, protectedBytes, EMPTY, payload]);
}
