// The closed set of refusal reasons. Codes are stable: the strings appear in logs, the CLI's JSON
// and docs; the numbers travel in BLE result frames. Never renumber, only append.

export const TICKET_REASONS = {
  /** Not a well-formed, strictly encoded COSE_Sign1 ticket (see docs/ticket.md). */
  malformed: 1,
  /** Larger than MAX_TICKET_BYTES; refused before decoding. */
  'too-large': 2,
  /** The protected `alg` is not EdDSA (-8) or Ed25519 (-19). */
  'unsupported-algorithm': 3,
  /** The protected `crit` header names a parameter the lock does not process. */
  'unsupported-critical': 4,
  /** No trusted issuer key has the ticket's `kid`. */
  'unknown-issuer': 5,
  /** The Ed25519 signature does not verify under the issuer's key (strict RFC 8032). */
  'bad-signature': 6,
  /** Signed, but a required claim is missing, of the wrong type or inconsistent. */
  'invalid-claims': 7,
  /** `aud` is not this lock's ID. */
  'wrong-lock': 8,
  /** `exp − nbf` exceeds the lock's maximum ticket window. */
  'window-too-long': 9,
  /** `iat` is after the lock's clock plus skew: the lock's clock is behind, or the issuer's ahead. */
  'issued-in-future': 10,
  /** The lock's clock is before `nbf − skew`. */
  'not-yet-valid': 11,
  /** The lock's clock is after `exp + skew`. */
  'expired': 12,
  /** The verifier itself failed or was misconfigured; never a grant. */
  'internal-error': 13,
} as const;

export type TicketReason = keyof typeof TICKET_REASONS;

/** Refusals the lock adds on top of ticket verification (BLE presentation, replay, clock, back-off). */
export const LOCK_REASONS = {
  /** This ticket (issuer kid + cti) was already used here. */
  replayed: 20,
  /** The replay store is full of used tickets the lock could still accept; it refuses rather than forget one. */
  'replay-store-full': 21,
  /** The lock's clock is unset or earlier than its persisted high-water mark minus the skew. */
  'clock-untrusted': 22,
  /** Too many recent refusals; try again after the retry time in the result. */
  backoff: 23,
  /** The holder proof does not verify under the ticket's cnf key. */
  'bad-proof': 24,
  /** The presentation carried no holder proof. */
  'missing-proof': 25,
  /** The bolt did not reach the unlocked position (jam); the ticket is spent. */
  'actuator-fault': 26,
} as const;

export type LockReason = keyof typeof LOCK_REASONS;
export type RefusalReason = TicketReason | LockReason;

/** Every refusal reason with its wire code. */
export const REFUSAL_CODES: Readonly<Record<RefusalReason, number>> = { ...TICKET_REASONS, ...LOCK_REASONS };
