// The hash functions the simulator and the tests give the lock (hal Hashes): portable JavaScript.
// The device passes Moddable's native Digest instead (hal/moddable/hashes.ts); the boot
// self-test (src/hash-self-test.ts) checks either against the same known answers.

import type { Hashes } from '../../hal/index.js';
import { sha256 } from '../../src/crypto/sha256.js';
import { sha512 } from '../../src/crypto/sha512.js';

export const portableHashes: Hashes = Object.freeze({ sha256, sha512 });
