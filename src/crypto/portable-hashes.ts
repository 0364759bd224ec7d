// The portable SHA-256/512 bundle the core falls back to when the hardware bundle brings no native
// digests (sim, tests): the src/crypto implementations, as a HAL `Hashes`.

import type { Hashes } from '../../hal/index.js';
import { sha256 } from './sha256.js';
import { sha512 } from './sha512.js';

export function portableHashes(): Hashes {
  return { sha256, sha512 };
}
