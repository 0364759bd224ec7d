// The issuers an administered lock trusts: delivery companies, a cleaning service, the building
// manager. Each has its own key and kid, a scope (src/lock/scope.ts) and possibly a revocation of
// every ticket it issued before a time. Bounded, so the owner record fits one NVS value.

import { bytesEqual } from '../bytes.js';
import type { TrustedIssuer } from '../verify.js';
import type { IssuerScope } from './scope.js';

export const MAX_ISSUERS = 8;
export const MAX_KID_BYTES = 32;
export const MAX_NAME_LENGTH = 32;

export interface Issuer {
  kid: Uint8Array;
  publicKey: Uint8Array;
  /** The owner's label for it ("parcel-co"); informational. */
  name: string;
  scope: IssuerScope;
  /** Tickets it issued (iat) before this unix time are revoked; 0: none. */
  revokedBefore: number;
}

export function findIssuer(issuers: readonly Issuer[], kid: Uint8Array): Issuer | undefined {
  return issuers.find((i) => bytesEqual(i.kid, kid));
}

/** The verifier's view: kid and key only. */
export function trustedIssuers(issuers: readonly Issuer[]): TrustedIssuer[] {
  return issuers.map((i) => ({ kid: i.kid, publicKey: i.publicKey }));
}
