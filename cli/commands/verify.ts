// latchkey verify: decide on a ticket exactly as a lock with the given ID and trusted issuer keys
// would, with the core's own verifier (src/verify.ts).

import {
  DEFAULT_MAX_WINDOW_SECONDS, DEFAULT_SKEW_SECONDS, toHex, verifyTicket, type Decision, type TicketClaims, type TrustedIssuer,
} from '../../src/index.js';
import { coseKid, parseJwk } from '../../issuer/jwk.js';
import { isoTime } from '../../issuer/time.js';
import { nowSeconds, optionalString, parseCommand, requireString, secondsOption, timeOption } from '../args.js';
import { readJson, readTicket, withJwk } from '../input.js';
import { CliError, oneLine, showText, stdout } from '../output.js';

export const usage = `latchkey verify TICKET --lock LOCK_ID --trust PUBLIC.jwk [--trust PUBLIC.jwk ...]
               [--now T] [--skew S] [--max-window S] [--json]
    Decide as the lock LOCK_ID would, trusting the given issuer keys (each JWK needs a
    "kid"). --now defaults to the current time, --skew to ${DEFAULT_SKEW_SECONDS} s, --max-window to
    ${DEFAULT_MAX_WINDOW_SECONDS} s. Exit status 0 if granted, 1 if refused.`;

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
  return { kid: coseKid(parsed.kid), publicKey: parsed.publicKey };
}

export async function run(args: string[]): Promise<number> {
  const c = 'verify';
  const { values, positionals } = parseCommand(c, args, {
    lock: { type: 'string' },
    trust: { type: 'string', multiple: true },
    now: { type: 'string' },
    skew: { type: 'string' },
    'max-window': { type: 'string' },
    json: { type: 'boolean' },
  }, 1);
  const path = positionals[0];
  if (path === undefined) throw new CliError(`${c}: missing TICKET (a file, or - for stdin) (see latchkey ${c} --help)`);
  const lockId = requireString(c, values, 'lock', 'LOCK_ID');
  const trustPaths = (values.trust as string[] | undefined) ?? [];
  if (trustPaths.length === 0) throw new CliError(`${c}: missing --trust PUBLIC.jwk (at least one trusted issuer key) (see latchkey ${c} --help)`);
  if (trustPaths.some((p) => p.length === 0)) throw new CliError(`${c}: --trust must not be empty`);
  const nowText = optionalString(c, values, 'now');
  const now = nowText === undefined ? nowSeconds() : timeOption(c, 'now', nowText);
  const skewSeconds = secondsOption(c, 'skew', optionalString(c, values, 'skew'), false);
  const maxWindowSeconds = secondsOption(c, 'max-window', optionalString(c, values, 'max-window'), true);

  const issuers = trustPaths.map(readTrustedIssuer);
  const ticket = await readTicket(path);
  const decision = verifyTicket(ticket, {
    lockId, issuers, now,
    ...(skewSeconds === undefined ? {} : { skewSeconds }),
    ...(maxWindowSeconds === undefined ? {} : { maxWindowSeconds }),
  });
  if (values.json === true) stdout(JSON.stringify(decisionJson(decision)) + '\n');
  else stdout(formatDecision(decision) + '\n');
  return decision.granted ? 0 : 1;
}
