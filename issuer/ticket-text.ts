// Tickets as people carry them: the binary bytes, or text — hex (a 0x prefix and whitespace
// anywhere ignored) or base64 / base64url (padding optional). One home for these forms, so the
// `latchkey` command (cli/input.ts) and the courier page (web/courier/) take exactly the same ones
// and name the same mistakes (a JWK, other JSON, text in no ticket form). Portable, no Node.

import { fromHex } from '../src/bytes.js';
import { failure, type Result } from '../src/result.js';
import { base64Decode } from './jwk.js';

const HINT = '(a ticket is the hex or binary output of latchkey issue)';

/** True if every byte is printable ASCII or whitespace: the input is text, not a binary ticket. */
export const isAsciiText = (bytes: Uint8Array): boolean => bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);

/** A ticket from one of its text forms; the error is one line, without a label. */
export function ticketFromText(text: string): Result<Uint8Array> {
  const trimmed = text.trim();
  if (trimmed.length === 0) return failure('empty (only whitespace)');
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined;
    }
    if (json !== null && typeof json === 'object' && 'kty' in json) return failure(`this is a JWK key, not a ticket ${HINT}`);
    return failure(`JSON, not a ticket ${HINT}`);
  }
  const compact = trimmed.replace(/\s+/g, '');
  const hex = compact.replace(/^0x/i, '');
  if (/^[0-9a-fA-F]+$/.test(hex)) {
    const bytes = fromHex(hex);
    if (bytes === undefined) return failure(`hex text with an odd number of digits (${hex.length})`);
    return { ok: true, value: bytes };
  }
  const base64 = base64Decode(compact);
  if (base64 !== undefined && base64.length > 0) return { ok: true, value: base64 };
  return failure(`text that is neither hex nor base64 ${HINT}`);
}

/** A ticket from a file's bytes: binary as is, or (after a UTF-8 BOM) one of the text forms. */
export function ticketFromFile(raw: Uint8Array): Result<Uint8Array> {
  if (raw.length === 0) return failure('empty');
  const bytes = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw; // UTF-8 BOM from an editor
  if (!isAsciiText(bytes)) return { ok: true, value: Uint8Array.from(bytes) };
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return ticketFromText(text);
}
