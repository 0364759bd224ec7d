// The portable SHA-256 and SHA-512 (src/crypto/): FIPS 180-4 / NIST example vectors, and agreement
// with @noble/hashes (an independent implementation, bundled into XS for the XS run) on every length
// 0–300, which crosses each padding boundary. test/node/sha2.test.ts adds node:crypto on random
// lengths up to 1000 and the million-'a' vectors.
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { expect } from 'chai';
import { sha256 } from '../../src/crypto/sha256.js';
import { sha512 } from '../../src/crypto/sha512.js';
import { toHex } from '../../src/bytes.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ABC448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const ABC896 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';

export const SHA256_VECTORS: readonly [string, string][] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [ABC448, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [ABC896, 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1'],
];

export const SHA512_VECTORS: readonly [string, string][] = [
  ['', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
  ['abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  [ABC448, '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445'],
  [ABC896, '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'],
];

describe('SHA-2 (portable, src/crypto)', () => {
  it('SHA-256 gives the NIST example digests', () => {
    for (const [m, d] of SHA256_VECTORS) expect(toHex(sha256(ascii(m))), m).to.equal(d);
  });

  it('SHA-512 gives the NIST example digests', () => {
    for (const [m, d] of SHA512_VECTORS) expect(toHex(sha512(ascii(m))), m).to.equal(d);
  });

  it('agree with @noble/hashes on every length 0–300, and leave the input alone', () => {
    const input = new Uint8Array(300);
    for (let i = 0; i < input.length; i++) input[i] = (i * 167 + 13) & 255;
    const copy = input.slice();
    for (let n = 0; n <= 300; n++) {
      const m = input.subarray(0, n);
      expect(toHex(sha256(m)), `sha256 length ${n}`).to.equal(toHex(nobleSha256(m)));
      expect(toHex(sha512(m)), `sha512 length ${n}`).to.equal(toHex(nobleSha512(m)));
    }
    expect(toHex(input)).to.equal(toHex(copy));
  });

  it('hash a view at an offset of a larger buffer as its own bytes', () => {
    const buffer = new Uint8Array(200).map((_, i) => i);
    const view = buffer.subarray(7, 150);
    expect(toHex(sha256(view))).to.equal(toHex(nobleSha256(view.slice())));
    expect(toHex(sha512(view))).to.equal(toHex(nobleSha512(view.slice())));
  });
});
