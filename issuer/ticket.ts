// Issuing tickets: what an issuer's backend does, used by the CLI, the simulator and tests. Signing uses
// tweetnacl (host-side signing library); the lock never signs tickets. No Node imports, so tests
// can issue tickets inside XS too.

import { Tag } from 'cbor-x/index-no-eval';
import { encodeCbor } from '../src/cbor/encode.js';
import nacl from 'tweetnacl';
import { sign1Input } from '../src/sig-structure.js';
import {
  ALG_EDDSA,
  CLAIM_AUD,
  CLAIM_CNF,
  CLAIM_CTI,
  CLAIM_EXP,
  CLAIM_IAT,
  CLAIM_ISS,
  CLAIM_NBF,
  CLAIM_SUB,
  CNF_COSE_KEY,
  COSE_SIGN1_TAG,
  CRV_ED25519,
  HEADER_ALG,
  HEADER_KID,
  KEY_CRV,
  KEY_KTY,
  KEY_X,
  KTY_OKP,
} from '../src/ticket.js';

export { encodeCbor };
const encode = encodeCbor;

export interface SigningKey {
  kid: Uint8Array;
  /** 32-byte Ed25519 seed (RFC 8032 private key). */
  seed: Uint8Array;
}

export interface TicketFields {
  iss?: string;
  courier: string;
  lockId: string;
  notBefore: number;
  expires: number;
  issuedAt: number;
  /** Ticket ID, 8..32 bytes. */
  cti: Uint8Array;
  holderPublicKey: Uint8Array;
}

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return nacl.sign.keyPair.fromSeed(seed).publicKey;
}

export function signEd25519(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, nacl.sign.keyPair.fromSeed(seed).secretKey);
}

/** The CWT claims map exactly as docs/ticket.md lays it out. */
export function encodeClaims(fields: TicketFields): Uint8Array {
  const claims = new Map<number, unknown>();
  if (fields.iss !== undefined) claims.set(CLAIM_ISS, fields.iss);
  claims.set(CLAIM_SUB, fields.courier);
  claims.set(CLAIM_AUD, fields.lockId);
  claims.set(CLAIM_EXP, fields.expires);
  claims.set(CLAIM_NBF, fields.notBefore);
  claims.set(CLAIM_IAT, fields.issuedAt);
  claims.set(CLAIM_CTI, fields.cti);
  const coseKey = new Map<number, unknown>([
    [KEY_KTY, KTY_OKP],
    [KEY_CRV, CRV_ED25519],
    [KEY_X, fields.holderPublicKey],
  ]);
  claims.set(CLAIM_CNF, new Map([[CNF_COSE_KEY, coseKey]]));
  return encode(claims);
}

/** Wraps any payload bytes in a signed COSE_Sign1; headers can be overridden for tests. */
export function signSign1(
  key: SigningKey,
  payload: Uint8Array,
  protectedHeader: Map<number, unknown> = new Map<number, unknown>([
    [HEADER_ALG, ALG_EDDSA],
    [HEADER_KID, key.kid],
  ]),
  unprotectedHeader: Map<number, unknown> = new Map(),
): Uint8Array {
  const protectedBytes = encode(protectedHeader);
  const signature = signEd25519(key.seed, sign1Input(protectedBytes, payload));
  return encode(new Tag([protectedBytes, unprotectedHeader, payload, signature], COSE_SIGN1_TAG));
}

export function issueTicket(key: SigningKey, fields: TicketFields): Uint8Array {
  return signSign1(key, encodeClaims(fields));
}
