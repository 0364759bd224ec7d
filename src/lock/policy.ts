// What the lock enforces beyond the ticket itself, in one view whatever the lock's mode: a lock
// configured at build time (fixed lock ID and issuers, no scopes) or an administered one (the
// owner record, src/admin/owner-record.ts). `policyRefusal` is the issuer-scope, do-not-disturb
// and revocation check of one verified ticket.

import type { HashFunction } from '../../hal/index.js';
import type { OwnerConfig } from '../admin/owner-record.js';
import type { LockReason, TicketReason } from '../reasons.js';
import type { TicketClaims } from '../ticket.js';
import { prepareIssuers, type TrustedIssuer } from '../verify.js';
import { findIssuer, trustedIssuers, type Issuer } from './issuers.js';
import { revokedBy, type Revocation } from './revocation.js';
import { defaultScope, inDoNotDisturb, inScope } from './scope.js';
import { defaultSettings, type Settings } from './settings.js';

export interface Policy {
  lockId: string;
  issuers: Issuer[];
  /** The verifier's view of `issuers`, keys prepared once per change (prepareIssuers), never per ticket. */
  trusted: TrustedIssuer[];
  settings: Settings;
  revocations: Revocation[];
}

/** A build-time configuration: every issuer may open at any time, single use, nothing revoked. */
export function fixedPolicy(config: {
  lockId: string;
  issuers: readonly TrustedIssuer[];
  skewSeconds: number;
  maxWindowSeconds: number;
  relockSeconds: number;
}): Policy {
  const settings = { ...defaultSettings(), skewSeconds: config.skewSeconds, maxWindowSeconds: config.maxWindowSeconds, relockSeconds: config.relockSeconds };
  const issuers = config.issuers.map((i) => ({ kid: i.kid, publicKey: i.publicKey, name: '', scope: defaultScope(config.maxWindowSeconds), revokedBefore: 0 }));
  return { lockId: config.lockId, issuers, trusted: prepareIssuers(config.issuers), settings, revocations: [] };
}

export function ownerPolicy(config: OwnerConfig): Policy {
  return {
    lockId: config.lockId,
    issuers: config.issuers,
    trusted: prepareIssuers(trustedIssuers(config.issuers)),
    settings: config.settings,
    revocations: config.revocations,
  };
}

export type PolicyRefusal = { reason: LockReason | TicketReason; detail: string };

/**
 * Revocation first (a revoked courier learns nothing more), then the issuer's window, then the
 * owner's do-not-disturb (it overrides every scope), then the issuer's schedule. `at` is the
 * lock's clock, or a cnonce ticket's iat when the clock is untrusted.
 */
export function policyRefusal(policy: Policy, kid: Uint8Array, claims: TicketClaims, at: number, sha256: HashFunction): PolicyRefusal | undefined {
  const issuer = findIssuer(policy.issuers, kid);
  if (issuer === undefined) return { reason: 'unknown-issuer', detail: 'issuer no longer trusted' };
  const skew = policy.settings.skewSeconds;
  if (claims.iat < issuer.revokedBefore) return { reason: 'revoked', detail: `issuer's tickets issued before ${issuer.revokedBefore} are revoked` };
  const revoked = revokedBy(policy.revocations, sha256, { kid, publicKey: issuer.publicKey, cti: claims.cti, sub: claims.sub }, at, skew);
  if (revoked !== undefined) return { reason: 'revoked', detail: `revoked (${revoked})` };
  const window = claims.exp - claims.nbf;
  if (window > issuer.scope.maxWindowSeconds)
    return { reason: 'window-too-long', detail: `window ${window} s > the issuer's ${issuer.scope.maxWindowSeconds} s` };
  const tz = policy.settings.tzOffsetMinutes;
  if (inDoNotDisturb(policy.settings.doNotDisturb, at, tz)) return { reason: 'do-not-disturb', detail: "the owner's do-not-disturb is in force" };
  if (!inScope(issuer.scope, at, tz)) return { reason: 'outside-scope', detail: "outside the issuer's days and hours" };
  return undefined;
}
