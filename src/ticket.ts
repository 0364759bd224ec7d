// Ticket structure: a tagged COSE_Sign1 (RFC 9052 §4.2) whose payload is a CWT claims set
// (RFC 8392) with a proof-of-possession key (RFC 8747). Parsing here is pure structure: it never
// decides whether to trust anything. docs/ticket.md is the normative description.

import { isBytes, MAX_UINT32 } from './bytes.js';
import { decodeStrict, Tag } from './cbor/decode.js';
import { failure, type Result } from './result.js';
import type { TicketReason } from './reasons.js';

export const COSE_SIGN1_TAG = 18;
/** Upper bound on a whole ticket. A typical ticket is 208-220 bytes; 1 KiB leaves room for long IDs. */
export const MAX_TICKET_BYTES = 1024;

export const HEADER_ALG = 1;
export const HEADER_CRIT = 2;
export const HEADER_CONTENT_TYPE = 3;
export const HEADER_KID = 4;
export const HEADER_TYP = 16;
/** EdDSA (RFC 9053) and the fully specified Ed25519 (RFC 9864). */
export const ALG_EDDSA = -8;
export const ALG_ED25519 = -19;
/** Header parameters this lock processes or can safely ignore, and so may appear in `crit`. */
const UNDERSTOOD_HEADERS: readonly number[] = [HEADER_ALG, HEADER_CONTENT_TYPE, HEADER_KID, HEADER_TYP];

export const CLAIM_ISS = 1;
export const CLAIM_SUB = 2;
export const CLAIM_AUD = 3;
export const CLAIM_EXP = 4;
export const CLAIM_NBF = 5;
export const CLAIM_IAT = 6;
export const CLAIM_CTI = 7;
export const CLAIM_CNF = 8;
/** RFC 9200 §5.3.1 cnonce: the lock's challenge, signed into a ticket for a lock whose clock is untrusted. */
export const CLAIM_CNONCE = 39;
export const CNONCE_MAX_LENGTH = 64;
export const CNF_COSE_KEY = 1;
export const KEY_KTY = 1;
export const KEY_ALG = 3;
export const KEY_CRV = -1;
export const KEY_X = -2;
export const KEY_D = -4;
export const KTY_OKP = 1;
export const CRV_ED25519 = 6;
export const ED25519_KEY_LENGTH = 32;
export const CTI_MIN_LENGTH = 8;
export const CTI_MAX_LENGTH = 32;
/** The largest clock skew a lock may be configured to tolerate: one day. */
export const MAX_SKEW_SECONDS = 86_400;
/**
 * The latest time a ticket may carry (2106-02-06T06:28:15Z). The lock stores `exp + skew` as a
 * 32-bit unsigned number (replay store), so no claim may come closer to 2^32 - 1 than the largest skew.
 */
export const MAX_TICKET_TIME = MAX_UINT32 - MAX_SKEW_SECONDS;

/** The signed envelope, before anything in it is trusted. */
export interface Envelope {
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  alg: number;
  kid: Uint8Array;
}

export interface TicketClaims {
  /** Issuer name, informational (trust comes from the kid's key). */
  iss?: string;
  /** Courier ID. */
  sub: string;
  /** Lock ID the ticket is for. */
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  /** Ticket ID, 8 to 32 bytes: the replay key. */
  cti: Uint8Array;
  /** The courier phone's Ed25519 public key (cnf / COSE_Key x). */
  holderKey: Uint8Array;
  /** The lock challenge the ticket was issued for (RFC 9200 cnonce), if any. */
  cnonce?: Uint8Array;
}

/** Why a ticket does not parse: a refusal reason and a one-line detail. */
export type TicketFailure = { reason: TicketReason; detail: string };

const fail = (reason: TicketReason, detail: string): { ok: false } & TicketFailure => ({ ok: false, reason, detail });

const isMap = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/** Splits ticket bytes into the signed envelope; checks headers, not the signature. */
export function parseEnvelope(bytes: Uint8Array): Result<Envelope, TicketFailure> {
  if (bytes.length > MAX_TICKET_BYTES) return fail('too-large', `ticket is ${bytes.length} bytes, max ${MAX_TICKET_BYTES}`);
  const decoded = decodeStrict(bytes, { topLevelTag: COSE_SIGN1_TAG });
  if (!decoded.ok) return fail('malformed', decoded.error);
  const tagged = decoded.value;
  if (!(tagged instanceof Tag) || tagged.tag !== COSE_SIGN1_TAG) return fail('malformed', 'not a COSE_Sign1 tag');
  const message = tagged.value;
  if (!Array.isArray(message) || message.length !== 4) return fail('malformed', 'COSE_Sign1 is not a 4-element array');
  const [protectedBytes, unprotected, payload, signature] = message;
  if (!isBytes(protectedBytes) || protectedBytes.length === 0) return fail('malformed', 'protected header must be a non-empty bstr');
  if (!isMap(unprotected)) return fail('malformed', 'unprotected header must be a map');
  if (!isBytes(payload)) return fail('malformed', 'payload must be an attached bstr');
  if (!isBytes(signature)) return fail('malformed', 'signature must be a bstr');

  const headerDecoded = decodeStrict(protectedBytes);
  if (!headerDecoded.ok) return fail('malformed', 'protected header: ' + headerDecoded.error);
  const prot = headerDecoded.value;
  if (!isMap(prot)) return fail('malformed', 'protected header must encode a map');
  for (const label of unprotected.keys()) {
    if (prot.has(label)) return fail('malformed', `header ${String(label)} in both buckets`);
  }
  if (unprotected.has(HEADER_ALG) || unprotected.has(HEADER_CRIT)) return fail('malformed', 'alg and crit must be protected');

  const alg = prot.get(HEADER_ALG);
  if (!isInt(alg)) return fail('malformed', 'protected alg missing or not an integer');
  if (alg !== ALG_EDDSA && alg !== ALG_ED25519) return fail('unsupported-algorithm', `alg ${alg}`);

  if (prot.has(HEADER_CRIT)) {
    const crit = prot.get(HEADER_CRIT);
    if (!Array.isArray(crit) || crit.length === 0) return fail('malformed', 'crit must be a non-empty array');
    for (const label of crit) {
      if (!isInt(label) && !isText(label)) return fail('malformed', 'crit label must be an integer or text');
      if (!isInt(label) || !UNDERSTOOD_HEADERS.includes(label)) return fail('unsupported-critical', `crit names ${String(label)}`);
      if (!prot.has(label)) return fail('malformed', `crit names absent header ${label}`);
    }
  }

  // kid is normally protected; an unprotected kid is accepted because it only selects a key, and
  // the signature must still verify under that key.
  const kid = prot.has(HEADER_KID) ? prot.get(HEADER_KID) : unprotected.get(HEADER_KID);
  if (!isBytes(kid)) return fail('malformed', 'kid missing or not a bstr');
  return { ok: true, value: { protectedBytes, payload, signature, alg, kid } };
}

