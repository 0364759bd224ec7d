// The signed statements of owner administration (docs/admin.md): admin commands and time
// statements the owner's side signs, and receipts, log heads and the provisioning answer the lock
// signs with its device key. All are COSE_Sign1 (RFC 9052) with Ed25519, like tickets, but each
// kind signs with its own external AAD, so no signature can be taken for another kind (or for a
// ticket, which uses none). Payloads are CBOR maps with the integer labels below.

import type { HashFunction } from '../../hal/index.js';
import { utf8 } from '../bytes.js';
import { Tag, decodeStrict } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { ed25519SignExpanded, expandEd25519Seed, type ExpandedKey } from '../crypto/ed25519-sign.js';
import { verifyEd25519 } from '../ed25519.js';
import { sign1Input } from '../sig-structure.js';
import { ALG_EDDSA, COSE_SIGN1_TAG, HEADER_ALG, HEADER_KID, parseEnvelope } from '../ticket.js';

/** External AAD per kind of statement. */
export const CONTEXTS = {
  admin: 'Latchkey admin command v1',
  time: 'Latchkey time statement v1',
  receipt: 'Latchkey entry receipt v1',
  device: 'Latchkey device key v1',
} as const;
export type SignedKind = keyof typeof CONTEXTS;

/** Payload labels. */
export const LABELS = {
  lockId: 1,
  seq: 2,
  command: 3,
  args: 4,
  challenge: 5,
  time: 6,
  cti: 7,
  sub: 8,
  issuerKid: 9,
  result: 10,
  logSeq: 11,
  deviceKey: 12,
  ownerKey: 13,
} as const;

/** Upper bound on a signed statement (the BLE message carrying it must fit 1280 bytes). */
export const MAX_SIGNED_BYTES = 1024;

export function aad(kind: SignedKind): Uint8Array {
  return utf8(CONTEXTS[kind]);
}

/** Signs `payload` as a COSE_Sign1 of `kind` (the lock's device key; tools pass a seed). */
export function signStatement(kind: SignedKind, kid: Uint8Array, key: ExpandedKey | Uint8Array, payload: Uint8Array, sha512: HashFunction): Uint8Array {
  const expanded = key instanceof Uint8Array ? expandEd25519Seed(key, sha512) : key;
  const protectedBytes = encodeCbor(
    new Map<number, unknown>([
      [HEADER_ALG, ALG_EDDSA],
      [HEADER_KID, kid],
    ]),
  );
  const signature = ed25519SignExpanded(expanded, sign1Input(protectedBytes, payload, aad(kind)), sha512);
  return encodeCbor(new Tag([protectedBytes, new Map(), payload, signature], COSE_SIGN1_TAG));
}

export interface OpenedStatement {
  kid: Uint8Array;
  /** The payload map; trust it only once `verify` returned true. */
  payload: Map<unknown, unknown>;
  /** Checks the signature under a candidate key. */
  verify(publicKey: Uint8Array): boolean;
}

/** Parses a statement's envelope and payload (structure only); a string says what is wrong. */
export function openStatement(kind: SignedKind, bytes: Uint8Array): OpenedStatement | string {
  if (!(bytes instanceof Uint8Array)) return 'not bytes';
  if (bytes.length > MAX_SIGNED_BYTES) return `larger than ${MAX_SIGNED_BYTES} bytes`;
  const envelope = parseEnvelope(bytes);
  if (!envelope.ok) return envelope.detail;
  const { kid, protectedBytes, payload, signature } = envelope.value;
  const decoded = decodeStrict(payload);
  if (!decoded.ok) return 'payload: ' + decoded.error;
  if (!(decoded.value instanceof Map)) return 'payload is not a map';
  const input = sign1Input(protectedBytes, payload, aad(kind));
  return { kid, payload: decoded.value, verify: (publicKey) => verifyEd25519(signature, input, publicKey) };
}
