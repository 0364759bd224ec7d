// What a ticket says, for the courier to read before going to the door: which lock, which window,
// which issuer, which courier, which holder key. Decoded with the lock's own strict parsers
// (src/ticket.ts); the issuer's signature is NOT checked here — the phone does not hold the
// issuer's key, and the lock checks it anyway. Portable, no DOM.

import { bytesEqual, toHex } from '../src/bytes.js';
import { failure, type Result } from '../src/result.js';
import { parseClaims, parseEnvelope } from '../src/ticket.js';

export interface TicketSummary {
  /** The lock the ticket opens (aud). */
  lockId: string;
  courier: string;
  /** iss, informational. */
  issuerName: string | undefined;
  /** The issuer's key ID: text when it is printable ASCII, else hex. */
  issuerKid: string;
  notBefore: number;
  expires: number;
  issuedAt: number;
  /** The ticket ID (cti), hex. */
  ticketId: string;
  /** The holder public key the ticket names (cnf). */
  holderKey: Uint8Array;
  /** A ticket bound to one connection's challenge (cnonce): presentable only on that connection. */
  boundToChallenge: boolean;
  bytes: number;
}

const printable = (b: Uint8Array): boolean => b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f);

export function summarizeTicket(ticket: Uint8Array): Result<TicketSummary> {
  const envelope = parseEnvelope(ticket);
  if (!envelope.ok) return failure(`not a Latchkey ticket (${envelope.reason}: ${envelope.detail})`);
  const claims = parseClaims(envelope.value.payload);
  if (!claims.ok) return failure(`not a Latchkey ticket (${claims.reason}: ${claims.detail})`);
  const c = claims.value;
  const kid = envelope.value.kid;
  return {
    ok: true,
    value: {
      lockId: c.aud,
      courier: c.sub,
      issuerName: c.iss,
      issuerKid: printable(kid) ? String.fromCharCode(...kid) : toHex(kid),
      notBefore: c.nbf,
      expires: c.exp,
      issuedAt: c.iat,
      ticketId: toHex(c.cti),
      holderKey: c.holderKey,
      boundToChallenge: c.cnonce !== undefined,
      bytes: ticket.length,
    },
  };
}

/** Whether the ticket names this holder key: if not, the lock refuses the proof (bad-proof). */
export const ticketIsFor = (summary: TicketSummary, holderPublicKey: Uint8Array): boolean => bytesEqual(summary.holderKey, holderPublicKey);
