// Latchkey core: everything here runs unchanged under Node and inside XS on the lock.
export { verifyTicket, prepareIssuers, DEFAULT_SKEW_SECONDS, DEFAULT_MAX_WINDOW_SECONDS } from './verify.js';
export type { Decision, TrustedIssuer, VerifyContext } from './verify.js';
export { TICKET_REASONS, LOCK_REASONS, REFUSAL_CODES, type TicketReason, type LockReason, type RefusalReason } from './reasons.js';
export { parseEnvelope, parseClaims, MAX_TICKET_BYTES, MAX_SKEW_SECONDS, MAX_TICKET_TIME, type TicketClaims, type Envelope } from './ticket.js';
export { verifyEd25519, ed25519SelfTest, prepareEd25519Key, verifyEd25519Prepared, PreparedEd25519Key } from './ed25519.js';
export { sha256 } from './crypto/sha256.js';
export { sha512 } from './crypto/sha512.js';
export { sign1Input } from './sig-structure.js';
export { decodeStrict } from './cbor/decode.js';
export { checkWellFormed } from './cbor/wellformed.js';
export { bytesEqual, toHex, fromHex, concatBytes, MAX_UINT32 } from './bytes.js';
export { encodeCbor } from './cbor/encode.js';
