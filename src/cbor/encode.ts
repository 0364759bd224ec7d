// Plain RFC 8949 encoding with cbor-x: byte strings as major type 2 (not tag 64 typed arrays),
// Maps as plain maps (not tag 259), no records. Results are copied out of cbor-x's shared buffer.

import { Encoder, Tag } from 'cbor-x/index-no-eval';

// useTag259ForMaps is honoured by cbor-x (encode.js) but missing from its Options typing.
const options = { useRecords: false, tagUint8Array: false, useTag259ForMaps: false };
const encoder = new Encoder(options as ConstructorParameters<typeof Encoder>[0]);

/** cbor-x writes integers outside [−2^32, 2^32 − 1] as floats; as BigInt it writes 64-bit integers. */
const MIN_INT32_CBOR = -0x100000000;
const MAX_UINT32 = 0xffffffff;

function needsBigInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && (value > MAX_UINT32 || value < MIN_INT32_CBOR);
}

/** Copies the structure only where an integer needs re-typing; most values pass through as is. */
function exactIntegers(value: unknown): unknown {
  if (needsBigInt(value)) return BigInt(value as number);
  if (Array.isArray(value)) return value.map(exactIntegers);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(exactIntegers(k), exactIntegers(v));
    return out;
  }
  if (value instanceof Tag) return new Tag(exactIntegers(value.value), value.tag);
  return value;
}

export function encodeCbor(value: unknown): Uint8Array {
  return Uint8Array.from(encoder.encode(exactIntegers(value)));
}
