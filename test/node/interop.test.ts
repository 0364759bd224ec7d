// Interoperability with an independent COSE implementation, @ldclabs/cose-ts (RFC 9052/9053/8392,
// its own CBOR via cborg and its own Ed25519 via @noble/curves), in both directions:
//  (a) tickets built and signed entirely with cose-ts are granted (or refused) by our verifyTicket;
//  (b) tickets from our issueTicket verify under cose-ts's Sign1Message and decode to the same claims.
//
// Loading cose-ts under plain Node: its ESM build (1.5.0, the latest) imports its own files without
// the ".js" extension ("./header"), which Node's ESM resolver refuses (bundlers accept it). So this
// file registers a resolve hook that retries exactly those imports, from inside
// node_modules/@ldclabs/cose-ts/dist/, with ".js" appended; nothing else is affected.

import { expect } from 'chai';
import { register } from 'node:module';
import { issueTicket, publicKeyFromSeed, type SigningKey } from '../../issuer/ticket.js';
import { verifyTicket, type Decision, type TicketReason } from '../../src/index.js';

// cose-ts's .d.ts files use the same extensionless imports, so under "moduleResolution": "NodeNext"
// TypeScript loses everything its classes inherit from KVMap. The shapes used here, typed locally:
type Label = number | string;
interface KVMap {
  has(key: Label): boolean;
  getInt(key: Label): number;
  getBytes(key: Label): Uint8Array;
  setParam(key: Label, value: unknown): this;
  toRaw(): Map<Label, unknown>;
  toBytes(): Uint8Array;
}
interface CoseKey extends KVMap {
  kid: Uint8Array;
  readonly kty: number | string;
}
interface CoseTs {
  Sign1Message: {
    new (payload: Uint8Array, protectedHeader?: KVMap, unprotectedHeader?: KVMap): { toBytes(key: CoseKey): Uint8Array };
    fromBytes(key: CoseKey, coseData: Uint8Array): { payload: Uint8Array; protected: KVMap | null };
    withTag(coseData: Uint8Array): Uint8Array;
  };
  Ed25519Key: { fromSecret(secret: Uint8Array): CoseKey; fromPublic(publicKey: Uint8Array): CoseKey };
  Header: new () => KVMap;
  Claims: {
    new (): KVMap & { iss: string; sub: string; aud: string; exp: number; nbf: number; iat: number; cti: Uint8Array; cnf: Map<Label, unknown> };
    fromBytes(
      data: Uint8Array,
    ): KVMap & { iss: string; sub: string; aud: string; exp: number; nbf: number; iat: number; cti: Uint8Array; cnf: Map<Label, unknown> };
  };
  Key: new (raw: Map<Label, unknown>) => CoseKey;
  iana: typeof import('@ldclabs/cose-ts/iana');
}

async function loadCoseTs(): Promise<CoseTs> {
  registerCoseTsResolver();
  const [sign1, ed25519, header, cwt, key, iana] = await Promise.all([
    import('@ldclabs/cose-ts/sign1'),
    import('@ldclabs/cose-ts/ed25519'),
    import('@ldclabs/cose-ts/header'),
    import('@ldclabs/cose-ts/cwt'),
    import('@ldclabs/cose-ts/key'),
    import('@ldclabs/cose-ts/iana'),
  ]);
  return {
    Sign1Message: sign1.Sign1Message as unknown as CoseTs['Sign1Message'],
    Ed25519Key: ed25519.Ed25519Key as unknown as CoseTs['Ed25519Key'],
    Header: header.Header as unknown as CoseTs['Header'],
    Claims: cwt.Claims as unknown as CoseTs['Claims'],
    Key: key.Key as unknown as CoseTs['Key'],
    iana,
  };
}

const RESOLVE_HOOK = `
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromCoseTs = (context.parentURL ?? '').includes('/node_modules/@ldclabs/cose-ts/dist/');
    const relativeWithoutExtension = /^\\.{1,2}\\//.test(specifier) && !/\\.[cm]?js$/.test(specifier);
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && fromCoseTs && relativeWithoutExtension) {
      return nextResolve(specifier + '.js', context);
    }
    throw error;
  }
}
`;

