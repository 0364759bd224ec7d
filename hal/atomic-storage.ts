// The HAL's Storage promise — after a power cut at any moment a key holds its old or its new value,
// never a mix and never nothing — built on a flash key-value store that does not promise it.
// Moddable's `preference` on the ESP32 erases a key before writing it (a cut in between loses the
// key), and even a store that writes before erasing (`embedded:storage/key-value`, NVS) is a
// driver we cannot test here. So each key lives in two slots, written alternately; a slot holds
// a sequence number, the value and a CRC-32, and a read returns the newest slot that checks out.
// A write only ever touches the slot that does not hold the current value. Portable: the device
// (hal/moddable/storage.ts) and the firmware self-test run this exact code, and
// test/portable/atomic-storage.test.ts cuts the power at every raw write, torn writes included.
//
// Slot layout: u32 sequence (big-endian) | value | u32 CRC-32 of everything before it.
// Keys: `<key>.a` and `<key>.b`, so a key may have two characters fewer than the store allows.

import type { Storage } from './index.js';

const SLOT_SUFFIXES = ['.a', '.b'] as const;
const SEQUENCE_BYTES = 4;
const CRC_BYTES = 4;
export const SLOT_OVERHEAD_BYTES = SEQUENCE_BYTES + CRC_BYTES;

/** CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: no table to keep in RAM or flash. */
export function crc32(bytes: Uint8Array, end: number = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) {
    crc ^= bytes[i];
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function writeU32(bytes: Uint8Array, at: number, v: number): void {
  bytes[at] = v >>> 24;
  bytes[at + 1] = (v >>> 16) & 255;
  bytes[at + 2] = (v >>> 8) & 255;
  bytes[at + 3] = v & 255;
}

interface Slot {
  index: 0 | 1;
  sequence: number;
  value: Uint8Array;
}

/** Parses a slot; undefined when it is missing, short or fails its CRC (a torn or damaged write). */
function parseSlot(index: 0 | 1, raw: Uint8Array | undefined): Slot | undefined {
  if (raw === undefined || raw.length < SLOT_OVERHEAD_BYTES) return undefined;
  const end = raw.length - CRC_BYTES;
  if (crc32(raw, end) !== readU32(raw, end)) return undefined;
  return { index, sequence: readU32(raw, 0), value: raw.slice(SEQUENCE_BYTES, end) };
}

/** Serial-number order (RFC 1982) on u32: `a` is newer than `b`. Never wraps in practice. */
function newer(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/**
 * Atomic replace on top of a store whose writes may be lost or torn by a power cut.
 * Costs per operation: `get` two raw reads; `set` two raw reads and one raw write; `delete` up
 * to two raw deletes (older slot first, so a cut between them leaves the old value).
 */
export class AtomicStorage implements Storage {
  readonly maxKeyLength: number;
  readonly maxValueBytes: number;

  constructor(private readonly raw: Storage) {
    this.maxKeyLength = raw.maxKeyLength - 2;
    this.maxValueBytes = raw.maxValueBytes - SLOT_OVERHEAD_BYTES;
  }

  private slots(key: string): { newest: Slot | undefined; older: Slot | undefined } {
    if (typeof key !== 'string' || key.length === 0 || key.length > this.maxKeyLength) {
      throw new RangeError(`storage key must be 1..${this.maxKeyLength} characters`);
    }
    const a = parseSlot(0, this.raw.get(key + SLOT_SUFFIXES[0]));
    const b = parseSlot(1, this.raw.get(key + SLOT_SUFFIXES[1]));
    if (a === undefined || b === undefined) return { newest: a ?? b, older: undefined };
    return newer(b.sequence, a.sequence) ? { newest: b, older: a } : { newest: a, older: b };
  }

  get(key: string): Uint8Array | undefined {
    return this.slots(key).newest?.value;
  }

  set(key: string, value: Uint8Array): void {
    if (!(value instanceof Uint8Array) || value.length > this.maxValueBytes) {
      throw new RangeError(`storage value must be a Uint8Array of at most ${this.maxValueBytes} bytes`);
    }
    const { newest } = this.slots(key);
    // The slot that does not hold the current value; a torn slot there is simply overwritten.
    const index = newest === undefined ? 0 : 1 - newest.index;
    const sequence = newest === undefined ? 1 : (newest.sequence + 1) >>> 0;
    const record = new Uint8Array(SEQUENCE_BYTES + value.length + CRC_BYTES);
    writeU32(record, 0, sequence);
    record.set(value, SEQUENCE_BYTES);
    writeU32(record, record.length - CRC_BYTES, crc32(record, record.length - CRC_BYTES));
    this.raw.set(key + SLOT_SUFFIXES[index], record);
  }

  delete(key: string): void {
    const { newest } = this.slots(key);
    // Everything but the current value first: a cut before the last delete leaves the old value.
    const keep = newest === undefined ? 0 : newest.index;
    const other = (1 - keep) as 0 | 1;
    if (this.raw.get(key + SLOT_SUFFIXES[other]) !== undefined) this.raw.delete(key + SLOT_SUFFIXES[other]);
    if (this.raw.get(key + SLOT_SUFFIXES[keep]) !== undefined) this.raw.delete(key + SLOT_SUFFIXES[keep]);
  }
}
