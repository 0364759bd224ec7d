// Revocation: the owner takes back one ticket (its cti), one courier of one issuer (sub), or an
// issuer key for good. (Every ticket of an issuer issued before a time is a field of the issuer
// itself, src/lock/issuers.ts: one per issuer, so it needs no room here.) Entries are fixed-size
// hashes so a long courier ID costs no more than a short one; the store is bounded, and an entry
// is dropped only once nothing it covers can still be valid: `until` is the latest time a covered
// ticket may still open (plus skew). A full store refuses the new revocation: it never forgets one.

import type { HashFunction } from '../../hal/index.js';
import { bytesEqual, concatBytes, utf8 } from '../bytes.js';

export const REVOCATION_KINDS = { cti: 1, sub: 2, key: 3 } as const;
export type RevocationKind = keyof typeof REVOCATION_KINDS;
export const REVOCATION_ID_BYTES = 16;
/** Revocations remembered at once (each ~25 bytes in the owner record). */
export const MAX_REVOCATIONS = 64;
/** `until` of a key revocation: kept while the store lives. */
export const FOREVER = 0xffffffff;

export interface Revocation {
  kind: RevocationKind;
  id: Uint8Array;
  /** Unix seconds after which (plus skew) nothing this entry covers can be valid. */
  until: number;
}

/** The stored id: SHA-256(kind | len(kid) | kid | value), first 16 bytes. */
export function revocationId(sha256: HashFunction, kind: RevocationKind, kid: Uint8Array, value: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(REVOCATION_KINDS[kind], kid.length & 255), kid, value)).slice(0, REVOCATION_ID_BYTES);
}

/** The id under which an issuer key is revoked (independent of its kid). */
export function keyRevocationId(sha256: HashFunction, publicKey: Uint8Array): Uint8Array {
  return revocationId(sha256, 'key', new Uint8Array(0), publicKey);
}

function has(entries: readonly Revocation[], kind: RevocationKind, id: Uint8Array): boolean {
  return entries.some((e) => e.kind === kind && bytesEqual(e.id, id));
}

/** Which revocation covers a ticket (issuer kid and key, cti, courier), if any. */
export function revokedBy(
  entries: readonly Revocation[],
  sha256: HashFunction,
  ticket: { kid: Uint8Array; publicKey: Uint8Array; cti: Uint8Array; sub: string },
  now: number,
  skew: number,
): RevocationKind | undefined {
  const live = entries.filter((e) => e.until === FOREVER || now <= e.until + skew);
  if (live.length === 0) return undefined;
  if (has(live, 'key', keyRevocationId(sha256, ticket.publicKey))) return 'key';
  if (has(live, 'cti', revocationId(sha256, 'cti', ticket.kid, ticket.cti))) return 'cti';
  if (has(live, 'sub', revocationId(sha256, 'sub', ticket.kid, utf8(ticket.sub)))) return 'sub';
  return undefined;
}

/** Whether an issuer key was revoked (so it cannot be added again). */
export function keyRevoked(entries: readonly Revocation[], sha256: HashFunction, publicKey: Uint8Array): boolean {
  return has(entries, 'key', keyRevocationId(sha256, publicKey));
}

/**
 * The store with `entry` added, entries that can no longer cover anything dropped; or 'full'.
 * Revoking what is already revoked keeps the later `until`.
 */
export function addRevocation(entries: readonly Revocation[], entry: Revocation, now: number, skew: number): Revocation[] | 'full' {
  const kept = entries.filter((e) => e.until === FOREVER || now <= e.until + skew);
  const same = kept.findIndex((e) => e.kind === entry.kind && bytesEqual(e.id, entry.id));
  if (same >= 0) {
    kept[same] = { ...kept[same], until: Math.max(kept[same].until, entry.until) };
    return kept;
  }
  if (kept.length >= MAX_REVOCATIONS) return 'full';
  return [...kept, entry];
}
