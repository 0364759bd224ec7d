// latchkey inspect: a ticket's headers and claims decoded for people, without checking the
// signature (verify does that).

import { decodeStrict, parseClaims, parseEnvelope, toHex, type TicketClaims } from '../../src/index.js';
import { Tag } from '../../src/cbor/decode.js';
import { ALG_ED25519, ALG_EDDSA, COSE_SIGN1_TAG, HEADER_ALG, HEADER_CONTENT_TYPE, HEADER_CRIT, HEADER_KID, HEADER_TYP } from '../../src/ticket.js';
import { base64urlEncode } from '../../issuer/jwk.js';
import { formatDuration, isoTime } from '../../issuer/time.js';
import { parseCommand } from '../args.js';
import { readTicket, ticketLabel } from '../input.js';
import { CliError, showText, stdout } from '../output.js';

export const usage = `latchkey inspect TICKET [--json]
    Decode a ticket's headers and claims. Does NOT check the signature (use verify).`;

const HEADER_NAMES = new Map<unknown, string>([
  [HEADER_ALG, 'alg'],
  [HEADER_CRIT, 'crit'],
  [HEADER_CONTENT_TYPE, 'content type'],
  [HEADER_KID, 'kid'],
  [HEADER_TYP, 'typ'],
]);
const ALG_NAMES = new Map<number, string>([
  [ALG_EDDSA, 'EdDSA'],
  [ALG_ED25519, 'Ed25519'],
]);

/** A ticket decoded for people; nothing in it is authenticated. */
export interface TicketDescription {
  size: number;
  alg: number;
  kid: Uint8Array;
  kidInProtectedHeader: boolean;
  protectedLabels: (number | string)[];
  unprotectedLabels: (number | string)[];
  claims: TicketClaims;
}

/** Decodes a ticket's structure and claims without checking the signature; throws CliError if it is no ticket. */
export function describeTicket(bytes: Uint8Array, label = 'ticket'): TicketDescription {
  const envelope = parseEnvelope(bytes);
  if (!envelope.ok) throw new CliError(`${label}: not a valid COSE_Sign1 ticket (${envelope.reason}: ${envelope.detail})`);
  const claims = parseClaims(envelope.value.payload);
  if (!claims.ok) throw new CliError(`${label}: COSE_Sign1 but not a Latchkey ticket (${claims.reason}: ${claims.detail})`);
  // parseEnvelope accepted both, so both decode to maps.
  const prot = decodeStrict(envelope.value.protectedBytes);
  const whole = decodeStrict(bytes, { topLevelTag: COSE_SIGN1_TAG });
  const protMap = prot.ok ? (prot.value as Map<number | string, unknown>) : new Map();
  const unprotMap = whole.ok ? (((whole.value as Tag).value as unknown[])[1] as Map<number | string, unknown>) : new Map();
  return {
    size: bytes.length,
    alg: envelope.value.alg,
    kid: envelope.value.kid,
    kidInProtectedHeader: protMap.has(HEADER_KID),
    protectedLabels: [...protMap.keys()],
    unprotectedLabels: [...unprotMap.keys()],
    claims: claims.value,
  };
}

const printableAscii = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes.every((b) => b >= 0x20 && b <= 0x7e);
const kidText = (kid: Uint8Array): string | undefined => (printableAscii(kid) ? String.fromCharCode(...kid) : undefined);
const headerList = (labels: (number | string)[]): string =>
  labels.length === 0 ? 'none' : labels.map((l) => (HEADER_NAMES.has(l) ? `${HEADER_NAMES.get(l)} (${l})` : JSON.stringify(l))).join(', ');

export const SIGNATURE_NOT_CHECKED = 'Signature NOT checked by inspect: use `latchkey verify` to check it against a trusted key.';

/** The human-readable form of inspect, one string per line. */
export function formatTicket(d: TicketDescription): string[] {
  const { claims } = d;
  const row = (label: string, value: string): string => `  ${label.padEnd(18)} ${value}`;
  const time = (s: number): string => `${s}  ${isoTime(s)}`;
  const text = kidText(d.kid);
  const lines = [
    `COSE_Sign1 ticket, ${d.size} bytes`,
    row('alg', `${ALG_NAMES.get(d.alg) ?? 'unknown'} (${d.alg})`),
    row('kid', `${text === undefined ? '' : `"${text}"  `}hex ${toHex(d.kid)}${d.kidInProtectedHeader ? '' : '  (unprotected header)'}`),
    row('headers', `protected: ${headerList(d.protectedLabels)}; unprotected: ${headerList(d.unprotectedLabels)}`),
  ];
  if (claims.iss !== undefined) lines.push(row('iss (issuer)', showText(claims.iss)));
  lines.push(
    row('sub (courier)', showText(claims.sub)),
    row('aud (lock)', showText(claims.aud)),
    row('nbf (not before)', time(claims.nbf)),
    row('exp (expires)', time(claims.exp)),
    row('iat (issued at)', time(claims.iat)),
    row('window', `${claims.exp - claims.nbf} s (${formatDuration(claims.exp - claims.nbf)})`),
    row('cti (ticket ID)', `${toHex(claims.cti)}  (${claims.cti.length} bytes)`),
    row('cnf (holder key)', `base64url ${base64urlEncode(claims.holderKey)}`),
    row('', `hex ${toHex(claims.holderKey)}`),
    SIGNATURE_NOT_CHECKED,
  );
  return lines;
}

/** The JSON form of inspect: the same facts, bytes as hex. */
export function ticketJson(d: TicketDescription): object {
  const { claims } = d;
  const text = kidText(d.kid);
  return {
    size: d.size,
    headers: {
      alg: d.alg,
      algName: ALG_NAMES.get(d.alg) ?? 'unknown',
      kid: { hex: toHex(d.kid), ...(text === undefined ? {} : { text }), protected: d.kidInProtectedHeader },
      protected: d.protectedLabels,
      unprotected: d.unprotectedLabels,
    },
    claims: {
      ...(claims.iss === undefined ? {} : { iss: claims.iss }),
      sub: claims.sub,
      aud: claims.aud,
      nbf: claims.nbf,
      nbfIso: isoTime(claims.nbf),
      exp: claims.exp,
      expIso: isoTime(claims.exp),
      iat: claims.iat,
      iatIso: isoTime(claims.iat),
      windowSeconds: claims.exp - claims.nbf,
      cti: toHex(claims.cti),
      holderKey: { base64url: base64urlEncode(claims.holderKey), hex: toHex(claims.holderKey) },
    },
    signatureChecked: false,
    note: SIGNATURE_NOT_CHECKED,
  };
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand('inspect', args, { json: { type: 'boolean' } }, 1);
  const path = positionals[0];
  if (path === undefined) throw new CliError('inspect: missing TICKET (a file, or - for stdin)');
  const description = describeTicket(readTicket(path), ticketLabel(path));
  if (values.json === true) stdout(JSON.stringify(ticketJson(description), null, 2) + '\n');
  else stdout(formatTicket(description).join('\n') + '\n');
  return 0;
}
