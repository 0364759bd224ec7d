// The hash functions the simulator and the tests give the lock (hal Hashes): portable JavaScript.
// The device passes Moddable's native Digest instead (hal/moddable/hashes.ts); the boot
// self-test (src/hash-self-test.ts) checks either against the same known answers.

import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { Hashes } from '../../hal/index.js';

export const portableHashes: Hashes = Object.freeze({
  sha256: (message: Uint8Array): Uint8Array => sha256(message),
  sha512: (message: Uint8Array): Uint8Array => sha512(message),
});
