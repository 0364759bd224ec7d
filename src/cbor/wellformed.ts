// A single pass over CBOR bytes that enforces the rules cbor-x does not: definite lengths only,
// no duplicate map keys, map keys that are integers or text, valid UTF-8, integers that fit a JS
// number exactly, no floating-point values, no tags except an optional one around the top item, a
// bounded nesting depth and no trailing bytes. cbor-x then decodes only input that passed, so it never has to be lenient
// or strict on our behalf (RFC 8949 §5.1 well-formedness, §5.4 validity, §5.6 map keys).

import { isValidUtf8 } from '../bytes.js';

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;

const AI_ONE_BYTE = 24;
const AI_EIGHT_BYTES = 27;
const AI_INDEFINITE = 31;
const SIMPLE_FALSE = 20;
const SIMPLE_NULL = 22;
const FLOAT16 = 25;
const FLOAT64 = 27;

/** Default nesting bound: a ticket needs 5 levels (tag, array, claims, cnf, COSE_Key). */
export const DEFAULT_MAX_DEPTH = 8;

export interface WellFormedOptions {
  /** The only tag number allowed, and only around the top-level item (COSE_Sign1 is tag 18). */
  topLevelTag?: number;
  maxDepth?: number;
}

class Scanner {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
  ) {}

  /** Reads an item head; returns [major, argument] or throws a ScanError. */
  head(): [number, number] {
    const { bytes } = this;
    if (this.pos >= bytes.length) throw new ScanError('truncated');
    const initial = bytes[this.pos++];
    const major = initial >> 5;
    const ai = initial & 31;
    if (ai < AI_ONE_BYTE) return [major, ai];
    if (ai === AI_INDEFINITE) throw new ScanError('indefinite length');
    if (ai > AI_EIGHT_BYTES) throw new ScanError('reserved additional information');
    if (major === MAJOR_SIMPLE) return [major, ai]; // float or 1-byte simple: caller reads payload
    const size = 1 << (ai - AI_ONE_BYTE);
    if (this.pos + size > bytes.length) throw new ScanError('truncated');
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + bytes[this.pos++];
    if (value > Number.MAX_SAFE_INTEGER) throw new ScanError('integer or length beyond 2^53-1');
    return [major, value];
  }

  skip(length: number): number {
    const start = this.pos;
    if (length > this.bytes.length - start) throw new ScanError('truncated');
    this.pos += length;
    return start;
  }

  /** Scans one item; returns a string that identifies it when used as a map key, else ''. */
  item(depth: number): string {
    if (depth > this.maxDepth) throw new ScanError('nesting too deep');
    const [major, arg] = this.head();
    switch (major) {
      case MAJOR_UNSIGNED:
        return 'u' + arg;
      case MAJOR_NEGATIVE:
        return 'n' + arg;
      case MAJOR_BYTES:
        this.skip(arg);
        return '';
      case MAJOR_TEXT: {
        const start = this.skip(arg);
        if (!isValidUtf8(this.bytes, start, start + arg)) throw new ScanError('invalid UTF-8');
        // Valid UTF-8 is a unique encoding, so equal keys have equal bytes.
        return 't' + String.fromCharCode.apply(null, Array.from(this.bytes.subarray(start, start + arg)));
      }
      case MAJOR_ARRAY:
        for (let i = 0; i < arg; i++) this.item(depth + 1);
        return '';
      case MAJOR_MAP: {
        const seen = new Set<string>();
        for (let i = 0; i < arg; i++) {
          const key = this.item(depth + 1);
          if (key === '') throw new ScanError('map key is not an integer or text');
          if (seen.has(key)) throw new ScanError('duplicate map key');
          seen.add(key);
          this.item(depth + 1);
        }
        return '';
      }
      case MAJOR_TAG:
        throw new ScanError('unexpected tag');
      default: // MAJOR_SIMPLE
        // Floats have no place in a ticket, and cbor-x decodes 5e9 encoded as float64 to the same
        // JS number as the integer 5000000000: refusing them keeps "integer" claims exact.
        if (arg >= FLOAT16 && arg <= FLOAT64) throw new ScanError('floating-point value');
        if (arg >= SIMPLE_FALSE && arg <= SIMPLE_NULL) return '';
        throw new ScanError('unsupported simple value');
    }
  }
}

class ScanError extends Error {}

/**
 * Checks that `bytes` hold exactly one well-formed item under the rules above.
 * Returns undefined when they do, or a short human-readable reason.
 */
export function checkWellFormed(bytes: Uint8Array, options: WellFormedOptions = {}): string | undefined {
  const scanner = new Scanner(bytes, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    let depth = 0;
    if (options.topLevelTag !== undefined) {
      const [major, tag] = scanner.head();
      if (major !== MAJOR_TAG || tag !== options.topLevelTag) return `expected tag ${options.topLevelTag}`;
      depth = 1;
    }
    scanner.item(depth);
    if (scanner.pos !== bytes.length) return 'trailing bytes';
    return undefined;
  } catch (error) {
    if (error instanceof ScanError) return error.message;
    throw error;
  }
}
