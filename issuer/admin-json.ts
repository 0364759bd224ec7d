// The JSON form of admin-command arguments, as people write them (the CLI's --args files, the
// simulator's scenarios), converted into what the lock reads: kids as UTF-8 bytes, cti from hex,
// times from ISO-8601 or relative forms, week days from names, times of day from "HH:MM".
// Portable: key files are resolved by the caller's `key` hook (the CLI reads JWK files).

import { coseKid } from './jwk.js';
import { parseTimeArg } from './time.js';
import { fromHex } from '../src/bytes.js';
import type { ArgValue } from './admin.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const KIDS = ['kid', 'newKid'];
const KEYS = ['key', 'owner'];
const TIMES = ['until', 'before', 'start', 'end'];
const MINUTES = ['from', 'to'];

export class ArgumentError extends Error {}

export interface JsonArgsOptions {
  /** Unix seconds that relative times ("+1d") count from. */
  now: number;
  /** A public key from its JSON form (a JWK object, a file name, 64 hex digits). */
  key: (value: unknown, where: string) => Uint8Array;
}

/** Converts one named JSON value (recursively). Throws ArgumentError naming the field. */
export function argFromJson(name: string, value: unknown, o: JsonArgsOptions): ArgValue {
  const where = `"${name}"`;
  if (KIDS.includes(name)) {
    if (typeof value !== 'string' || value.length === 0) throw new ArgumentError(`${where} must be a non-empty text kid`);
    return coseKid(value);
  }
  if (KEYS.includes(name)) {
    if (typeof value === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(value)) return fromHex(value.replace(/^0x/i, '')) as Uint8Array;
    return o.key(value, where);
  }
  if (name === 'cti') {
    const bytes = typeof value === 'string' ? fromHex(value.replace(/^0x/i, '')) : undefined;
    if (bytes === undefined) throw new ArgumentError(`${where} must be the ticket ID in hex`);
    return bytes;
  }
  if (TIMES.includes(name) && typeof value === 'string') {
    const t = parseTimeArg(value, o.now);
    if (!t.ok) throw new ArgumentError(`${where}: ${t.error}`);
    return t.seconds;
  }
  if (name === 'days' && Array.isArray(value)) {
    let mask = 0;
    for (const d of value) {
      const i = typeof d === 'string' ? DAYS.indexOf(d.toLowerCase().slice(0, 3)) : -1;
      if (i < 0) throw new ArgumentError(`${where}: unknown day ${JSON.stringify(d)} (mon … sun)`);
      mask |= 1 << i;
    }
    return mask;
  }
  if (MINUTES.includes(name) && typeof value === 'string') {
    const m = /^(\d{1,2}):(\d{2})$/.exec(value);
    if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || Number(m[1]) * 60 + Number(m[2]) > 1440)
      throw new ArgumentError(`${where} must be "HH:MM" (00:00..24:00) or minutes`);
    return Number(m[1]) * 60 + Number(m[2]);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ArgumentError(`${where} must be an integer`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => argFromJson(name, v, o));
  if (value !== null && typeof value === 'object') return argsFromJson(value as Record<string, unknown>, o);
  throw new ArgumentError(`${where} has an unsupported value`);
}

export function argsFromJson(object: Record<string, unknown>, o: JsonArgsOptions): { [k: string]: ArgValue } {
  const out: { [k: string]: ArgValue } = {};
  for (const [k, v] of Object.entries(object)) out[k] = argFromJson(k, v, o);
  return out;
}
