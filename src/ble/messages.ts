// The messages of the Latchkey BLE protocol (docs/ble-protocol.md, "Messages"). Each body is one
// CBOR array. Decoding is strict: decodeStrict's well-formedness rules, then exact element count
// and types, then the body must re-encode to exactly the same bytes (preferred serialisation: no
// floats standing in for integers, no over-long heads). Decoders never throw; encoders throw
// RangeError only for values the protocol cannot carry (a caller's bug).

import { bytesEqual, isBytes, MAX_UINT32 } from '../bytes.js';
import { decodeStrict } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import { REFUSAL_CODES, type RefusalReason } from '../reasons.js';
import { failure as fail, type Result } from '../result.js';
import { FRAME_ERRORS, MAX_MESSAGE_BYTES, type FrameError } from './framing.js';

export const MESSAGE_TYPES = {
  /** lock → phone: a fresh challenge, sent once the phone subscribed. */
  CHALLENGE: 0x01,
  /** phone → lock: a ticket and the holder proof over the challenge. */
  PRESENT: 0x02,
  /** lock → phone: granted or refused, with a reason code. */
  RESULT: 0x03,
  /** phone → lock: a signed admin command (docs/admin.md). */
  ADMIN: 0x04,
  /** lock → phone: the answer to ADMIN or TIME: an ADMIN_REASONS code, the sequence number, data. */
  ADMIN_RESULT: 0x05,
  /** phone → lock: a signed time statement bound to this connection's challenge. */
  TIME: 0x06,
  /** lock → phone: after a granted RESULT, the entry receipt signed by the device key. */
  RECEIPT: 0x07,
  /** phone → lock: the next audit-log chunk from a seq (after an accepted read-log command). */
  LOG_READ: 0x08,
  /** lock → phone: an audit-log export chunk. */
  LOG: 0x09,
  /** lock → phone: a protocol error (FRAME_ERRORS code); the lock did not act on the message. */
  ERROR: 0x7f,
} as const;

export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES];

export const PROTOCOL_VERSION = 1;
export const CHALLENGE_BYTES = 32;
/** Length of an Ed25519 signature: the only proof length that can verify. */
export const PROOF_BYTES = 64;
/** Largest integer a uint field may carry: fields are 32-bit on the wire by this protocol. */
export const MAX_UINT_FIELD = MAX_UINT32;

export interface ChallengeMessage {
  kind: 'challenge';
  version: number;
  /** CHALLENGE_BYTES fresh random bytes, new on every connection. */
  challenge: Uint8Array;
  lockId: string;
  /** The lock's clock, unix seconds; informational only (the phone may warn if it looks off). */
  lockTime: number;
}

export interface PresentMessage {
  kind: 'present';
  ticket: Uint8Array;
  /** The holder proof, any length (only PROOF_BYTES can verify); undefined when it was left out. */
  proof: Uint8Array | undefined;
}

export interface ResultMessage {
  kind: 'result';
  granted: boolean;
  /** 0 when granted, else a REFUSAL_CODES value (possibly one newer than this build knows). */
  reason: number;
  /** Granted: seconds until the lock relocks. 'backoff': seconds until a retry may succeed. Else 0. */
  seconds: number;
}

export interface ErrorMessage {
  kind: 'error';
  /** A FRAME_ERRORS value (possibly one newer than this build knows). */
  code: number;
}

export type Message = ChallengeMessage | PresentMessage | ResultMessage | ErrorMessage;

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeChallenge(fields: { challenge: Uint8Array; lockId: string; lockTime: number }): Uint8Array {
  if (fields.challenge.length !== CHALLENGE_BYTES) throw new RangeError(`challenge must be ${CHALLENGE_BYTES} bytes`);
  if (typeof fields.lockId !== 'string') throw new RangeError('lockId must be a string');
  checkUint('lockTime', fields.lockTime);
  return checkedBody([PROTOCOL_VERSION, fields.challenge, fields.lockId, fields.lockTime]);
}

/** Leave `proof` out to build the 1-element form (a presentation without holder proof). */
export function encodePresent(fields: { ticket: Uint8Array; proof?: Uint8Array | undefined }): Uint8Array {
  if (fields.ticket.length < 1) throw new RangeError('ticket must not be empty');
  return checkedBody(fields.proof === undefined ? [fields.ticket] : [fields.ticket, fields.proof]);
}

/** `reason` is a REFUSAL_CODES name or code when refused, and 0 (or left out) when granted. */
export function encodeResult(fields: { granted: boolean; reason?: RefusalReason | number; seconds?: number }): Uint8Array {
  const reason = typeof fields.reason === 'string' ? REFUSAL_CODES[fields.reason] : (fields.reason ?? 0);
  const seconds = fields.seconds ?? 0;
  checkUint('reason', reason);
  checkUint('seconds', seconds);
  if (fields.granted !== (reason === 0)) throw new RangeError('a result has reason 0 exactly when granted');
  return checkedBody([fields.granted, reason, seconds]);
}

