// Used tickets, remembered until they can no longer be valid. One NVS value holds the whole
// set plus the clock high-water mark, so a grant costs exactly one flash write.
//
// Retention (docs/lock.md, "Replay retention"): an entry is dropped only when
// until < mark − skew, with `mark` the high-water mark written in the same record. The clock
// guard refuses every clock earlier than mark − skew, and this record's mark never decreases
// while it is readable, so every clock the lock can still accept is past the ticket's
// exp + skew: it is refused `expired` without the entry. (Measured against the current clock
// instead, a clock set back by less than skew revived pruned tickets: issue 11.)
//
// Layout (lk.replay): u8 version | u32 clock mark | u32 floor | u16 count |
//                    count × (16-byte id | u32 until)
// id = first 16 bytes of SHA-256(len(kid) | kid | cti): fixed width whatever the cti length,
// and two issuers that pick the same cti do not collide. `until` = exp + skew.
// `floor`: if the record is ever found unreadable (flash damage), the lock cannot know which
// tickets were used, so it repairs the record with floor = now + 2 × skew + 1 and thereafter
// accepts only tickets issued (iat) at or after the floor: fail-secure without bricking the lock.

import { sha256 } from '../crypto/sha256.js';
import type { HashFunction, Storage } from '../../hal/index.js';
import { bytesEqual, concatBytes } from '../bytes.js';
import { DEFAULT_SKEW_SECONDS } from '../verify.js';
import { KEY_REPLAY, RecordReader, RecordWriter } from './records.js';

const VERSION = 1;
const HEADER_BYTES = 1 + 4 + 4 + 2;
export const REPLAY_ID_BYTES = 16;
const ENTRY_BYTES = REPLAY_ID_BYTES + 4;
export const DEFAULT_REPLAY_CAPACITY = 128;

/** `hash` is the lock's SHA-256 (hal Hashes: native on the device); portable by default. */
export function replayId(kid: Uint8Array, cti: Uint8Array, hash: HashFunction = sha256): Uint8Array {
  return hash(concatBytes(Uint8Array.of(kid.length & 255), kid, cti)).subarray(0, REPLAY_ID_BYTES);
}

/**
 * The entry for use n ≥ 2 of a ticket an issuer's scope lets open more than once (the first use is
 * replayId). A collision with another ticket of the same issuer could only refuse, never grant.
 */
export function useId(kid: Uint8Array, cti: Uint8Array, n: number, hash: HashFunction = sha256): Uint8Array {
  return hash(concatBytes(Uint8Array.of(kid.length & 255), kid, cti, Uint8Array.of(0, n & 255))).subarray(0, REPLAY_ID_BYTES);
}

interface Entry {
  id: Uint8Array;
  until: number;
}

export type RecordOutcome = 'recorded' | 'replayed' | 'full';

export class ReplayStore {
  private entries: Entry[] = [];
  /** The clock high-water mark stored alongside (see ClockGuard). */
  mark = 0;
  /** Tickets issued before this time are refused (set only by repair()). */
  floor = 0;
  /** True if the stored record was unreadable at load; call repair() before granting. */
  damaged: boolean;

  constructor(
    private readonly storage: Storage,
    readonly capacity: number = DEFAULT_REPLAY_CAPACITY,
    /** The clock guard's tolerance: entries outlive the mark by this much (see header). */
    readonly skewSeconds: number = DEFAULT_SKEW_SECONDS,
  ) {
    const max = Math.floor((storage.maxValueBytes - HEADER_BYTES) / ENTRY_BYTES);
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > max) throw new RangeError(`replay capacity must be 1..${max}`);
    this.damaged = !this.load();
  }

  private load(): boolean {
    const bytes = this.storage.get(KEY_REPLAY);
    if (bytes === undefined) return true;
    const r = new RecordReader(bytes);
    const version = r.u8();
    const mark = r.u32();
    const floor = r.u32();
    const count = r.u16();
    const entries: Entry[] = [];
    for (let i = 0; i < count && !r.corrupt; i++) entries.push({ id: r.raw(REPLAY_ID_BYTES), until: r.u32() });
    if (version !== VERSION || !r.complete()) return false;
    this.mark = mark;
    this.floor = floor;
    this.entries = entries;
    return true;
  }

  /**
   * Replaces a damaged record with an empty one (see header comment), at a clock `now` the guard
   * trusts. The floor must lie beyond every iat the lock may have accepted before the damage:
   * a grant at clock g accepted iat ≤ g + skew, and the lost record's mark (≥ g) let the guard
   * accept no clock below g − skew, so g ≤ now + skew and iat ≤ now + 2 × skew. The lost mark is
   * replaced by `now`.
   */
  repair(now: number): void {
    this.write([], Math.max(this.mark, now), Math.max(this.floor, now + 2 * this.skewSeconds + 1));
    this.damaged = false;
  }

  get size(): number {
    return this.entries.length;
  }

  has(id: Uint8Array): boolean {
    return this.entries.some((e) => bytesEqual(e.id, id));
  }

  /**
   * Records a ticket as used (durably, before the caller moves the bolt) and raises the stored
   * mark to `mark` (the caller passes the larger of its clock and the guard's mark). Entries
   * that no clock the guard accepts can revive are dropped in the same write: until <
   * writtenMark − skew. Refuses rather than evict any other entry.
   */
  record(id: Uint8Array, until: number, mark: number): RecordOutcome {
    if (this.has(id)) return 'replayed';
    const written = Math.max(this.mark, mark);
    const kept = this.entries.filter((e) => this.retained(e, written));
    if (kept.length >= this.capacity) return 'full';
    const next = [...kept, { id: id.slice(), until }];
    this.write(next, written, this.floor);
    return 'recorded';
  }

  /** Whether an entry must be kept when the record is written with `mark`. */
  private retained(e: Entry, mark: number): boolean {
    return e.until >= mark - this.skewSeconds;
  }

  /** Entries a write with the current mark would keep (for status reporting). */
  liveCount(): number {
    return this.entries.filter((e) => this.retained(e, this.mark)).length;
  }

  private write(entries: Entry[], mark: number, floor: number): void {
    const w = new RecordWriter(HEADER_BYTES + entries.length * ENTRY_BYTES).u8(VERSION).u32(mark).u32(floor).u16(entries.length);
    for (const e of entries) w.raw(e.id).u32(e.until);
    this.storage.set(KEY_REPLAY, w.done());
    // Only after the write succeeded does memory reflect it: a throw leaves the old state.
    this.entries = entries;
    this.mark = mark;
    this.floor = floor;
  }
}
