// Failed-attempt limiting. The first few refusals are free; after that each refusal locks
// presentations out for twice as long as the last, up to a cap. While locked out the lock answers
// `backoff` without verifying anything, which also bounds flash writes: state is written once
// per counted failure, and failures can only be counted between lockouts.
//
// Layout (lk.backoff): u8 version | u16 failures | u32 lockedUntil | u32 lastFailure (unix s).
// Surviving a reboot uses the RTC; the remaining time is capped at the current step's length,
// so a clock jump cannot stretch a lockout.

import type { Storage } from '../../hal/index.js';
import { KEY_BACKOFF, RecordReader, RecordWriter } from './records.js';

const VERSION = 1;

export interface BackoffPolicy {
  /** Refusals allowed before the first lockout. */
  freeFailures: number;
  /** First lockout, seconds; doubles with each further refusal. */
  baseSeconds: number;
  maxSeconds: number;
  /** Quiet time after which the failure count starts over. */
  resetAfterSeconds: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { freeFailures: 3, baseSeconds: 2, maxSeconds: 300, resetAfterSeconds: 3600 };

export class Backoff {
  failures = 0;
  private lockedUntil = 0;
  private lastFailure = 0;

  constructor(
    private readonly storage: Storage,
    readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
  ) {
    const bytes = storage.get(KEY_BACKOFF);
    if (bytes === undefined) return;
    const r = new RecordReader(bytes);
    const version = r.u8();
    const failures = r.u16();
    const lockedUntil = r.u32();
    const lastFailure = r.u32();
    if (version !== VERSION || !r.complete()) {
      // Unreadable: resume at the last free step, so the very next refusal locks out again
      // (and treat the last failure as just now, so the quiet-hour reset does not undo that).
      this.failures = this.policy.freeFailures;
      this.lastFailure = Number.MAX_SAFE_INTEGER;
      return;
    }
    this.failures = failures;
    this.lockedUntil = lockedUntil;
    this.lastFailure = lastFailure;
  }

  private stepSeconds(failures: number): number {
    const over = failures - this.policy.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.policy.maxSeconds, this.policy.baseSeconds * 2 ** Math.min(over - 1, 30));
  }

  /** Seconds until presentations are accepted again; 0 when not locked out. */
  retryAfter(now: number): number {
    const step = this.stepSeconds(this.failures);
    // A lockout can never last longer than its step from now: if the clock was set back, the
    // stored end moves in (memory only; the next counted failure writes a fresh one). A count
    // in the free range has no lockout at all, whatever end a set-back clock makes of it.
    if (this.lockedUntil - now > step) this.lockedUntil = now + step;
    return Math.max(0, this.lockedUntil - now);
  }

  fail(now: number): void {
    if (now - Math.min(this.lastFailure, now) > this.policy.resetAfterSeconds) this.failures = 0;
    const failures = Math.min(this.failures + 1, 0xffff);
    const lockedUntil = now + this.stepSeconds(failures);
    this.save(failures, lockedUntil, now);
  }

  succeed(): void {
    if (this.failures === 0 && this.lockedUntil === 0) return;
    this.storage.delete(KEY_BACKOFF);
    this.failures = 0;
    this.lockedUntil = 0;
    this.lastFailure = 0;
  }

  private save(failures: number, lockedUntil: number, lastFailure: number): void {
    this.storage.set(KEY_BACKOFF, new RecordWriter(11).u8(VERSION).u16(failures).u32(lockedUntil).u32(lastFailure).done());
    this.failures = failures;
    this.lockedUntil = lockedUntil;
    this.lastFailure = lastFailure;
  }
}
