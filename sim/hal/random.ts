// Random bytes for the simulator. SeededRandom is portable and deterministic (tests, replayable
// simulations); SystemRandom uses the host's WebCrypto and only works where that exists (Node).

import { sha256 } from '../../src/crypto/sha256.js';
import type { Random } from '../../hal/index.js';

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`Random.bytes: length must be an integer ≥ 0, got ${String(length)}`);
}

/** A number seed as 8 big-endian bytes. */
function seedBytes(seed: number | Uint8Array): Uint8Array {
  if (seed instanceof Uint8Array) return new Uint8Array(seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`SeededRandom: a number seed must be a safe integer ≥ 0, got ${String(seed)}`);
  const out = new Uint8Array(8);
  let hi = Math.floor(seed / 2 ** 32);
  let lo = seed >>> 0;
  for (let i = 3; i >= 0; i--) {
    out[i] = hi & 0xff;
    hi >>>= 8;
    out[4 + i] = lo & 0xff;
    lo >>>= 8;
  }
  return out;
}

/**
 * Deterministic byte stream: block i = SHA-256(seed ‖ i as 8 bytes big-endian), concatenated.
 * The stream does not depend on how it is requested: bytes(3) then bytes(40) equals the first 43
 * bytes of a fresh instance. Not for real keys: the seed is the whole secret.
 */
export class SeededRandom implements Random {
  /** Bytes handed out so far. */
  consumed = 0;
  private readonly input: Uint8Array;
  private counter = 0;
  private block: Uint8Array = new Uint8Array(0);
  private used = 0;

  constructor(seed: number | Uint8Array) {
    const s = seedBytes(seed);
    this.input = new Uint8Array(s.length + 8);
    this.input.set(s, 0);
  }

  bytes(length: number): Uint8Array {
    checkLength(length);
    const out = new Uint8Array(length);
    let n = 0;
    while (n < length) {
      if (this.used === this.block.length) this.refill();
      const take = Math.min(length - n, this.block.length - this.used);
      out.set(this.block.subarray(this.used, this.used + take), n);
      this.used += take;
      n += take;
    }
    this.consumed += length;
    return out;
  }

  private refill(): void {
    const at = this.input.length - 8;
    let c = this.counter++;
    for (let i = 7; i >= 0; i--) {
      this.input[at + i] = c % 256;
      c = Math.floor(c / 256);
    }
    this.block = sha256(this.input);
    this.used = 0;
  }
}

interface WebCrypto {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

/**
 * The host's CSPRNG (globalThis.crypto.getRandomValues, present in Node ≥ 19 without imports).
 * The constructor throws where there is none (XS): create it only in the Node CLI.
 */
export class SystemRandom implements Random {
  private readonly crypto: WebCrypto;

  constructor() {
    const crypto = (globalThis as { crypto?: WebCrypto }).crypto;
    if (crypto === undefined || typeof crypto.getRandomValues !== 'function') {
      throw new Error('SystemRandom: globalThis.crypto.getRandomValues is not available on this engine');
    }
    this.crypto = crypto;
  }

  bytes(length: number): Uint8Array {
    checkLength(length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 65536) this.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
    return out;
  }
}
