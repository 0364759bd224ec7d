// The lock's own Ed25519 device key: generated from the hardware RNG at provisioning, kept in
// NVS (lk.device), never sent anywhere. Its public key is returned in the provisioning answer;
// with it an owner or an issuer's backend verifies the lock's entry receipts and audit-log exports.
//
// Layout (lk.device): u8 version | 32-byte Ed25519 seed.

import type { HashFunction, Random, Storage } from '../../hal/index.js';
import { utf8 } from '../bytes.js';
import { ED25519_SEED_BYTES, ed25519SignExpanded, expandEd25519Seed, type ExpandedKey } from '../crypto/ed25519-sign.js';
import { KEY_DEVICE, RecordReader, RecordWriter } from '../lock/records.js';
import { signStatement, type SignedKind } from './signed.js';

const VERSION = 1;
/** The kid the lock puts in what it signs (one device key per lock). */
export const DEVICE_KID = 'device';

export class DeviceKey {
  readonly publicKey: Uint8Array;
  private readonly key: ExpandedKey;

  private constructor(
    seed: Uint8Array,
    private readonly sha512: HashFunction,
  ) {
    // Expanded once at boot: each receipt then costs one base-point multiplication.
    this.key = expandEd25519Seed(seed, sha512);
    this.publicKey = this.key.publicKey;
  }

  /** The stored key, or undefined when there is none (or it is unreadable). */
  static load(storage: Storage, sha512: HashFunction): DeviceKey | undefined {
    const bytes = storage.get(KEY_DEVICE);
    if (bytes === undefined) return undefined;
    const r = new RecordReader(bytes);
    const version = r.u8();
    const seed = r.raw(ED25519_SEED_BYTES);
    return version === VERSION && r.complete() ? new DeviceKey(seed, sha512) : undefined;
  }

  /** A fresh key from the hardware RNG, written before it is used. */
  static generate(storage: Storage, random: Random, sha512: HashFunction): DeviceKey {
    const seed = random.bytes(ED25519_SEED_BYTES);
    if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) throw new Error('random source failed');
    if (seed.every((b) => b === seed[0])) throw new Error('random source returned a constant');
    storage.set(KEY_DEVICE, new RecordWriter(1 + ED25519_SEED_BYTES).u8(VERSION).raw(seed).done());
    return new DeviceKey(Uint8Array.from(seed), sha512);
  }

  /** A raw Ed25519 signature (audit-log heads). */
  sign(message: Uint8Array): Uint8Array {
    return ed25519SignExpanded(this.key, message, this.sha512);
  }

  /** A COSE_Sign1 statement of `kind` (receipts, the provisioning answer). */
  statement(kind: SignedKind, payload: Uint8Array): Uint8Array {
    return signStatement(kind, utf8(DEVICE_KID), this.key, payload, this.sha512);
  }
}
