import { expect } from 'chai';
import { Tag } from 'cbor-x/index-no-eval';
import { encodeClaims, encodeCbor, signSign1 } from '../../issuer/ticket.js';
import { MAX_TICKET_BYTES, TICKET_REASONS, prepareEd25519Key, prepareIssuers, toHex, verifyTicket, type Decision, type TicketReason } from '../../src/index.js';
import {
  ALG_ED25519,
  CLAIM_AUD,
  CLAIM_CNF,
  CLAIM_CTI,
  CLAIM_EXP,
  CLAIM_IAT,
  CLAIM_SUB,
  MAX_TICKET_TIME,
  HEADER_ALG,
  HEADER_CRIT,
  HEADER_KID,
  HEADER_TYP,
} from '../../src/ticket.js';
import { ascii, context, fields, HOLDER_PUBLIC, ISSUER, LOCK_ID, NOW, OTHER_ISSUER, TRUSTED, ticket } from './fixtures.js';

function reasonOf(decision: Decision): TicketReason | 'granted' {
  return decision.granted ? 'granted' : decision.reason;
}

const claimsMap = (mutate: (m: Map<number | string, unknown>) => void): Uint8Array => {
  const base = encodeClaims(fields());
  // Round-trip through a Map so a test can change one claim and keep the rest.
  const m = new Map<number | string, unknown>([
    [1, 'parcel-co'],
    [2, 'courier-42'],
    [3, LOCK_ID],
    [4, NOW + 3600],
    [5, NOW - 600],
    [6, NOW - 900],
    [7, ascii('ticket-0001')],
    [
      8,
      new Map([
        [
          1,
          new Map<number, unknown>([
            [1, 1],
            [-1, 6],
            [-2, HOLDER_PUBLIC],
          ]),
        ],
      ]),
    ],
  ]);
  expect(encodeCbor(m)).to.deep.equal(base); // the helper builds exactly what the issuer builds
  mutate(m);
  return encodeCbor(m);
};
const withClaims = (mutate: (m: Map<number | string, unknown>) => void) => signSign1(ISSUER, claimsMap(mutate));
const headers = (entries: [number, unknown][]) => new Map<number, unknown>(entries);
const baseHeaders = (): [number, unknown][] => [
  [HEADER_ALG, -8],
  [HEADER_KID, ISSUER.kid],
];

