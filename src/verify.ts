// The ticket verifier: bytes and the lock's context in, a decision out. It never throws and never
// grants by default: every path that is not an explicit grant is a refusal with a stable reason.
// Order matters: structure, then the issuer's signature, and only then the claims it vouches for.

import type { HashFunction } from '../hal/index.js';
import { bytesEqual, toHex } from './bytes.js';
import { prepareEd25519Key, verifyEd25519, verifyEd25519Prepared, type PreparedEd25519Key } from './ed25519.js';
import type { TicketReason } from './reasons.js';
import { errorMessage } from './result.js';
import { sign1Input } from './sig-structure.js';
import { MAX_SKEW_SECONDS, parseClaims, parseEnvelope, type TicketClaims } from './ticket.js';

export const DEFAULT_SKEW_SECONDS = 60;
export const DEFAULT_MAX_WINDOW_SECONDS = 24 * 60 * 60;

export interface TrustedIssuer {
  /** The COSE kid the issuer puts in its tickets (for a JWK key, the UTF-8 bytes of its kid). */
  kid: Uint8Array;
  /** Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /**
   * The same key prepared once (prepareEd25519Key), which makes each ticket check cheaper. Used
   * only if it was prepared from `publicKey`; otherwise the key is checked one-shot.
   */
  preparedKey?: PreparedEd25519Key;
}

/** The issuers with their keys prepared, for a verifier that will check many tickets (the lock, at boot). */
export function prepareIssuers(issuers: readonly TrustedIssuer[]): TrustedIssuer[] {
  return issuers.map((issuer) => ({ ...issuer, preparedKey: issuer.preparedKey ?? prepareEd25519Key(issuer.publicKey) }));
}

function issuerSignatureValid(issuer: TrustedIssuer, signature: Uint8Array, signed: Uint8Array, sha512: HashFunction | undefined): boolean {
  const prepared = issuer.preparedKey;
  if (prepared !== undefined && bytesEqual(prepared.publicKey, issuer.publicKey)) return verifyEd25519Prepared(signature, signed, prepared, sha512);
  return verifyEd25519(signature, signed, issuer.publicKey, sha512);
}

/** An Ed25519 check: true only for a valid signature, never throws. */
export type SignatureCheck = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export interface VerifyContext {
  /** This lock's ID (address/door) as provisioned; compared byte for byte with `aud`. */
  lockId: string;
  issuers: readonly TrustedIssuer[];
  /** The lock's clock, unix seconds. */
  now: number;
  /** Tolerated clock difference, seconds (default 60). */
  skewSeconds?: number;
  /** Longest `exp − nbf` the lock accepts, seconds (default 24 h). */
  maxWindowSeconds?: number;
  /** The SHA-512 for Ed25519 (the lock passes its HAL's: native on the device); portable by default. */
  sha512?: HashFunction;
  /**
   * The signature check (default: verifyEd25519, with the issuer's prepared key if it has one).
   * Only for a caller that must memoise the same function, such as the model-based test; never
   * a weaker check.
   */
  checkSignature?: SignatureCheck;
  /** The challenge of the connection the ticket came on: a ticket with a cnonce must carry exactly it. */
  challenge?: Uint8Array;
  /**
   * The lock's clock is untrusted and the owner accepts cnonce tickets: the ticket must carry this
   * connection's challenge as cnonce (proof it was issued moments ago), its window must be at
   * most `maxWindowSeconds`, and `now` is not compared with its times.
   */
  clockless?: { maxWindowSeconds: number };
}

export type Decision =
  { granted: true; claims: TicketClaims; kid: Uint8Array } | { granted: false; reason: TicketReason; detail: string; claims?: TicketClaims };

const refuse = (reason: TicketReason, detail: string): Decision => ({ granted: false, reason, detail });
/** A refusal of a ticket whose signature verified: its claims are authentic, useful for the audit log. */
const refuseSigned = (reason: TicketReason, detail: string, claims: TicketClaims): Decision => ({ granted: false, reason, detail, claims });

export function verifyTicket(bytes: Uint8Array, context: VerifyContext): Decision {
  try {
    return decide(bytes, context);
  } catch (error) {
    return refuse('internal-error', errorMessage(error));
  }
}

/**
 * Why a set of trusted issuers is unusable, or undefined. Two keys under one kid would make the
 * decision depend on their order, so a trust store with a repeated kid is refused outright.
 */
