// latchkey verify: decide on a ticket exactly as a lock with the given ID and trusted issuer keys
// would, with the core's own verifier (src/verify.ts).

import {
  DEFAULT_MAX_WINDOW_SECONDS,
  DEFAULT_SKEW_SECONDS,
  MAX_SKEW_SECONDS,
  MAX_UINT32,
  parseEnvelope,
  toHex,
  verifyTicket,
  type Decision,
  type TicketClaims,
  type TrustedIssuer,
} from '../../src/index.js';
import { trustedIssuersProblem } from '../../src/verify.js';
import { coseKid, parseJwk } from '../../issuer/jwk.js';
import { isoTime } from '../../issuer/time.js';
import { nowSeconds, optionalString, parseCommand, requireString, secondsOption, timeOption } from '../args.js';
import { readJson, readTicket, ticketLabel, withJwk } from '../input.js';
import { CliError, oneLine, showText, stdout } from '../output.js';

export const usage = `latchkey verify TICKET --lock LOCK_ID --trust PUBLIC.jwk [--trust PUBLIC.jwk ...]
               [--now T] [--skew S] [--max-window S] [--json]
    Decide as the lock LOCK_ID would, trusting the given issuer keys (public JWKs, each
    with a distinct "kid"; a private key is refused). --now (may be relative: +1h) defaults
    to the current time, --skew to ${DEFAULT_SKEW_SECONDS} s (at most ${MAX_SKEW_SECONDS}, as on a lock), --max-window
    to ${DEFAULT_MAX_WINDOW_SECONDS} s. Exit status 0 if granted, 1 if the ticket is refused, 2 if the
    input is not a ticket at all (a lock would refuse it as malformed or too-large).`;

/** One line: GRANTED courier at lock (ticket …, valid … → …) or REFUSED reason: detail. */
export function formatDecision(decision: Decision): string {
  if (!decision.granted) return `REFUSED ${decision.reason}: ${oneLine(decision.detail)}`;
  const c = decision.claims;
  return `GRANTED ${showText(c.sub)} at ${showText(c.aud)} (ticket ${toHex(c.cti)}, valid ${isoTime(c.nbf)} → ${isoTime(c.exp)})`;
}

function claimsJson(claims: TicketClaims): object {
  return {
    ...(claims.iss === undefined ? {} : { iss: claims.iss }),
    sub: claims.sub,
    aud: claims.aud,
    exp: claims.exp,
    nbf: claims.nbf,
    iat: claims.iat,
    cti: toHex(claims.cti),
    holderKey: toHex(claims.holderKey),
  };
}

/**
 * verify --json: {granted, reason?, detail?, claims?} with bytes as hex. A refusal carries claims
 * when the verifier returns them (a ticket whose signature verified, refused for its claims).
 */
export function decisionJson(decision: Decision): object {
  if (decision.granted) return { granted: true, claims: claimsJson(decision.claims) };
  const claims = (decision as { claims?: TicketClaims }).claims;
  return { granted: false, reason: decision.reason, detail: decision.detail, ...(claims === undefined ? {} : { claims: claimsJson(claims) }) };
}

function readTrustedIssuer(path: string): TrustedIssuer {
  const value = readJson(path, 'trusted key');
  const parsed = withJwk(path, 'trusted key', () => parseJwk(value, false));
  if (parsed.kid === undefined) throw new CliError(`trusted key ${path}: needs a "kid" (tickets name their issuer key by it)`);
  if (parsed.seed !== undefined) {
    throw new CliError(
      `trusted key ${path}: a private key (it has "d"); a private key must never be handed to a verifying tool: pass the public JWK (keygen prints it)`,
    );
  }
  return { kid: coseKid(parsed.kid), publicKey: parsed.publicKey };
}

export async function run(args: string[]): Promise<number> {
  const c = 'verify';
  const { values, positionals } = parseCommand(
    c,
    args,
    {
      lock: { type: 'string' },
      trust: { type: 'string', multiple: true },
      now: { type: 'string' },
      skew: { type: 'string' },
      'max-window': { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
  );
  const path = positionals[0];
  if (path === undefined) throw new CliError(`${c}: missing TICKET (a file, or - for stdin) (see latchkey ${c} --help)`);
  const lockId = requireString(c, values, 'lock', 'LOCK_ID');
  const trustPaths = (values.trust as string[] | undefined) ?? [];
  if (trustPaths.length === 0) throw new CliError(`${c}: missing --trust PUBLIC.jwk (at least one trusted issuer key) (see latchkey ${c} --help)`);
  if (trustPaths.some((p) => p.length === 0)) throw new CliError(`${c}: --trust must not be empty`);
  const nowText = optionalString(c, values, 'now');
  const now = nowText === undefined ? nowSeconds() : timeOption(c, 'now', nowText, nowSeconds());
  const skewSeconds = secondsOption(c, 'skew', optionalString(c, values, 'skew'), 0, MAX_SKEW_SECONDS, ' (a lock tolerates at most a day)');
  const maxWindowSeconds = secondsOption(c, 'max-window', optionalString(c, values, 'max-window'), 1, MAX_UINT32);

  const issuers = trustPaths.map(readTrustedIssuer);
  const duplicate = trustedIssuersProblem(issuers);
  if (duplicate !== undefined) {
    const kid = toHex(issuers.find((issuer, i) => issuers.findIndex((o) => toHex(o.kid) === toHex(issuer.kid)) !== i)!.kid);
    const paths = trustPaths.filter((_, i) => toHex(issuers[i].kid) === kid);
    throw new CliError(
      `${c}: --trust ${paths.join(' and ')} have the same kid "${Buffer.from(kid, 'hex').toString('utf8')}"; a lock refuses two keys under one kid (the decision would depend on their order)`,
    );
  }
  const ticket = readTicket(path);
  // Not a ticket at all: exit 2, as inspect does (docs/cli.md, exit status).
  const envelope = parseEnvelope(ticket);
  if (!envelope.ok && (envelope.reason === 'malformed' || envelope.reason === 'too-large')) {
    throw new CliError(`${ticketLabel(path)}: not a ticket (${envelope.reason}: ${oneLine(envelope.detail)}); a lock would refuse it as ${envelope.reason}`);
  }
  const decision = verifyTicket(ticket, {
    lockId,
    issuers,
    now,
    ...(skewSeconds === undefined ? {} : { skewSeconds }),
    ...(maxWindowSeconds === undefined ? {} : { maxWindowSeconds }),
  });
  if (values.json === true) stdout(JSON.stringify(decisionJson(decision)) + '\n');
  else stdout(formatDecision(decision) + '\n');
  return decision.granted ? 0 : 1;
}
