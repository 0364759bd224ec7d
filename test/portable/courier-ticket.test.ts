// What the courier page reads before going to the door: a ticket in the text forms the CLI takes
// (issuer/ticket-text.ts) and what it says (courier/ticket-summary.ts), with the lock's own
// parsers. Portable: Node and XS.

import { expect } from 'chai';
import { summarizeTicket, ticketIsFor } from '../../courier/ticket-summary.js';
import { base64urlEncode, jwkFromSeed } from '../../issuer/jwk.js';
import { ticketFromFile, ticketFromText } from '../../issuer/ticket-text.js';
import { toHex } from '../../src/bytes.js';
import { HOLDER_PUBLIC, LOCK_ID, NOW, OTHER_ISSUER, ascii, seed, ticket } from './fixtures.js';
import { tk } from './lock-fixtures.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const error = (r: { ok: boolean; error?: string }): string => (r.ok ? 'ok' : (r.error as string));

describe('courier ticket reading', () => {
  it('takes every text form: hex (0x, upper case, whitespace anywhere), base64 (padded or not), base64url', () => {
    const t = tk('fixture');
    const hex = toHex(t);
    const b64url = base64urlEncode(t);
    const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    for (const text of [hex, `0x${hex.toUpperCase()}`, `  ${hex.slice(0, 30)}\n ${hex.slice(30)}\t`, b64, padded, b64url]) {
      expect(ok(ticketFromText(text)), text.slice(0, 12)).to.deep.equal(t);
    }
  });

  it('names what is not a ticket', () => {
    expect(error(ticketFromText('  \n'))).to.equal('empty (only whitespace)');
    expect(error(ticketFromText(JSON.stringify(jwkFromSeed(seed(3)))))).to.contain('this is a JWK key, not a ticket');
    expect(error(ticketFromText('{"a": 1}'))).to.contain('JSON, not a ticket');
    expect(error(ticketFromText('abc'))).to.equal('hex text with an odd number of digits (3)');
    expect(error(ticketFromText('not a ticket!'))).to.contain('neither hex nor base64');
  });

  it('a file: binary as is, text after a UTF-8 BOM, empty named', () => {
    const t = tk('fixture');
    expect(ok(ticketFromFile(t))).to.deep.equal(t);
    expect(ok(ticketFromFile(Uint8Array.of(0xef, 0xbb, 0xbf, ...ascii(toHex(t) + '\n'))))).to.deep.equal(t);
    expect(error(ticketFromFile(new Uint8Array(0)))).to.equal('empty');
  });

  it('says which lock, window, courier, issuer and holder key, without checking the signature', () => {
    const s = ok(summarizeTicket(tk('fixture')));
    expect(s).to.deep.include({
      lockId: LOCK_ID,
      courier: 'courier-42',
      issuerName: 'parcel-co',
      issuerKid: 'issuer-1',
      notBefore: NOW - 600,
      expires: NOW + 3600,
      issuedAt: NOW - 900,
      ticketId: toHex(ascii('ticket-0001')),
      boundToChallenge: false,
      bytes: tk('fixture').length,
    });
    expect(ticketIsFor(s, HOLDER_PUBLIC)).to.equal(true);
    expect(ticketIsFor(s, new Uint8Array(32))).to.equal(false);
    const other = ok(summarizeTicket(ticket({ cti: ascii('other-0001') }, { ...OTHER_ISSUER, kid: Uint8Array.of(0, 1, 0xfe) })));
    expect(other.issuerKid, 'a kid that is not printable is shown as hex').to.equal('0001fe');
  });

  it('refuses what is not a Latchkey ticket, with the lock reason', () => {
    expect(error(summarizeTicket(ascii('hello')))).to.match(/^not a Latchkey ticket \(malformed: /);
    expect(error(summarizeTicket(new Uint8Array(2000)))).to.match(/^not a Latchkey ticket \(too-large: /);
  });
});