export function encodeError(error: FrameError | number): Uint8Array {
  const code = typeof error === 'string' ? FRAME_ERRORS[error] : error;
  checkUint('error code', code);
  return checkedBody([code]);
}

export function checkUint(name: string, value: number | undefined): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_UINT_FIELD) {
    throw new RangeError(`${name} must be an integer in 0..${MAX_UINT_FIELD}`);
  }
}

export function checkedBody(items: unknown[]): Uint8Array {
  const body = encodeCbor(items);
  if (body.length > MAX_MESSAGE_BYTES) throw new RangeError(`message body of ${body.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Decodes a body of any type; an unknown type is an error (answer: unexpected-message). */
export function decodeMessage(type: number, body: Uint8Array): Result<Message> {
  switch (type) {
    case MESSAGE_TYPES.CHALLENGE:
      return decodeChallenge(body);
    case MESSAGE_TYPES.PRESENT:
      return decodePresent(body);
    case MESSAGE_TYPES.RESULT:
      return decodeResult(body);
    case MESSAGE_TYPES.ERROR:
      return decodeError(body);
    default:
      return { ok: false, error: 'unknown message type' };
  }
}

export function decodeChallenge(body: Uint8Array): Result<ChallengeMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  // The version first: a later version may lay the rest out differently.
  if (items.length < 1 || !isUint(items[0])) return fail('not a CHALLENGE');
  if (items[0] !== PROTOCOL_VERSION) return fail('unsupported protocol version');
  const [version, challenge, lockId, lockTime] = items;
  if (items.length !== 4 || !isBytes(challenge) || typeof lockId !== 'string' || !isUint(lockTime)) return fail('not a CHALLENGE');
  if (challenge.length !== CHALLENGE_BYTES) return fail('challenge is not 32 bytes');
  return { ok: true, value: { kind: 'challenge', version: version as number, challenge: copy(challenge), lockId, lockTime } };
}

/**
 * [ticket] or [ticket, proof]. Only the shape is checked: an empty or over-long ticket or a proof
 * of the wrong length still decodes, so the lock answers with a refusal reason (malformed /
 * too-large, missing-proof, bad-proof) rather than a protocol error. An empty ticket does not.
 */
export function decodePresent(body: Uint8Array): Result<PresentMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  const [ticket, proof] = items;
  if ((items.length !== 1 && items.length !== 2) || !isBytes(ticket) || (items.length === 2 && !isBytes(proof))) {
    return fail('not a PRESENT');
  }
  if (ticket.length === 0) return fail('empty ticket');
  return { ok: true, value: { kind: 'present', ticket: copy(ticket), proof: items.length === 2 ? copy(proof as Uint8Array) : undefined } };
}

export function decodeResult(body: Uint8Array): Result<ResultMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  const [granted, reason, seconds] = items;
  if (items.length !== 3 || typeof granted !== 'boolean' || !isUint(reason) || !isUint(seconds)) return fail('not a RESULT');
  if (granted !== (reason === 0)) return fail('reason must be 0 exactly when granted');
  return { ok: true, value: { kind: 'result', granted, reason, seconds } };
}

export function decodeError(body: Uint8Array): Result<ErrorMessage> {
  const items = decodeArray(body);
  if (!Array.isArray(items)) return items;
  if (items.length !== 1 || !isUint(items[0])) return fail('not an ERROR');
  return { ok: true, value: { kind: 'error', code: items[0] } };
}

/** The refusal reason for a RESULT code, or undefined for 0 or a code this build does not know. */
export function refusalReasonName(code: number): RefusalReason | undefined {
  for (const name of Object.keys(REFUSAL_CODES) as RefusalReason[]) if (REFUSAL_CODES[name] === code) return name;
  return undefined;
}

export function decodeArray(body: Uint8Array): unknown[] | { ok: false; error: string } {
  if (!(body instanceof Uint8Array) || body.length === 0 || body.length > MAX_MESSAGE_BYTES) return fail('bad body length');
  const decoded = decodeStrict(body);
  if (!decoded.ok) return fail('CBOR: ' + decoded.error);
  if (!Array.isArray(decoded.value)) return fail('body is not a CBOR array');
  // Exact types and one encoding per value: 1.0 for 1, or 0x18 0x01 for 1, decode to the same JS
  // value but do not re-encode to the same bytes.
  let again: Uint8Array;
  try {
    again = encodeCbor(decoded.value);
  } catch {
    return fail('body does not re-encode');
  }
  if (!bytesEqual(again, body)) return fail('body is not in preferred serialisation');
  return decoded.value;
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_UINT_FIELD;
}

function copy(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}