let hookRegistered = false;
function registerCoseTsResolver(): void {
  if (hookRegistered) return;
  register('data:text/javascript,' + encodeURIComponent(RESOLVE_HOOK), import.meta.url);
  hookRegistered = true;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const seed = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const bytes = (b: Uint8Array): number[] => Array.from(b);
const reasonOf = (d: Decision): TicketReason | 'granted' => (d.granted ? 'granted' : d.reason);

/** RFC 8747 confirmation method COSE_Key. */
const CNF_COSE_KEY = 1;
const LOCK_ID = 'lock:12-rue-des-lilas/door-a';
const NOW = 1_800_000_000;
const ISSUER_KID = utf8('backend-2026');
const ISSUER_SEED = seed(0x51);
const HOLDER_SEED = seed(0x52);
const CLAIMS = {
  iss: 'parcel-co',
  sub: 'courier-42',
  aud: LOCK_ID,
  exp: NOW + 3600,
  nbf: NOW - 600,
  iat: NOW - 900,
  cti: utf8('cose-ts-ticket-01'),
};

describe('interop with @ldclabs/cose-ts', () => {
  let Sign1Message: CoseTs['Sign1Message'];
  let Ed25519Key: CoseTs['Ed25519Key'];
  let Header: CoseTs['Header'];
  let Claims: CoseTs['Claims'];
  let Key: CoseTs['Key'];
  let iana: CoseTs['iana'];

  before(async () => {
    ({ Sign1Message, Ed25519Key, Header, Claims, Key, iana } = await loadCoseTs());
  });

  const issuerPublic = () => publicKeyFromSeed(ISSUER_SEED);
  const holderPublic = () => publicKeyFromSeed(HOLDER_SEED);
  const lockContext = (overrides: { lockId?: string; now?: number } = {}) => ({
    lockId: overrides.lockId ?? LOCK_ID,
    issuers: [{ kid: ISSUER_KID, publicKey: issuerPublic() }],
    now: overrides.now ?? NOW,
  });

  describe('(a) a ticket made entirely with cose-ts, verified by verifyTicket', () => {
    /** CWT claims 1..8 with cose-ts's Claims; cnf holds a COSE_Key made by cose-ts's Ed25519Key. */
    function coseTsClaims(overrides: Partial<typeof CLAIMS> = {}): Uint8Array {
      const c = { ...CLAIMS, ...overrides };
      const claims = new Claims();
      claims.iss = c.iss;
      claims.sub = c.sub;
      claims.aud = c.aud;
      claims.exp = c.exp;
      claims.nbf = c.nbf;
      claims.iat = c.iat;
      claims.cti = c.cti;
      // cose-ts's public Ed25519 COSE_Key is {1: 1 (OKP), 3: -8 (EdDSA), -1: 6 (Ed25519), -2: x}: the
      // optional alg is allowed in a cnf key (RFC 8747) and accepted by the lock.
      // cose-ts has no name for the cnf member "COSE_Key" (1, RFC 8747 §3.1), hence the literal.
      claims.cnf = new Map([[CNF_COSE_KEY, Ed25519Key.fromPublic(holderPublic()).toRaw()]]);
      return claims.toBytes();
    }

    /** Protected {1: -8, 4: kid}, empty unprotected header, tagged COSE_Sign1 (tag 18). */
    function coseTsTicket(payload: Uint8Array, signingSeed: Uint8Array = ISSUER_SEED): Uint8Array {
      const key = Ed25519Key.fromSecret(signingSeed);
      const protectedHeader = new Header().setParam(iana.HeaderParameterAlg, iana.AlgorithmEdDSA).setParam(iana.HeaderParameterKid, ISSUER_KID);
      const message = new Sign1Message(payload, protectedHeader, new Header());
      return Sign1Message.withTag(message.toBytes(key));
    }

    it('is granted, with the claims cose-ts put in', () => {
      const decision = verifyTicket(coseTsTicket(coseTsClaims()), lockContext());
      expect(reasonOf(decision)).to.equal('granted');
      if (!decision.granted) return;
      expect(decision.claims).to.deep.include({ iss: 'parcel-co', sub: 'courier-42', aud: LOCK_ID, exp: NOW + 3600, nbf: NOW - 600, iat: NOW - 900 });
      expect(bytes(decision.claims.cti)).to.deep.equal(bytes(CLAIMS.cti));
      expect(bytes(decision.claims.holderKey)).to.deep.equal(bytes(holderPublic()));
      expect(bytes(decision.kid)).to.deep.equal(bytes(ISSUER_KID));
    });

    it('is granted when cose-ts places the kid itself (from the key, in the unprotected header)', () => {
      const key = Ed25519Key.fromSecret(ISSUER_SEED);
      key.kid = ISSUER_KID; // the raw kid; cose-ts's setKid() would CBOR-encode it first
      // With no unprotected header given, cose-ts's toBytes fills it with {4: key.kid}.
      const message = new Sign1Message(coseTsClaims(), new Header().setParam(iana.HeaderParameterAlg, iana.AlgorithmEdDSA));
      const ticket = Sign1Message.withTag(message.toBytes(key));
      expect(reasonOf(verifyTicket(ticket, lockContext()))).to.equal('granted');
    });

    it('is refused when tampered with, signed by another key, or shown to the wrong lock or too late', () => {
      const good = coseTsTicket(coseTsClaims());
      // Change one character of the courier ID inside the signed payload.
      const at = Buffer.from(good).indexOf(Buffer.from('courier-42'));
      expect(at).to.be.greaterThan(0);
      const tampered = Uint8Array.from(good);
      tampered[at + 8] ^= 0x01; // courier-42 → courier-52
      expect(reasonOf(verifyTicket(tampered, lockContext()))).to.equal('bad-signature');
      const flippedSignature = Uint8Array.from(good);
      flippedSignature[flippedSignature.length - 1] ^= 0x80;
      expect(reasonOf(verifyTicket(flippedSignature, lockContext()))).to.equal('bad-signature');

      expect(reasonOf(verifyTicket(coseTsTicket(coseTsClaims(), seed(0x53)), lockContext()))).to.equal('bad-signature');
      expect(reasonOf(verifyTicket(good, lockContext({ lockId: 'lock:elsewhere/door-b' })))).to.equal('wrong-lock');
      expect(reasonOf(verifyTicket(good, lockContext({ now: NOW + 3600 + 61 })))).to.equal('expired');
      expect(reasonOf(verifyTicket(coseTsTicket(coseTsClaims({ aud: 'lock:elsewhere/door-b' })), lockContext()))).to.equal('wrong-lock');
    });

    it('is refused as malformed without the COSE_Sign1 tag, which cose-ts leaves off by default', () => {
      const key = Ed25519Key.fromSecret(ISSUER_SEED);
      const untagged = new Sign1Message(
        coseTsClaims(),
        new Header().setParam(iana.HeaderParameterAlg, iana.AlgorithmEdDSA).setParam(iana.HeaderParameterKid, ISSUER_KID),
        new Header(),
      ).toBytes(key);
      expect(untagged[0]).to.equal(0x84); // a bare 4-element array
      expect(reasonOf(verifyTicket(untagged, lockContext()))).to.equal('malformed');
    });
  });

  describe('(b) a ticket made by issueTicket, verified and decoded by cose-ts', () => {
    const ISSUER: SigningKey = { kid: ISSUER_KID, seed: ISSUER_SEED };
    const ours = () =>
      issueTicket(ISSUER, {
        iss: CLAIMS.iss,
        courier: CLAIMS.sub,
        lockId: CLAIMS.aud,
        notBefore: CLAIMS.nbf,
        expires: CLAIMS.exp,
        issuedAt: CLAIMS.iat,
        cti: CLAIMS.cti,
        holderPublicKey: holderPublic(),
      });

    it('verifies under the issuer public key with Sign1Message.fromBytes', () => {
      const message = Sign1Message.fromBytes(Ed25519Key.fromPublic(issuerPublic()), ours());
      expect(message.protected?.getInt(iana.HeaderParameterAlg)).to.equal(iana.AlgorithmEdDSA);
      expect(bytes(message.protected!.getBytes(iana.HeaderParameterKid))).to.deep.equal(bytes(ISSUER_KID));
    });

    it('decodes to the same claims, cnf included, with cose-ts Claims and Key', () => {
      const message = Sign1Message.fromBytes(Ed25519Key.fromPublic(issuerPublic()), ours());
      const claims = Claims.fromBytes(message.payload);
      expect([claims.iss, claims.sub, claims.aud, claims.exp, claims.nbf, claims.iat]).to.deep.equal([
        CLAIMS.iss,
        CLAIMS.sub,
        CLAIMS.aud,
        CLAIMS.exp,
        CLAIMS.nbf,
        CLAIMS.iat,
      ]);
      expect(bytes(claims.cti)).to.deep.equal(bytes(CLAIMS.cti));
      const cnf = claims.cnf;
      expect([...cnf.keys()]).to.deep.equal([CNF_COSE_KEY]);
      const holderKey = new Key(cnf.get(CNF_COSE_KEY) as Map<Label, unknown>);
      expect(holderKey.kty).to.equal(iana.KeyTypeOKP);
      expect(holderKey.getInt(iana.OKPKeyParameterCrv)).to.equal(iana.EllipticCurveEd25519);
      expect(bytes(holderKey.getBytes(iana.OKPKeyParameterX))).to.deep.equal(bytes(holderPublic()));
      expect(holderKey.has(iana.OKPKeyParameterD)).to.equal(false);
    });

    it('cose-ts refuses it under another key or after tampering (its check is real)', () => {
      const ticket = ours();
      expect(() => Sign1Message.fromBytes(Ed25519Key.fromPublic(publicKeyFromSeed(seed(0x53))), ticket)).to.throw(/signature mismatch/);
      const tampered = Uint8Array.from(ticket);
      tampered[Buffer.from(ticket).indexOf(Buffer.from('courier-42')) + 8] ^= 0x01;
      expect(() => Sign1Message.fromBytes(Ed25519Key.fromPublic(issuerPublic()), tampered)).to.throw(/signature mismatch/);
    });
  });
});
