// HAL Hashes on Moddable's native Digest ($(MODULES)/crypt/digest, C code from the SDK's KCL): the
// verifier's SHA-512 and the replay ids' SHA-256 run in C, and keep no state between calls (a
// Digest per message). The boot self-test (src/hash-self-test.ts) checks them against known
// answers before the lock grants anything.

import { Digest } from 'crypt';
import type { Hashes } from 'latchkey';

function digest(type: 'SHA256' | 'SHA512', message: Uint8Array): Uint8Array {
  const d = new Digest(type);
  // The SDK types write() as taking an ArrayBuffer: hand it exactly the message's bytes.
  const whole = message.byteOffset === 0 && message.byteLength === message.buffer.byteLength;
  d.write((whole ? message.buffer : message.slice().buffer) as ArrayBuffer);
  return new Uint8Array(d.close());
}

export function createHashes(): Hashes {
  return {
    sha256: (message: Uint8Array) => digest('SHA256', message),
    sha512: (message: Uint8Array) => digest('SHA512', message),
  };
}