/** Decodes and type-checks the CWT claims of an already authenticated payload. */
export function parseClaims(payload: Uint8Array): Result<TicketClaims, TicketFailure> {
  const decoded = decodeStrict(payload);
  if (!decoded.ok) return fail('malformed', 'payload: ' + decoded.error);
  const map = decoded.value;
  if (!isMap(map)) return fail('malformed', 'payload is not a claims map');

  const iss = map.get(CLAIM_ISS);
  if (iss !== undefined && !isText(iss)) return fail('invalid-claims', 'iss must be text');
  const sub = map.get(CLAIM_SUB);
  if (!isText(sub) || sub.length === 0) return fail('invalid-claims', 'sub (courier ID) missing or not text');
  const aud = map.get(CLAIM_AUD);
  if (!isText(aud) || aud.length === 0) return fail('invalid-claims', 'aud (lock ID) missing or not text');
  const exp = map.get(CLAIM_EXP);
  const nbf = map.get(CLAIM_NBF);
  const iat = map.get(CLAIM_IAT);
  for (const [name, value] of [
    ['exp', exp],
    ['nbf', nbf],
    ['iat', iat],
  ] as const) {
    if (!isInt(value) || value < 0) return fail('invalid-claims', `${name} missing or not a non-negative integer`);
    if (value > MAX_TICKET_TIME) return fail('invalid-claims', `${name} ${value} is after ${MAX_TICKET_TIME}, the latest time a lock can store`);
  }
  if ((nbf as number) > (exp as number)) return fail('invalid-claims', 'nbf is after exp');
  const cti = map.get(CLAIM_CTI);
  if (!isBytes(cti) || cti.length < CTI_MIN_LENGTH || cti.length > CTI_MAX_LENGTH) {
    return fail('invalid-claims', `cti missing or not ${CTI_MIN_LENGTH}-${CTI_MAX_LENGTH} bytes`);
  }
  const holderKey = parseConfirmation(map.get(CLAIM_CNF));
  if (!holderKey.ok) return fail('invalid-claims', holderKey.error);
  const cnonce = map.get(CLAIM_CNONCE);
  if (cnonce !== undefined && (!isBytes(cnonce) || cnonce.length < 1 || cnonce.length > CNONCE_MAX_LENGTH))
    return fail('invalid-claims', `cnonce must be 1-${CNONCE_MAX_LENGTH} bytes`);
  const claims: TicketClaims = { sub, aud, exp: exp as number, nbf: nbf as number, iat: iat as number, cti, holderKey: holderKey.value };
  if (iss !== undefined) claims.iss = iss;
  if (cnonce !== undefined) claims.cnonce = cnonce;
  return { ok: true, value: claims };
}

/** cnf = {1: COSE_Key}, COSE_Key = {1: 1, -1: 6, -2: x} (RFC 8747 §3.2, RFC 9053 §7.2). */
function parseConfirmation(cnf: unknown): Result<Uint8Array> {
  if (!isMap(cnf)) return failure('cnf missing or not a map');
  if (cnf.size !== 1 || !cnf.has(CNF_COSE_KEY)) return failure('cnf must hold exactly a COSE_Key (1)');
  const key = cnf.get(CNF_COSE_KEY);
  if (!isMap(key)) return failure('cnf COSE_Key is not a map');
  if (key.get(KEY_KTY) !== KTY_OKP) return failure('cnf key kty must be OKP (1)');
  if (key.get(KEY_CRV) !== CRV_ED25519) return failure('cnf key crv must be Ed25519 (6)');
  if (key.has(KEY_D)) return failure('cnf key must not carry a private key');
  const alg = key.get(KEY_ALG);
  if (alg !== undefined && alg !== ALG_EDDSA && alg !== ALG_ED25519) return failure('cnf key alg must be EdDSA');
  const x = key.get(KEY_X);
  if (!isBytes(x) || x.length !== ED25519_KEY_LENGTH) return failure('cnf key x must be 32 bytes');
  return { ok: true, value: x };
}
