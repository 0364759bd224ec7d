// The lock's own signer (src/crypto/ed25519-sign.ts: device key, receipts, log exports) against
// the RFC 8032 §7.1 vectors, and against the independent verifier the lock uses for tickets.

import { expect } from 'chai';
import rfc8032 from '../vectors/rfc8032-ed25519.json' with { type: 'json' };
import { publicKeyFromSeed, signEd25519 } from '../../issuer/ticket.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { ed25519PublicKey, ed25519Sign, ed25519SignExpanded, expandEd25519Seed } from '../../src/crypto/ed25519-sign.js';
import { portableHashes } from '../../src/crypto/portable-hashes.js';
import { verifyEd25519 } from '../../src/ed25519.js';

const sha512 = portableHashes().sha512;
const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

describe('Ed25519 signing (device key)', () => {
  for (const v of rfc8032.vectors) {
    it(`RFC 8032 ${v.name}: public key and signature byte for byte`, () => {
      const seed = hex(v.secretKey);
      const message = hex(v.message);
      expect(toHex(ed25519PublicKey(seed, sha512))).to.equal(v.publicKey);
      expect(toHex(ed25519Sign(seed, message, sha512))).to.equal(v.signature);
      expect(toHex(ed25519SignExpanded(expandEd25519Seed(seed, sha512), message, sha512))).to.equal(v.signature);
    });
  }

  it('agrees with tweetnacl on other seeds, and its signatures verify strictly', () => {
    for (const fill of [0, 7, 0xfe]) {
      const seed = Uint8Array.from({ length: 32 }, (_, i) => (fill + i * 13) & 255);
      const message = Uint8Array.from({ length: fill % 50 }, (_, i) => i);
      const signature = ed25519Sign(seed, message, sha512);
      expect(toHex(ed25519PublicKey(seed, sha512))).to.equal(toHex(publicKeyFromSeed(seed)));
      expect(toHex(signature)).to.equal(toHex(signEd25519(seed, message)));
      expect(verifyEd25519(signature, message, publicKeyFromSeed(seed))).to.equal(true);
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => ed25519Sign(new Uint8Array(31), new Uint8Array(0), sha512)).to.throw(RangeError);
  });
});
