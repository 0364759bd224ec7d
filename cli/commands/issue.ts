// latchkey issue: sign a ticket with an issuer's private JWK, as an issuer's backend would.

import { randomBytes } from 'node:crypto';
import { DEFAULT_MAX_WINDOW_SECONDS, MAX_SKEW_SECONDS, MAX_TICKET_BYTES, MAX_TICKET_TIME, fromHex, toHex } from '../../src/index.js';
import { CTI_MAX_LENGTH, CTI_MIN_LENGTH } from '../../src/ticket.js';
import { parseJwk, signingKeyFromJwk } from '../../issuer/jwk.js';
import { issueTicket } from '../../issuer/ticket.js';
import { formatDuration, isoTime } from '../../issuer/time.js';
import { nowSeconds, optionalString, parseCommand, requireString, timeOption } from '../args.js';
import { readJson, withJwk } from '../input.js';
import { CliError, stderrLine, stdout, writeFile } from '../output.js';

export const usage = `latchkey issue --key ISSUER.jwk --lock LOCK_ID --courier ID --holder HOLDER.jwk
               --not-before T --expires T [--iss NAME] [--cti HEX] [--issued-at T] [--out FILE]
    Sign a ticket with the issuer's private key (a JWK with "d" and "kid") for the holder
    key's owner (HOLDER.jwk: the phone's PUBLIC key; a private key is refused). Times may
    be relative to now: --not-before now --expires +3h. --issued-at defaults to now, --cti
    (ticket ID, 8 to 32 bytes of hex) to 16 random bytes. Prints the ticket as hex on one
    line, or writes the binary ticket to FILE with --out (--out - means stdout, as hex).`;

export async function run(args: string[]): Promise<number> {
  const c = 'issue';
  const { values } = parseCommand(
    c,
    args,
    {
      key: { type: 'string' },
      lock: { type: 'string' },
      courier: { type: 'string' },
      holder: { type: 'string' },
      'not-before': { type: 'string' },
      expires: { type: 'string' },
      iss: { type: 'string' },
      cti: { type: 'string' },
      'issued-at': { type: 'string' },
      out: { type: 'string' },
    },
    0,
  );
  // Everything that needs no file first, so a usage mistake is reported before a file problem.
  const keyPath = requireString(c, values, 'key', 'ISSUER.jwk');
  const lockId = requireString(c, values, 'lock', 'LOCK_ID');
  const courier = requireString(c, values, 'courier', 'ID');
  const holderPath = requireString(c, values, 'holder', 'HOLDER.jwk');
  const now = nowSeconds();
  const notBefore = timeOption(c, 'not-before', requireString(c, values, 'not-before', 'T'), now);
  const expires = timeOption(c, 'expires', requireString(c, values, 'expires', 'T'), now);
  const iss = optionalString(c, values, 'iss');
  const ctiText = optionalString(c, values, 'cti');
  const issuedAtText = optionalString(c, values, 'issued-at');
  const out = optionalString(c, values, 'out');
  const issuedAt = issuedAtText === undefined ? now : timeOption(c, 'issued-at', issuedAtText, now);

  // The lock stores exp + skew as 32-bit unsigned seconds (replay store), and its skew is at most a
  // day: a claim after MAX_TICKET_TIME is one no lock could keep, so it is never issued.
  for (const [name, value] of [
    ['not-before', notBefore],
    ['expires', expires],
    ['issued-at', issuedAt],
  ] as const) {
    if (value > MAX_TICKET_TIME) {
      throw new CliError(
        `${c}: --${name} (${value}, ${isoTime(value)}) is after ${MAX_TICKET_TIME} (${isoTime(MAX_TICKET_TIME)}), the latest time a ticket can carry (2^32 - 1 minus the largest lock skew, ${MAX_SKEW_SECONDS} s)`,
      );
    }
  }
  if (expires <= notBefore) {
    throw new CliError(`${c}: --expires (${isoTime(expires)}) must be after --not-before (${isoTime(notBefore)})`);
  }
  if (issuedAt > expires) {
    const which = issuedAtText === undefined ? 'now (the default --issued-at)' : `--issued-at (${isoTime(issuedAt)})`;
    throw new CliError(`${c}: ${which} is after --expires (${isoTime(expires)}): the ticket would be expired when issued`);
  }
  let cti: Uint8Array;
  if (ctiText === undefined) {
    cti = new Uint8Array(randomBytes(16));
  } else {
    const parsed = fromHex(ctiText);
    if (parsed === undefined) throw new CliError(`${c}: --cti "${ctiText}" is not hex (an even number of digits 0-9, a-f)`);
    if (parsed.length < CTI_MIN_LENGTH || parsed.length > CTI_MAX_LENGTH) {
      throw new CliError(
        `${c}: --cti must be ${CTI_MIN_LENGTH} to ${CTI_MAX_LENGTH} bytes (${CTI_MIN_LENGTH * 2} to ${CTI_MAX_LENGTH * 2} hex digits), got ${parsed.length} bytes`,
      );
    }
    cti = parsed;
  }

  const issuerJwk = readJson(keyPath, 'issuer key');
  const signingKey = withJwk(keyPath, 'issuer key', () => signingKeyFromJwk(issuerJwk));
  const holderJwk = readJson(holderPath, 'holder key');
  const holder = withJwk(holderPath, 'holder key', () => parseJwk(holderJwk, false));
  if (holder.seed !== undefined) {
    throw new CliError(`holder key ${holderPath}: a private key (it has "d"): give issue the phone's public JWK; a phone's private key never leaves the phone`);
  }
  const holderPublicKey = holder.publicKey;

  const fields = { courier, lockId, notBefore, expires, issuedAt, cti, holderPublicKey, ...(iss === undefined ? {} : { iss }) };
  const ticket = issueTicket(signingKey, fields);
  if (ticket.length > MAX_TICKET_BYTES) {
    throw new CliError(`${c}: the ticket would be ${ticket.length} bytes, over the locks' limit of ${MAX_TICKET_BYTES} (shorten the IDs)`);
  }
  if (expires - notBefore > DEFAULT_MAX_WINDOW_SECONDS) {
    stderrLine(
      `warning: the window (${formatDuration(expires - notBefore)}) is longer than a lock accepts by default (${formatDuration(DEFAULT_MAX_WINDOW_SECONDS)}); such locks refuse it as window-too-long`,
    );
  }
  if (out === undefined || out === '-') stdout(toHex(ticket) + '\n');
  else writeFile(out, ticket, 'ticket');
  return 0;
}
