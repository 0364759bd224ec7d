// Strict decoding: the well-formedness scan first, then cbor-x (its no-eval build: the device has
// no compiler, so no code generation) with maps kept as Map, records off and integers as numbers.

import { Decoder, Tag } from 'cbor-x/index-no-eval';
import { errorMessage, type Result } from '../result.js';
import { checkWellFormed, type WellFormedOptions } from './wellformed.js';

// int64AsNumber: an 8-byte integer decodes to a number, not a BigInt; exact, because the
// well-formedness scan already refused anything beyond ±(2^53 − 1).
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]);

export { Tag };

export function decodeStrict(bytes: Uint8Array, options: WellFormedOptions = {}): Result<unknown> {
  const error = checkWellFormed(bytes, options);
  if (error !== undefined) return { ok: false, error };
  try {
    return { ok: true, value: decoder.decode(bytes) };
  } catch (e) {
    return { ok: false, error: 'cbor-x: ' + errorMessage(e) };
  }
}
