// Fixed binary layouts for what the lock persists. NVS rewrites a whole value on every set and
// each write wears flash, so records are small, fixed-width and written only when they change.
// All integers big-endian. Each key is replaced atomically (hal Storage contract).

import { MAX_UINT32 } from '../bytes.js';

/** A value that does not fit is a bug or a hostile input: refuse to write it rather than wrap. */
function checked(v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`record field ${v} outside 0..${max}`);
  return v;
}

export class RecordWriter {
  private readonly bytes: Uint8Array;
  private offset = 0;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
  }
  u8(v: number): this {
    this.bytes[this.offset++] = checked(v, 0xff);
    return this;
  }
  u16(v: number): this {
    checked(v, 0xffff);
    this.bytes[this.offset++] = v >>> 8;
    this.bytes[this.offset++] = v & 255;
    return this;
  }
  u32(v: number): this {
    checked(v, MAX_UINT32);
    this.u16(Math.floor(v / 65536));
    return this.u16(v % 65536);
  }
  raw(v: Uint8Array): this {
    this.bytes.set(v, this.offset);
    this.offset += v.length;
    return this;
  }
  done(): Uint8Array {
    return this.bytes;
  }
}

/** Reads a record; any read past the end marks it corrupt instead of throwing. */
export class RecordReader {
  private offset = 0;
  corrupt = false;
  constructor(private readonly bytes: Uint8Array) {}
  private take(n: number): number {
    if (this.offset + n > this.bytes.length) {
      this.corrupt = true;
      return -1;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.bytes[at];
  }
  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : (this.bytes[at] << 8) | this.bytes[at + 1];
  }
  u32(): number {
    const hi = this.u16();
    return hi * 65536 + this.u16();
  }
  raw(n: number): Uint8Array {
    const at = this.take(n);
    return at < 0 ? new Uint8Array(n) : this.bytes.slice(at, at + n);
  }
  /** True when the whole record was consumed exactly and nothing was missing. */
  complete(): boolean {
    return !this.corrupt && this.offset === this.bytes.length;
  }
}

/** NVS keys (at most 15 characters). */
export const KEY_REPLAY = 'lk.replay';
export const KEY_CLOCK = 'lk.clock';
export const KEY_BACKOFF = 'lk.backoff';
/** The administered lock's configuration (src/admin/owner-record.ts). */
export const KEY_OWNER = 'lk.owner';
/** The device key's seed, written once at provisioning (src/admin/device-key.ts). */
export const KEY_DEVICE = 'lk.device';
/** Audit log pages lk.log.0 … (src/lock/audit-log.ts). */
export const KEY_LOG_PREFIX = 'lk.log.';
