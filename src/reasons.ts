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
  expired: 12,
  /** The verifier itself failed or was misconfigured; never a grant. */
  'internal-error': 13,
  /** The ticket carries a cnonce that is not this connection's challenge, or relies on one the lock does not accept now. */
  'bad-cnonce': 14,
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
  /** The lock has no owner yet (new or factory reset): it opens for nobody until provisioned. */
  'not-provisioned': 27,
  /** The ticket's issuer may not open at this day and time (its scope, in the lock's time zone). */
  'outside-scope': 28,
  /** The owner's do-not-disturb range is in force: no entries, whoever the issuer. */
  'do-not-disturb': 29,
  /** The owner revoked this ticket, its courier, its issuer's older tickets or the issuer key. */
  revoked: 30,
} as const;

export type LockReason = keyof typeof LOCK_REASONS;

/**
 * Answers to a signed admin command or time statement (ADMIN_RESULT, docs/admin.md). 0 is done;
 * a refused command changed nothing.
 */
export const ADMIN_REASONS = {
  done: 0,
  /** Not a well-formed, strictly encoded admin command or time statement. */
  'bad-command': 40,
  /** Signed for another lock (its lock ID is not this lock's). */
  'wrong-lock': 41,
  /** No owner or admin key with this kid (never delegated, or withdrawn). */
  'unknown-key': 42,
  /** The signature does not verify under the key its kid names. */
  'bad-signature': 43,
  /** The sequence number is not above the last one this lock accepted: a replay or a stale command. */
  'stale-sequence': 44,
  /** The key may not do this (only the owner delegates and withdraws admin keys). */
  'not-permitted': 45,
  /** Provisioned already (factory reset first), or not provisioned yet (provision first). */
  'wrong-state': 46,
  /** The command's arguments are missing, of the wrong type or out of range. */
  'bad-arguments': 47,
  /** The issuer, admin key or revocation store is full: nothing was dropped, nothing changed. */
  'store-full': 48,
  /** No issuer with this kid. */
  'unknown-issuer': 49,
  /** A time statement below the lock's high-water mark, or not bound to this connection's challenge. */
  'bad-time': 50,
  /** The state could not be written (flash fault); nothing changed. */
  'storage-fault': 51,
} as const;

export type AdminReason = keyof typeof ADMIN_REASONS;
export type RefusalReason = TicketReason | LockReason;

/** Every refusal reason with its wire code. */
export const REFUSAL_CODES: Readonly<Record<RefusalReason, number>> = { ...TICKET_REASONS, ...LOCK_REASONS };
