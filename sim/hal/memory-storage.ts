// In-memory Storage with the ESP32 NVS limits, write counters and power-cut injection. Portable.

import { NVS_MAX_KEY_LENGTH, NVS_MAX_VALUE_BYTES, type Storage } from '../../hal/index.js';
import { PowerCutInjector, type CutPoint } from './power-cut.js';

export { PowerCut, PowerCutInjector, type CutPoint } from './power-cut.js';

/** A key or value outside the NVS limits (or of the wrong type). The lock core must never cause one. */
export class StorageLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageLimitError';
  }
}

/** A fresh Uint8Array with the same bytes (not `slice`, which shares memory for a Node Buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Length of a string in UTF-8 bytes (NVS counts key bytes). No TextEncoder: XS may lack it. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Checks a key as NVS does: a string of 1..15 bytes (UTF-8), no NUL. */
export function checkKey(key: string, maxKeyLength = NVS_MAX_KEY_LENGTH): void {
  if (typeof key !== 'string') throw new StorageLimitError(`storage key must be a string, got ${typeof key}`);
  const length = utf8Length(key);
  if (length < 1 || length > maxKeyLength) throw new StorageLimitError(`storage key "${key}" is ${length} bytes; NVS allows 1..${maxKeyLength}`);
  if (key.indexOf('\u0000') >= 0) throw new StorageLimitError('storage key contains NUL');
}

/** Checks a value: a Uint8Array of at most 4000 bytes. */
export function checkValue(key: string, value: Uint8Array, maxValueBytes = NVS_MAX_VALUE_BYTES): void {
  if (!(value instanceof Uint8Array)) throw new StorageLimitError(`storage value for "${key}" must be a Uint8Array`);
  if (value.length > maxValueBytes) throw new StorageLimitError(`storage value for "${key}" is ${value.length} bytes; NVS allows ${maxValueBytes}`);
}

/**
 * NVS in memory. `set` is an atomic replace (there is no torn state: a cut write is either fully
 * applied or not at all). Values are copied in and out. Counters: `writes` counts every set() and
 * delete() that was applied; `bytesWritten` the value bytes of applied set() calls.
 *
 * Power cuts: `cutAtWrite(n, 'before' | 'after')` cuts at the n-th write (set or delete, counted
 * after validation) from now; that call throws PowerCut, as does every later get/set/delete until
 * `powerOn()`. The inspection helpers (keys, snapshot, peek) work regardless of power.
 */
export class MemoryStorage implements Storage {
  readonly maxKeyLength = NVS_MAX_KEY_LENGTH;
  readonly maxValueBytes = NVS_MAX_VALUE_BYTES;
  writes = 0;
  bytesWritten = 0;
  readonly power = new PowerCutInjector(['before', 'after']);
  private readonly map = new Map<string, Uint8Array>();

  /** Optionally starts with entries (copied, validated, not counted as writes). */
  constructor(initial?: Iterable<[string, Uint8Array]>) {
    if (initial !== undefined) {
      for (const [key, value] of initial) {
        checkKey(key);
        checkValue(key, value);
        this.map.set(key, copyBytes(value));
      }
    }
  }

  get(key: string): Uint8Array | undefined {
    this.power.assertOn();
    checkKey(key);
    const value = this.map.get(key);
    return value === undefined ? undefined : copyBytes(value);
  }

  set(key: string, value: Uint8Array): void {
    this.power.assertOn();
    checkKey(key);
    checkValue(key, value);
    const copy = copyBytes(value);
    const cut = this.power.nextWrite();
    if (cut === 'before') this.power.trip(cut, key);
    this.map.set(key, copy);
    this.writes++;
    this.bytesWritten += copy.length;
    if (cut !== undefined) this.power.trip(cut, key);
  }

  delete(key: string): void {
    this.power.assertOn();
    checkKey(key);
    const cut = this.power.nextWrite();
    if (cut === 'before') this.power.trip(cut, key);
    this.map.delete(key);
    this.writes++;
    if (cut !== undefined) this.power.trip(cut, key);
  }

  /** Arms a power cut at the n-th write (set or delete) from now, 1-based. */
  cutAtWrite(n: number, when: Exclude<CutPoint, 'during'>): void {
    this.power.cutAtWrite(n, when);
  }

  /** Power back on after a cut. */
  powerOn(): void {
    this.power.powerOn();
  }

  /** Whether the power is off (after a cut, until powerOn()). */
  get off(): boolean {
    return this.power.off;
  }

  /** Inspection (ignores power): the keys stored, sorted. */
  keys(): string[] {
    return [...this.map.keys()].sort();
  }

  /** Inspection (ignores power): a copy of one value. */
  peek(key: string): Uint8Array | undefined {
    const value = this.map.get(key);
    return value === undefined ? undefined : copyBytes(value);
  }

  /** Inspection (ignores power): a copy of everything, e.g. to clone the flash into a second lock. */
  snapshot(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const key of this.keys()) out.set(key, copyBytes(this.map.get(key)!));
    return out;
  }

  /** Inspection: total bytes of all stored values. */
  usedBytes(): number {
    let n = 0;
    for (const value of this.map.values()) n += value.length;
    return n;
  }
}
