// The portable SHA-256 and SHA-512 (src/crypto/) against node:crypto (OpenSSL) on random messages
// of every length class 0–1000 (seeded), and the NIST million-'a' vectors (too slow for XS).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { sha256 } from '../../src/crypto/sha256.js';
import { sha512 } from '../../src/crypto/sha512.js';
import { CaseRandom } from '../portable/ed25519-cases.js';

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const SEED = 20261130;

describe('SHA-2 (portable) vs node:crypto', function () {
  this.timeout(60_000);

  it('agree on 2,000 random messages of length 0–1000 (seed 20261130)', () => {
    const rng = new CaseRandom(SEED);
    for (let i = 0; i < 2000; i++) {
      const m = rng.bytes(i < 1001 ? i : rng.below(1001));
      expect(hexOf(sha256(m)), `sha256 #${i}`).to.equal(createHash('sha256').update(m).digest('hex'));
      expect(hexOf(sha512(m)), `sha512 #${i}`).to.equal(createHash('sha512').update(m).digest('hex'));
    }
  });

  it("give the NIST digests of one million 'a'", () => {
    const m = new Uint8Array(1_000_000).fill(0x61);
    expect(hexOf(sha256(m))).to.equal('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    expect(hexOf(sha512(m))).to.equal(
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    );
  });
});
