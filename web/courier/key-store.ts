// The holder key, kept in this browser: the private JWK in localStorage under one name, for this
// origin only. It survives reloads and works offline; it is as safe as the browser profile —
// any script running on this origin, a browser extension with access to the page, or someone with
// the unlocked device can read it (docs/courier.md, "Key storage"). "Forget" removes it.

import { holderKeyFromSeed, type HolderKey } from '../../courier/holder-key.js';
import { jwkFromSeed, parseJwk, publicJwk, type Ed25519Jwk } from '../../issuer/jwk.js';
import { toHex } from '../../src/bytes.js';

export const STORAGE_NAME = 'latchkey.courier.holder-key';

export interface StoredKey {
  jwk: Ed25519Jwk;
  key: HolderKey;
  /** The first 8 bytes of the public key, hex: what the page shows to tell keys apart. */
  fingerprint: string;
}

function fromJwk(value: unknown): StoredKey {
  const parsed = parseJwk(value, true); // throws JwkError with a one-line reason
  const seed = parsed.seed as Uint8Array;
  const jwk = jwkFromSeed(seed, parsed.kid);
  return { jwk, key: holderKeyFromSeed(seed), fingerprint: toHex(parsed.publicKey.subarray(0, 8)) };
}

/** The key kept in this browser, or undefined (none, or the stored value is damaged: say so). */
export function loadKey(storage: Storage): { key?: StoredKey; problem?: string } {
  const text = storage.getItem(STORAGE_NAME);
  if (text === null) return {};
  try {
    return { key: fromJwk(JSON.parse(text)) };
  } catch (error) {
    return { problem: `the stored key is not usable (${String((error as Error).message)}); import or generate another` };
  }
}

/** A new random key (the browser's CSPRNG), stored. */
export function generateKey(storage: Storage, random: (bytes: Uint8Array) => Uint8Array): StoredKey {
  const seed = random(new Uint8Array(32));
  const stored = fromJwk(jwkFromSeed(seed, `courier-phone-${new Date().toISOString().slice(0, 10)}`));
  storage.setItem(STORAGE_NAME, JSON.stringify(stored.jwk));
  return stored;
}

/** Imports a private Ed25519 JWK (text); throws with a one-line reason if it is not one. */
export function importKey(storage: Storage, text: string): StoredKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not JSON: paste a private Ed25519 JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})');
  }
  const stored = fromJwk(value);
  storage.setItem(STORAGE_NAME, JSON.stringify(stored.jwk));
  return stored;
}

export function forgetKey(storage: Storage): void {
  storage.removeItem(STORAGE_NAME);
}

/** The public JWK to give an issuer (latchkey issue --holder FILE). */
export function publicJwkText(stored: StoredKey): string {
  return JSON.stringify(publicJwk(stored.jwk), null, 2);
}
