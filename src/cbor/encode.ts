// Plain RFC 8949 encoding with cbor-x: byte strings as major type 2 (not tag 64 typed arrays),
// Maps as plain maps (not tag 259), no records. Results are copied out of cbor-x's shared buffer.

import { Encoder, Tag } from 'cbor-x/index-no-eval';
import { MAX_UINT32 } from '../bytes.js';

// useTag259ForMaps is honoured by cbor-x (encode.js) but missing from its Options typing.
const options = { useRecords: false, tagUint8Array: false, useTag259ForMaps: false };
const encoder = new Encoder(options as ConstructorParameters<typeof Encoder>[0]);

/** cbor-x writes integers outside [−2^32, 2^32 − 1] as floats; as BigInt it writes 64-bit integers. */
const MIN_INT32_CBOR = -0x100000000;

function needsBigInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && (value > MAX_UINT32 || value < MIN_INT32_CBOR);
}

/**
 * Returns `value` itself unless an integer inside needs re-typing; only then are the containers
 * on the way to it copied. Sig_structures and holder-proof messages pass through without copies.
 */
function exactIntegers(value: unknown): unknown {
  if (needsBigInt(value)) return BigInt(value as number);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = exactIntegers(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of value) {
      const k2 = exactIntegers(k);
      const v2 = exactIntegers(v);
      changed ||= k2 !== k || v2 !== v;
      entries.push([k2, v2]);
    }
    return changed ? new Map(entries) : value;
  }
  if (value instanceof Tag) {
    const inner = exactIntegers(value.value);
    return inner === value.value ? value : new Tag(inner, value.tag);
  }
  return value;
}

export function encodeCbor(value: unknown): Uint8Array {
  return Uint8Array.from(encoder.encode(exactIntegers(value)));
}
