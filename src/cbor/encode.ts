// Plain RFC 8949 encoding with cbor-x: byte strings as major type 2 (not tag 64 typed arrays),
// Maps as plain maps (not tag 259), no records. Results are copied out of cbor-x's shared buffer.

import { Encoder } from 'cbor-x/index-no-eval';

// useTag259ForMaps is honoured by cbor-x (encode.js) but missing from its Options typing.
const options = { useRecords: false, tagUint8Array: false, useTag259ForMaps: false };
const encoder = new Encoder(options as ConstructorParameters<typeof Encoder>[0]);

export function encodeCbor(value: unknown): Uint8Array {
  return Uint8Array.from(encoder.encode(value));
}
