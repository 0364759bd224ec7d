import { expect } from 'chai';
import nacl from 'tweetnacl';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { ed25519SelfTest, fromHex, prepareEd25519Key, verifyEd25519, verifyEd25519Prepared, type PreparedEd25519Key } from '../../src/index.js';
import rfc8032 from '../vectors/rfc8032-ed25519.json' with { type: 'json' };
import wycheproof from '../vectors/wycheproof/ed25519_test.json' with { type: 'json' };

const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

describe('Ed25519 (strict RFC 8032 / FIPS 186-5)', () => {
  it('agrees with every Wycheproof ed25519_test.json vector', () => {
    let valid = 0;
    let invalid = 0;
    const disagreements: string[] = [];
    for (const group of wycheproof.testGroups) {
      const pk = hex(group.publicKey.pk);
      for (const t of group.tests) {
        const ok = verifyEd25519(hex(t.sig), hex(t.msg), pk);
        if (ok !== (t.result === 'valid')) disagreements.push(`tcId ${t.tcId} (${t.flags.join(',')})`);
        if (t.result === 'valid') valid++;
        else invalid++;
      }
    }
    expect(disagreements).to.deep.equal([]);
    expect(valid + invalid).to.equal(wycheproof.numberOfTests);
    expect(valid).to.equal(88);
    expect(invalid).to.equal(63);
  });

  it('agrees with every Wycheproof vector on the prepared-key path too (a key that cannot be prepared has only invalid vectors)', () => {
    let checked = 0;
    const disagreements: string[] = [];
    for (const group of wycheproof.testGroups) {
      const pk = hex(group.publicKey.pk);
      const prepared = prepareEd25519Key(pk);
      for (const t of group.tests) {
        const ok = prepared === undefined ? false : verifyEd25519Prepared(hex(t.sig), hex(t.msg), prepared);
        if (ok !== (t.result === 'valid')) disagreements.push(`tcId ${t.tcId} (${t.flags.join(',')})`);
        checked++;
      }
    }
    expect(disagreements).to.deep.equal([]);
    expect(checked).to.equal(151);
  });

  it('takes the SHA-512 it is given: noble-hashes agrees, a wrong hash refuses everything', () => {
    const v = rfc8032.vectors[2];
    const [sig, msg, pk] = [hex(v.signature), hex(v.message), hex(v.publicKey)];
    const prepared = prepareEd25519Key(pk) as PreparedEd25519Key;
    expect(verifyEd25519(sig, msg, pk, nobleSha512)).to.equal(true);
    expect(verifyEd25519Prepared(sig, msg, prepared, nobleSha512)).to.equal(true);
    const wrong = (m: Uint8Array) => nobleSha512(Uint8Array.of(...m, 0));
    expect(verifyEd25519(sig, msg, pk, wrong)).to.equal(false);
    expect(verifyEd25519Prepared(sig, msg, prepared, wrong)).to.equal(false);
    expect(verifyEd25519(sig, msg, pk, () => new Uint8Array(32))).to.equal(false);
    expect(
      verifyEd25519(sig, msg, pk, () => {
        throw new Error('digest failed');
      }),
    ).to.equal(false);
    expect(ed25519SelfTest(nobleSha512)).to.equal(true);
    expect(ed25519SelfTest(wrong)).to.equal(false);
  });

  it('never throws on inputs of the wrong type, and a forged prepared key verifies nothing', () => {
    const v = rfc8032.vectors[1];
    const [sig, msg, pk] = [hex(v.signature), hex(v.message), hex(v.publicKey)];
    const bad = [undefined, null, 42, 'text', [1, 2], {}, new Uint16Array(32), new ArrayBuffer(32)] as unknown as Uint8Array[];
    for (const x of bad) {
      expect(verifyEd25519(x, msg, pk)).to.equal(false);
      expect(verifyEd25519(sig, x, pk)).to.equal(false);
      expect(verifyEd25519(sig, msg, x)).to.equal(false);
      expect(prepareEd25519Key(x)).to.equal(undefined);
      expect(verifyEd25519Prepared(sig, msg, x as unknown as PreparedEd25519Key)).to.equal(false);
    }
    const forged = { publicKey: pk } as unknown as PreparedEd25519Key;
    expect(verifyEd25519Prepared(sig, msg, forged)).to.equal(false);
    const prepared = prepareEd25519Key(pk) as PreparedEd25519Key;
    expect(Object.isFrozen(prepared)).to.equal(true);
    // The prepared key keeps its own copy: changing the caller's bytes afterwards changes nothing.
    const mine = pk.slice();
    const own = prepareEd25519Key(mine) as PreparedEd25519Key;
    mine[0] ^= 1;
    expect(verifyEd25519Prepared(sig, msg, own)).to.equal(true);
    own.publicKey[0] ^= 1; // a copy: the key it verifies under stays the same
    expect(verifyEd25519Prepared(sig, msg, own)).to.equal(true);
    expect(Array.from(own.publicKey)).to.deep.equal(Array.from(pk));
    expect(verifyEd25519Prepared(sig, msg, prepared)).to.equal(true);
  });

  it('verifies every RFC 8032 §7.1 vector, and refuses each with one bit flipped', () => {
    for (const v of rfc8032.vectors) {
      const sig = hex(v.signature);
      const prepared = prepareEd25519Key(hex(v.publicKey)) as PreparedEd25519Key;
      expect(verifyEd25519(sig, hex(v.message), hex(v.publicKey)), v.name).to.equal(true);
      expect(verifyEd25519Prepared(sig, hex(v.message), prepared), v.name).to.equal(true);
      for (const bit of [5 * 8, 33 * 8 + 3, 511 - 6]) {
        const bad = sig.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(verifyEd25519(bad, hex(v.message), hex(v.publicKey)), v.name).to.equal(false);
        expect(verifyEd25519Prepared(bad, hex(v.message), prepared), v.name).to.equal(false);
      }
    }
    expect(rfc8032.vectors.length).to.equal(5);
  });

  it('agrees with tweetnacl (the host-side oracle): its signatures verify, its refusals are refused', () => {
    // tweetnacl signs and verifies independently of src/ed25519.ts; both must decide alike on
    // fresh keys and messages of several lengths, and on the same inputs with one byte changed.
    for (const [k, length] of [0, 1, 64, 300].entries()) {
      const pair = nacl.sign.keyPair.fromSeed(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + k * 31 + 1) & 255));
      const message = Uint8Array.from({ length }, (_, i) => (i * 13 + k) & 255);
      const signature = nacl.sign.detached(message, pair.secretKey);
      expect(verifyEd25519(signature, message, pair.publicKey), `length ${length}`).to.equal(true);
      expect(nacl.sign.detached.verify(message, signature, pair.publicKey)).to.equal(true);
      const changed = [
        ['message', length === 0 ? Uint8Array.of(0) : message.map((b, i) => (i === length - 1 ? b ^ 1 : b)), signature, pair.publicKey],
        ['R', message, signature.map((b, i) => (i === 3 ? b ^ 0x10 : b)), pair.publicKey],
      ] as const;
      for (const [what, m, sig, pk] of changed) {
        const ours = verifyEd25519(sig, m, pk);
        expect(ours, `length ${length}, ${what} changed`).to.equal(nacl.sign.detached.verify(m, sig, pk));
        expect(ours, `length ${length}, ${what} changed`).to.equal(false);
      }
    }
    // And the keys tweetnacl derives are RFC 8032's.
    for (const v of rfc8032.vectors) {
      expect(Array.from(nacl.sign.keyPair.fromSeed(hex(v.secretKey)).publicKey)).to.deep.equal(Array.from(hex(v.publicKey)));
    }
  });

  it('refuses S + L (malleated S) that a lenient verifier would accept', () => {
    const v = rfc8032.vectors[0];
    const sig = hex(v.signature);
    // L = 2^252 + 27742317777372353535851937790883648493, little-endian; add it to S.
    const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    const malleated = sig.slice();
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const sum = malleated[32 + i] + L[i] + carry;
      malleated[32 + i] = sum & 255;
      carry = sum >> 8;
    }
    expect(carry).to.equal(0);
    expect(verifyEd25519(malleated, hex(v.message), hex(v.publicKey))).to.equal(false);
  });

  it('refuses wrong lengths and a small-order public key without throwing', () => {
    const v = rfc8032.vectors[1];
    expect(verifyEd25519(hex(v.signature).subarray(0, 63), hex(v.message), hex(v.publicKey))).to.equal(false);
    expect(verifyEd25519(hex(v.signature), hex(v.message), hex(v.publicKey).subarray(1))).to.equal(false);
    const identity = new Uint8Array(32);
    identity[0] = 1; // the neutral element: small order
    expect(verifyEd25519(hex(v.signature), hex(v.message), identity)).to.equal(false);
    expect(prepareEd25519Key(identity)).to.equal(undefined);
  });

  it('passes the boot self-test (RFC 8032 known answer, and its bit-flipped twin refused)', () => {
    expect(ed25519SelfTest()).to.equal(true);
  });
});
