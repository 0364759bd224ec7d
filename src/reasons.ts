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
