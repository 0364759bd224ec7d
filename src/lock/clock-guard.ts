// Trust in the lock's own clock. Tickets carry absolute times, so a clock that was reset or
// rolled back could revive expired tickets. The lock keeps a persisted high-water mark of time
// and refuses to grant while the clock reads earlier than mark − skew (or was never set).
//
// Layout (lk.clock): u8 version | u32 mark. Written at most once per CHECKPOINT_SECONDS, and when
// a signed `iat` proves real time is later than the clock. Grants also carry the mark, in the
// replay record (one write per grant); the effective mark is the larger of the two.

import type { Clock, Storage } from '../../hal/index.js';
import { KEY_CLOCK, RecordReader, RecordWriter } from './records.js';
import type { ReplayStore } from './replay-store.js';

const VERSION = 1;
/** How often the mark is advanced while idle: at most 24 flash writes a day. */
export const CHECKPOINT_SECONDS = 3600;

export class ClockGuard {
  private stored = 0;

  constructor(
    private readonly clock: Clock,
    private readonly storage: Storage,
    private readonly replay: ReplayStore,
    /** Follows the owner's skew setting (Lock.usePolicy). */
    public skewSeconds: number,
  ) {
    const bytes = storage.get(KEY_CLOCK);
    if (bytes !== undefined) {
      const r = new RecordReader(bytes);
      const version = r.u8();
      const mark = r.u32();
      // A damaged mark is treated as "no mark": the replay record's mark still bounds rollback.
      if (version === VERSION && r.complete()) this.stored = mark;
    }
  }

  /** The latest time the lock knows has passed. */
  get mark(): number {
    return Math.max(this.stored, this.replay.mark);
  }

  trusted(): boolean {
    return this.clock.isSet() && this.clock.now() >= this.mark - this.skewSeconds;
  }

  /** Advances the stored mark to now if the clock is trusted and an hour has passed. */
  checkpoint(): boolean {
    const now = this.clock.now();
    if (!this.trusted() || now - this.mark < CHECKPOINT_SECONDS) return false;
    this.write(now);
    return true;
  }

  /**
   * A trusted issuer signed `iat`, so real time is at least that: the clock is behind. Raising
   * the mark makes the lock refuse (clock-untrusted) until someone corrects the clock.
   */
  raiseTo(time: number): void {
    if (time > this.mark) this.write(time);
  }

  private write(mark: number): void {
    this.storage.set(KEY_CLOCK, new RecordWriter(5).u8(VERSION).u32(mark).done());
    this.stored = mark;
  }
}
