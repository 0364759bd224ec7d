// Byte helpers the core needs on every engine. XS on the device has no Buffer and, unless the
// manifest adds it, no TextEncoder, so nothing here leans on either.

/** The largest 32-bit unsigned integer: the range of every time and counter the lock stores. */
export const MAX_UINT32 = 0xffffffff;

export const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const HEX_DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i] >> 4] + HEX_DIGITS[bytes[i] & 15];
  return out;
}

/** Parses lower- or upper-case hex; returns undefined for odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Length of a valid UTF-8 sequence starting at `i`, or 0 if it is not valid (RFC 3629). */
function utf8SequenceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  let need: number;
  let min: number; // bounds on the second byte exclude overlongs, surrogates and > U+10FFFF
  let max = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    min = 0x80;
  } else if (b0 === 0xe0) {
    need = 2;
    min = 0xa0;
  } else if (b0 === 0xed) {
    need = 2;
    min = 0x80;
    max = 0x9f;
  } else if (b0 >= 0xe1 && b0 <= 0xef) {
    need = 2;
    min = 0x80;
  } else if (b0 === 0xf0) {
    need = 3;
    min = 0x90;
  } else if (b0 >= 0xf1 && b0 <= 0xf3) {
    need = 3;
    min = 0x80;
  } else if (b0 === 0xf4) {
    need = 3;
    min = 0x80;
    max = 0x8f;
  } else return 0;
  if (i + need >= end) return 0; // truncated sequence
  const b1 = bytes[i + 1];
  if (b1 < min || b1 > max) return 0;
  for (let k = 2; k <= need; k++) {
    const b = bytes[i + k];
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return need + 1;
}

export function isValidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start;
  while (i < end) {
    const n = utf8SequenceLength(bytes, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0) as number;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
