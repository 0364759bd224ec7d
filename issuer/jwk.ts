// Ed25519 keys as JWK (RFC 8037: kty OKP, crv Ed25519, x and d base64url without padding): how an
// issuer and a holder keep their keys.

import { publicKeyFromSeed, type SigningKey } from './ticket.js';

export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d?: string;
  kid?: string;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64URL[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Strict: only the base64url alphabet, no padding, no impossible lengths or stray low bits. */
export function base64urlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const c of text) {
    value = (value << 6) | B64URL.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 255;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** Base64 or base64url, padding optional: the forms people paste. Strict on the trailing bits. */
export function base64Decode(text: string): Uint8Array | undefined {
  const m = /^([A-Za-z0-9+/_-]*)(={0,2})$/.exec(text);
  if (m === null) return undefined;
  const [, body, padding] = m;
  if (/[+/]/.test(body) && /[-_]/.test(body)) return undefined; // two alphabets mixed
  if (padding.length > 0 && (body.length + padding.length) % 4 !== 0) return undefined;
  return base64urlDecode(body.replace(/\+/g, '-').replace(/\//g, '_'));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export class JwkError extends Error {}

export function jwkFromSeed(seed: Uint8Array, kid?: string): Ed25519Jwk {
  const jwk: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: base64urlEncode(publicKeyFromSeed(seed)), d: base64urlEncode(seed) };
  if (kid !== undefined) jwk.kid = kid;
  return jwk;
}

export function publicJwk(jwk: Ed25519Jwk): Ed25519Jwk {
  const pub: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  if (jwk.kid !== undefined) pub.kid = jwk.kid;
  return pub;
}

/** Validates a parsed JSON value as an Ed25519 JWK; throws JwkError with a one-line reason. */
export function parseJwk(value: unknown, needPrivate: boolean): { publicKey: Uint8Array; seed?: Uint8Array; kid?: string } {
  if (value === null || typeof value !== 'object') throw new JwkError('not a JSON object');
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new JwkError('not an Ed25519 OKP key (kty "OKP", crv "Ed25519")');
  const publicKey = typeof jwk.x === 'string' ? base64urlDecode(jwk.x) : undefined;
  if (publicKey === undefined || publicKey.length !== 32) throw new JwkError('"x" must be 32 bytes base64url');
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length === 0)) throw new JwkError('"kid" must be a non-empty string');
  const kid = jwk.kid as string | undefined;
  if (jwk.d === undefined) {
    if (needPrivate) throw new JwkError('this is a public key; a private key (with "d") is needed');
    return kid === undefined ? { publicKey } : { publicKey, kid };
  }
  const seed = typeof jwk.d === 'string' ? base64urlDecode(jwk.d) : undefined;
  if (seed === undefined || seed.length !== 32) throw new JwkError('"d" must be 32 bytes base64url');
  const derived = publicKeyFromSeed(seed);
  if (derived.some((b, i) => b !== publicKey[i])) throw new JwkError('"x" does not match the private key "d"');
  return kid === undefined ? { publicKey, seed } : { publicKey, seed, kid };
}

/** The COSE kid for a JWK: the UTF-8 bytes of its "kid" string. */
export function coseKid(kid: string): Uint8Array {
  return utf8(kid);
}

export function signingKeyFromJwk(value: unknown): SigningKey {
  const parsed = parseJwk(value, true);
  if (parsed.kid === undefined) throw new JwkError('issuer key needs a "kid"');
  return { kid: coseKid(parsed.kid), seed: parsed.seed as Uint8Array };
}