describe('verifyTicket', () => {
  it('grants a good ticket and returns its claims', () => {
    const decision = verifyTicket(ticket(), context());
    expect(decision.granted).to.equal(true);
    if (!decision.granted) return;
    expect(decision.claims).to.deep.include({ iss: 'parcel-co', sub: 'courier-42', aud: LOCK_ID, exp: NOW + 3600, nbf: NOW - 600, iat: NOW - 900 });
    expect(Array.from(decision.claims.cti)).to.deep.equal(Array.from(ascii('ticket-0001')));
    expect(Array.from(decision.claims.holderKey)).to.deep.equal(Array.from(HOLDER_PUBLIC));
    expect(Array.from(decision.kid)).to.deep.equal(Array.from(ISSUER.kid));
  });

  it('with prepared issuer keys: the same decisions, and a prepared key for another key is not used', () => {
    const issuers = prepareIssuers(context().issuers);
    expect(issuers.every((i) => i.preparedKey !== undefined)).to.equal(true);
    expect(verifyTicket(ticket(), context({ issuers })).granted).to.equal(true);
    expect(verifyTicket(ticket({}, OTHER_ISSUER), context({ issuers })).granted).to.equal(true);
    const tampered = ticket();
    tampered[tampered.length - 5] ^= 1; // inside the signature
    expect(reasonOf(verifyTicket(tampered, context({ issuers })))).to.equal('bad-signature');
    // issuer-1's entry carrying issuer-2's prepared key: verified under issuer-1's bytes, as before.
    const [first, second] = issuers;
    const mixed = [{ ...first, preparedKey: second.preparedKey }, second];
    expect(verifyTicket(ticket(), context({ issuers: mixed })).granted).to.equal(true);
    expect(reasonOf(verifyTicket(ticket(), context({ issuers: [{ ...second, kid: first.kid }] })))).to.equal('bad-signature');
    // An invalid issuer key cannot be prepared and verifies nothing.
    const broken = prepareIssuers([{ kid: first.kid, publicKey: new Uint8Array(32) }]);
    expect(broken[0].preparedKey).to.equal(prepareEd25519Key(new Uint8Array(32)));
    expect(reasonOf(verifyTicket(ticket(), context({ issuers: broken })))).to.equal('bad-signature');
  });

  it('reproduces and grants the annotated example of docs/ticket.md byte for byte', () => {
    const docHex =
      'd2844da2012704486973737565722d31a05886a8016970617263656c2d636f026a636f75726965722d343203781c' +
      '6c6f636b3a31322d7275652d6465732d6c696c61732f646f6f722d61041a6b49e010051a6b49d200061a6b49d0d4' +
      '07505e1f07a29311c40d2b667180e93a540c08a101a301012006215820ed4928c628d1c2c6eae903389059956129' +
      '59273a5c63f93636c14614ac8737d158401c4ed3cd5b50919123a03035b9a357736e6edfb0d84eec9587abc9c41c' +
      '5bf0ccfa3a02ac886f02faf04c2b12d25fe1a44b4cab2f2963b769b5ad56d33fa8ac04';
    const cti = Uint8Array.from([0x5e, 0x1f, 0x07, 0xa2, 0x93, 0x11, 0xc4, 0x0d, 0x2b, 0x66, 0x71, 0x80, 0xe9, 0x3a, 0x54, 0x0c]);
    const made = ticket({ notBefore: 1800000000, expires: 1800003600, issuedAt: 1799999700, cti });
    expect(toHex(made)).to.equal(docHex);
    expect(made.length).to.equal(219);
    expect(reasonOf(verifyTicket(made, context({ now: 1800000100 })))).to.equal('granted');
  });

  it('grants a ticket without iss, signed by a second trusted issuer, with alg Ed25519 (-19)', () => {
    const { iss: _unused, ...noIss } = fields();
    expect(reasonOf(verifyTicket(ticket({ ...noIss, iss: undefined }, OTHER_ISSUER), context()))).to.equal('granted');
    const ed25519Alg = signSign1(
      ISSUER,
      encodeClaims(fields()),
      headers([
        [HEADER_ALG, ALG_ED25519],
        [HEADER_KID, ISSUER.kid],
      ]),
    );
    expect(reasonOf(verifyTicket(ed25519Alg, context()))).to.equal('granted');
  });

  it('accepts a kid in the unprotected header, and ignores unknown unprotected headers', () => {
    const t = signSign1(
      ISSUER,
      encodeClaims(fields()),
      headers([[HEADER_ALG, -8]]),
      new Map<number, unknown>([
        [HEADER_KID, ISSUER.kid],
        [33, ascii('x5chain')],
      ]),
    );
    expect(reasonOf(verifyTicket(t, context()))).to.equal('granted');
  });

  it('ignores unknown claims, text-keyed or numbered', () => {
    expect(
      reasonOf(
        verifyTicket(
          withClaims((m) => {
            m.set('room', '4B');
            m.set(1000, [-15, null, true]);
          }),
          context(),
        ),
      ),
    ).to.equal('granted');
  });

  describe('refusals', () => {
    const cases: [string, () => Decision, TicketReason][] = [
      ['empty input', () => verifyTicket(new Uint8Array(0), context()), 'malformed'],
      ['not bytes at all', () => verifyTicket('d284' as unknown as Uint8Array, context()), 'malformed'],
      ['oversized input', () => verifyTicket(new Uint8Array(MAX_TICKET_BYTES + 1), context()), 'too-large'],
      ['untagged COSE_Sign1', () => verifyTicket(ticket().subarray(1), context()), 'malformed'],
      ['trailing byte', () => verifyTicket(Uint8Array.from([...ticket(), 0]), context()), 'malformed'],
      ['COSE_Sign1 with 3 elements', () => verifyTicket(encodeCbor(new Tag([new Uint8Array(1), new Map(), new Uint8Array(1)], 18)), context()), 'malformed'],
      [
        'detached (nil) payload',
        () => verifyTicket(encodeCbor(new Tag([encodeCbor(headers(baseHeaders())), new Map(), null, new Uint8Array(64)], 18)), context()),
        'malformed',
      ],
      [
        'empty protected header',
        () => verifyTicket(encodeCbor(new Tag([new Uint8Array(0), new Map(), new Uint8Array(1), new Uint8Array(64)], 18)), context()),
        'malformed',
      ],
      ['alg missing', () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([[HEADER_KID, ISSUER.kid]])), context()), 'malformed'],
      [
        'alg only unprotected',
        () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([[HEADER_KID, ISSUER.kid]]), new Map([[HEADER_ALG, -8]])), context()),
        'malformed',
      ],
      [
        'same header in both buckets',
        () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers(baseHeaders()), new Map<number, unknown>([[HEADER_KID, ISSUER.kid]])), context()),
        'malformed',
      ],
      [
        'alg ES256',
        () =>
          verifyTicket(
            signSign1(
              ISSUER,
              encodeClaims(fields()),
              headers([
                [HEADER_ALG, -7],
                [HEADER_KID, ISSUER.kid],
              ]),
            ),
            context(),
          ),
        'unsupported-algorithm',
      ],
      [
        'crit naming an unknown header',
        () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([...baseHeaders(), [HEADER_CRIT, [99]], [99, 1]])), context()),
        'unsupported-critical',
      ],
      [
        'crit naming a text label',
        () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([...baseHeaders(), [HEADER_CRIT, ['ext']]])), context()),
        'unsupported-critical',
      ],
      ['empty crit', () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([...baseHeaders(), [HEADER_CRIT, []]])), context()), 'malformed'],
      ['kid missing', () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([[HEADER_ALG, -8]])), context()), 'malformed'],
      [
        'kid as text',
        () =>
          verifyTicket(
            signSign1(
              ISSUER,
              encodeClaims(fields()),
              headers([
                [HEADER_ALG, -8],
                [HEADER_KID, 'issuer-1'],
              ]),
            ),
            context(),
          ),
        'malformed',
      ],
      ['unknown kid', () => verifyTicket(signSign1({ kid: ascii('stranger'), seed: ISSUER.seed }, encodeClaims(fields())), context()), 'unknown-issuer'],
      [
        'signed by another key under a trusted kid',
        () => verifyTicket(signSign1({ kid: ISSUER.kid, seed: OTHER_ISSUER.seed }, encodeClaims(fields())), context()),
        'bad-signature',
      ],
      [
        'payload altered after signing',
        () => {
          const t = ticket();
          t[t.length - 80] ^= 1; // 14 bytes before the 66-byte signature field: inside the payload
          return verifyTicket(t, context());
        },
        'bad-signature',
      ],
      [
        '63-byte signature',
        () => {
          const t = ticket();
          // Last element is a 64-byte bstr (0x58 0x40 + 64). Rebuild with 63 bytes.
          const body = t.subarray(0, t.length - 66);
          return verifyTicket(Uint8Array.from([...body, 0x58, 63, ...t.subarray(t.length - 63)]), context());
        },
        'bad-signature',
      ],
      [
        'typ listed as critical but absent',
        () => verifyTicket(signSign1(ISSUER, encodeClaims(fields()), headers([...baseHeaders(), [HEADER_CRIT, [HEADER_TYP]]])), context()),
        'malformed',
      ],
      ['payload not CBOR', () => verifyTicket(signSign1(ISSUER, Uint8Array.from([0x1c])), context()), 'malformed'],
      [
        'payload with duplicate claim',
        () => verifyTicket(signSign1(ISSUER, Uint8Array.from([0xa2, 0x03, 0x61, 0x61, 0x03, 0x61, 0x62])), context()),
        'malformed',
      ],
      ['payload an array', () => verifyTicket(signSign1(ISSUER, encodeCbor([1, 2])), context()), 'malformed'],
      [
        'sub missing',
        () =>
          verifyTicket(
            withClaims((m) => m.delete(CLAIM_SUB)),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'aud as array',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_AUD, [LOCK_ID])),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'exp as float',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_EXP, NOW + 0.5)),
            context(),
          ),
        'malformed',
      ],
      // The lock stores exp + skew in 32 bits: a later claim is one no lock could keep (docs/cli.md).
      [
        'exp beyond 2^32 (an exact 64-bit integer, far in the future)',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_EXP, 5_000_000_000)),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'exp one second after MAX_TICKET_TIME',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_EXP, MAX_TICKET_TIME + 1)),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'iat after MAX_TICKET_TIME',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_IAT, MAX_TICKET_TIME + 1)),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'exp as text',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_EXP, String(NOW))),
            context(),
          ),
        'invalid-claims',
      ],
      ['nbf after exp', () => verifyTicket(ticket({ notBefore: NOW + 10, expires: NOW }), context()), 'invalid-claims'],
      ['cti of 7 bytes', () => verifyTicket(ticket({ cti: new Uint8Array(7) }), context()), 'invalid-claims'],
      ['cti of 33 bytes', () => verifyTicket(ticket({ cti: new Uint8Array(33) }), context()), 'invalid-claims'],
      [
        'cti as text',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_CTI, 'ticket-0001')),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'cnf missing',
        () =>
          verifyTicket(
            withClaims((m) => m.delete(CLAIM_CNF)),
            context(),
          ),
        'invalid-claims',
      ],
      ['cnf key of 31 bytes', () => verifyTicket(ticket({ holderPublicKey: new Uint8Array(31) }), context()), 'invalid-claims'],
      [
        'cnf key with crv X25519',
        () =>
          verifyTicket(
            withClaims((m) =>
              m.set(
                CLAIM_CNF,
                new Map([
                  [
                    1,
                    new Map<number, unknown>([
                      [1, 1],
                      [-1, 4],
                      [-2, HOLDER_PUBLIC],
                    ]),
                  ],
                ]),
              ),
            ),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'cnf key carrying d',
        () =>
          verifyTicket(
            withClaims((m) =>
              m.set(
                CLAIM_CNF,
                new Map([
                  [
                    1,
                    new Map<number, unknown>([
                      [1, 1],
                      [-1, 6],
                      [-2, HOLDER_PUBLIC],
                      [-4, new Uint8Array(32)],
                    ]),
                  ],
                ]),
              ),
            ),
            context(),
          ),
        'invalid-claims',
      ],
      [
        'cnf by kid only',
        () =>
          verifyTicket(
            withClaims((m) => m.set(CLAIM_CNF, new Map([[3, ascii('key-1')]]))),
            context(),
          ),
        'invalid-claims',
      ],
      ['another lock', () => verifyTicket(ticket({ lockId: 'lock:14-rue-des-lilas/door-a' }), context()), 'wrong-lock'],
      [
        'cnonce that is not this challenge',
        () =>
          verifyTicket(
            withClaims((m) => m.set(39, new Uint8Array(32).fill(7))),
            context({ challenge: new Uint8Array(32) }),
          ),
        'bad-cnonce',
      ],
      [
        'cnonce with no challenge to match',
        () =>
          verifyTicket(
            withClaims((m) => m.set(39, new Uint8Array(32))),
            context(),
          ),
        'bad-cnonce',
      ],
      [
        'clockless without a cnonce',
        () => verifyTicket(ticket(), context({ challenge: new Uint8Array(32), clockless: { maxWindowSeconds: 300 } })),
        'bad-cnonce',
      ],
      [
        'cnonce as text',
        () =>
          verifyTicket(
            withClaims((m) => m.set(39, 'abc')),
            context(),
          ),
        'invalid-claims',
      ],
      ['lock ID differing in case', () => verifyTicket(ticket({ lockId: LOCK_ID.toUpperCase() }), context()), 'wrong-lock'],
      ['window of 24 h + 1 s', () => verifyTicket(ticket({ notBefore: NOW - 10, expires: NOW - 10 + 86401 }), context()), 'window-too-long'],
      ['window above a configured 1 h', () => verifyTicket(ticket(), context({ maxWindowSeconds: 3600 })), 'window-too-long'],
      ['iat beyond now + skew', () => verifyTicket(ticket({ issuedAt: NOW + 61, notBefore: NOW + 61 }), context()), 'issued-in-future'],
      ['before nbf − skew', () => verifyTicket(ticket({ notBefore: NOW + 61, issuedAt: NOW }), context()), 'not-yet-valid'],
      ['after exp + skew', () => verifyTicket(ticket({ expires: NOW - 61 }), context()), 'expired'],
      ['a bad context (now not an integer)', () => verifyTicket(ticket(), context({ now: NaN })), 'internal-error'],
      ['a bad context (no lock ID)', () => verifyTicket(ticket(), context({ lockId: '' })), 'internal-error'],
      // Two keys under one kid: the decision would depend on their order, so none is made.
      [
        'a bad context (two trusted keys share a kid)',
        () => verifyTicket(ticket(), context({ issuers: [...TRUSTED, { kid: TRUSTED[0].kid, publicKey: TRUSTED[1].publicKey }] })),
        'internal-error',
      ],
      ['a bad context (skew over a day)', () => verifyTicket(ticket(), context({ skewSeconds: 86_401 })), 'internal-error'],
    ];
    for (const [name, run, reason] of cases) {
      it(`${name} → ${reason}`, () => {
        const decision = run();
        expect(reasonOf(decision)).to.equal(reason);
        if (!decision.granted) expect(decision.detail).to.be.a('string');
      });
    }

    it('covers every reason code but internal-error with a real ticket', () => {
      const seen = new Set(cases.map(([, , r]) => r));
      expect(Object.keys(TICKET_REASONS).filter((r) => !seen.has(r as TicketReason))).to.deep.equal([]);
    });
  });

  describe('time edges (skew 60 s)', () => {
    const edge: [string, number, TicketReason | 'granted'][] = [
      ['exactly nbf − skew', NOW - 600 - 60, 'granted'],
      ['one second earlier', NOW - 600 - 61, 'not-yet-valid'],
      ['exactly exp + skew', NOW + 3600 + 60, 'granted'],
      ['one second later', NOW + 3600 + 61, 'expired'],
    ];
    for (const [name, now, reason] of edge) {
      it(`${name} → ${reason}`, () => {
        expect(reasonOf(verifyTicket(ticket(), context({ now })))).to.equal(reason);
      });
    }
    it('honours a configured skew of 0', () => {
      expect(reasonOf(verifyTicket(ticket({ notBefore: NOW + 1, issuedAt: NOW - 5 }), context({ skewSeconds: 0 })))).to.equal('not-yet-valid');
      expect(reasonOf(verifyTicket(ticket({ notBefore: NOW, issuedAt: NOW - 5 }), context({ skewSeconds: 0 })))).to.equal('granted');
    });
    it('accepts a window of exactly the maximum', () => {
      expect(reasonOf(verifyTicket(ticket({ notBefore: NOW - 10, expires: NOW - 10 + 86400 }), context()))).to.equal('granted');
    });
  });

  it('allows a skew of exactly a day (MAX_SKEW_SECONDS), the bound the issuer and the lock share', () => {
    const late = ticket({ cti: ascii('skew-of-a-day'), issuedAt: NOW - 90_000, notBefore: NOW - 90_000, expires: NOW - 86_400 });
    expect(reasonOf(verifyTicket(late, context({ skewSeconds: 86_400 })))).to.equal('granted');
    expect(reasonOf(verifyTicket(late, context({ skewSeconds: 86_399 })))).to.equal('expired');
  });

  it('never throws and never grants for any single-byte change of a good ticket', () => {
    // verifyTicket turns a throw into internal-error, so "never throws" means: no mutant is ever
    // refused as internal-error. A full sweep (every byte, every value: 214 × 255 = 54,570 tickets)
    // found none; by default every third byte with one mask, LATCHKEY_FULL_SWEEP=1 for all of them.
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const full = env?.LATCHKEY_FULL_SWEEP === '1';
    const good = ticket();
    const reasons = new Map<string, number>();
    let mutants = 0;
    for (let i = 0; i < good.length; i += full ? 1 : 3) {
      for (const mask of full ? Array.from({ length: 255 }, (_, k) => k + 1) : [0x41]) {
        const t = good.slice();
        t[i] ^= mask;
        const decision = verifyTicket(t, context());
        mutants++;
        expect(decision.granted, `byte ${i} ^ ${mask}`).to.equal(false);
        if (!decision.granted) {
          expect(decision.reason, `byte ${i} ^ ${mask}: ${decision.detail}`).to.not.equal('internal-error');
          reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
        }
      }
    }
    expect(mutants).to.equal(full ? good.length * 255 : Math.ceil(good.length / 3));
    // The mutants reach every stage: structure, issuer lookup and signature.
    for (const reason of ['malformed', 'unknown-issuer', 'bad-signature']) expect(reasons.get(reason) ?? 0, reason).to.be.greaterThan(0);
  });
});
