// Known answers for the hash functions the lock is given (hal Hashes): on the device they are
// Moddable's native Digest, in the simulator portable JavaScript. The boot self-test runs these
// so a wrong or misbound digest shows as a failed self-test, never as a refused or (worse)
// accepted ticket. Vectors: FIPS 180-2 / NIST CSRC examples ("abc", and the two-block message).

import type { Hashes, HashFunction } from '../hal/index.js';
import { bytesEqual, fromHex } from './bytes.js';

const ABC = 'abc';
const TWO_BLOCKS = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';

interface KnownAnswer {
  readonly hash: keyof Hashes;
  readonly message: string;
  readonly digest: string;
}

const KNOWN_ANSWERS: readonly KnownAnswer[] = Object.freeze([
  Object.freeze({ hash: 'sha256', message: ABC, digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }),
  Object.freeze({ hash: 'sha256', message: TWO_BLOCKS, digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' }),
  Object.freeze({
    hash: 'sha512',
    message: ABC,
    digest: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  }),
  Object.freeze({
    hash: 'sha512',
    message: TWO_BLOCKS,
    digest: '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445',
  }),
]);

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** True when both hash functions give the known answers (and a second call gives the same). */
export function hashesSelfTest(hashes: Hashes): boolean {
  try {
    for (const kat of KNOWN_ANSWERS) {
      const hash: HashFunction = hashes[kat.hash];
      const expected = fromHex(kat.digest) as Uint8Array;
      // Twice: a digest that keeps state between calls would fail the second time.
      for (let round = 0; round < 2; round++) {
        const digest = hash(ascii(kat.message));
        if (!(digest instanceof Uint8Array) || !bytesEqual(digest, expected)) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}
