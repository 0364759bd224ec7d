// Deterministic keys and tickets shared by the portable suites (Node and XS).

import { publicKeyFromSeed, issueTicket, type SigningKey, type TicketFields } from '../../issuer/ticket.js';
import type { TrustedIssuer, VerifyContext } from '../../src/index.js';

export const seed = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export const ISSUER: SigningKey = { kid: ascii('issuer-1'), seed: seed(1) };
export const OTHER_ISSUER: SigningKey = { kid: ascii('issuer-2'), seed: seed(2) };
export const HOLDER_SEED = seed(3);
export const HOLDER_PUBLIC = publicKeyFromSeed(HOLDER_SEED);
export const LOCK_ID = 'lock:12-rue-des-lilas/door-a';
export const NOW = 1_800_000_000;

export const trusted = (key: SigningKey): TrustedIssuer => ({ kid: key.kid, publicKey: publicKeyFromSeed(key.seed) });
export const TRUSTED: TrustedIssuer[] = [trusted(ISSUER), trusted(OTHER_ISSUER)];

export function fields(overrides: Partial<TicketFields> = {}): TicketFields {
  return {
    iss: 'parcel-co',
    courier: 'courier-42',
    lockId: LOCK_ID,
    notBefore: NOW - 600,
    expires: NOW + 3600,
    issuedAt: NOW - 900,
    cti: ascii('ticket-0001'),
    holderPublicKey: HOLDER_PUBLIC,
    ...overrides,
  };
}

export const ticket = (overrides: Partial<TicketFields> = {}, key: SigningKey = ISSUER): Uint8Array => issueTicket(key, fields(overrides));

export const context = (overrides: Partial<VerifyContext> = {}): VerifyContext => ({
  lockId: LOCK_ID,
  issuers: TRUSTED,
  now: NOW,
  ...overrides,
});