export function trustedIssuersProblem(issuers: readonly TrustedIssuer[]): string | undefined {
  for (let i = 0; i < issuers.length; i++) {
    for (let j = 0; j < i; j++) {
      if (bytesEqual(issuers[i].kid, issuers[j].kid)) return `two trusted issuers share kid ${toHex(issuers[i].kid)}`;
    }
  }
  return undefined;
}

/** Why a skew setting is unusable, or undefined: 0..MAX_SKEW_SECONDS whole seconds. */
export function skewProblem(skew: number): string | undefined {
  if (!Number.isSafeInteger(skew) || skew < 0 || skew > MAX_SKEW_SECONDS) return `skewSeconds must be an integer 0..${MAX_SKEW_SECONDS}`;
  return undefined;
}

function contextProblem(c: VerifyContext): string | undefined {
  if (c === null || typeof c !== 'object') return 'context missing';
  if (typeof c.lockId !== 'string' || c.lockId.length === 0) return 'lockId missing';
  if (!Array.isArray(c.issuers)) return 'issuers must be an array';
  if (!Number.isSafeInteger(c.now)) return 'now must be integer seconds';
  const skew = c.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const window = c.maxWindowSeconds ?? DEFAULT_MAX_WINDOW_SECONDS;
  const skewError = skewProblem(skew);
  if (skewError !== undefined) return skewError;
  if (!Number.isSafeInteger(window) || window <= 0) return 'maxWindowSeconds must be a positive integer';
  return trustedIssuersProblem(c.issuers);
}

function decide(bytes: Uint8Array, context: VerifyContext): Decision {
  const problem = contextProblem(context);
  if (problem !== undefined) return refuse('internal-error', 'bad verify context: ' + problem);
  if (!(bytes instanceof Uint8Array)) return refuse('malformed', 'ticket is not bytes');

  const envelope = parseEnvelope(bytes);
  if (!envelope.ok) return refuse(envelope.reason, envelope.detail);
  const { kid, protectedBytes, payload, signature } = envelope.value;

  const issuer = context.issuers.find((i) => bytesEqual(i.kid, kid));
  if (issuer === undefined) return refuse('unknown-issuer', 'no trusted key for this kid');
  const signed = sign1Input(protectedBytes, payload);
  const valid =
    context.checkSignature !== undefined
      ? context.checkSignature(signature, signed, issuer.publicKey)
      : issuerSignatureValid(issuer, signature, signed, context.sha512);
  if (!valid) {
    return refuse('bad-signature', 'signature does not verify under the issuer key');
  }

  const parsed = parseClaims(payload);
  if (!parsed.ok) return refuse(parsed.reason, parsed.detail);
  const claims = parsed.value;
  if (claims.aud !== context.lockId) return refuseSigned('wrong-lock', `ticket is for "${claims.aud}"`, claims);

  if (claims.cnonce !== undefined && (context.challenge === undefined || !bytesEqual(claims.cnonce, context.challenge))) {
    return refuseSigned('bad-cnonce', "cnonce is not this connection's challenge", claims);
  }
  if (context.clockless !== undefined) {
    if (claims.cnonce === undefined) return refuseSigned('bad-cnonce', 'the clock is untrusted: only a ticket carrying the challenge as cnonce', claims);
    const window = claims.exp - claims.nbf;
    if (window > context.clockless.maxWindowSeconds)
      return refuseSigned('window-too-long', `cnonce ticket window ${window} s > ${context.clockless.maxWindowSeconds} s`, claims);
    return { granted: true, claims, kid };
  }

  const now = context.now;
  const skew = context.skewSeconds ?? DEFAULT_SKEW_SECONDS;
  const maxWindow = context.maxWindowSeconds ?? DEFAULT_MAX_WINDOW_SECONDS;
  if (claims.exp - claims.nbf > maxWindow) return refuseSigned('window-too-long', `window ${claims.exp - claims.nbf} s > ${maxWindow} s`, claims);
  // iat before nbf: a ticket issued "in the future" says more about the lock's clock than nbf does.
  if (claims.iat > now + skew) return refuseSigned('issued-in-future', `iat ${claims.iat} > now ${now} + ${skew}`, claims);
  if (now < claims.nbf - skew) return refuseSigned('not-yet-valid', `now ${now} < nbf ${claims.nbf} - ${skew}`, claims);
  if (now > claims.exp + skew) return refuseSigned('expired', `now ${now} > exp ${claims.exp} + ${skew}`, claims);
  return { granted: true, claims, kid };
}
