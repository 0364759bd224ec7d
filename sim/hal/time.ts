// A virtual timeline for the simulator and the tests: monotonic ticks since boot, a battery-backed
// RTC, and one-shot timers that fire only when the test or the simulator moves time forward.
// Portable (runs inside XS in the tests): no Node imports.

import type { Clock, TimerHandle, Timers } from '../../hal/index.js';

/** A timer callback that threw: the timeline records it and keeps running. */
export interface TimerError {
  /** Device ticks (ms since boot) when the callback threw. */
  ticks: number;
  /** Simulation ms since the SimTime was created (never resets). */
  elapsed: number;
  /** 'device' for HAL timers (dropped at reboot), 'world' for environment timers. */
  domain: TimerDomain;
  error: unknown;
}

/**
 * 'device': the lock's own timers (`SimTime.timers`), lost when the lock reboots.
 * 'world': timers of the environment (the BLE link, the simulated phone, scripted events), which
 * outlive a lock reboot.
 */
export type TimerDomain = 'device' | 'world';

export interface SimTimeOptions {
  /** RTC reading at start, unix seconds. Given: the RTC counts as set. Default 0 (unset, 1970). */
  rtc?: number;
  /** Overrides whether the RTC counts as set (default: true iff `rtc` was given). */
  rtcSet?: boolean;
  /** advance()/next() throw if one call fires more timers than this (a timer loop). Default 1e6. */
  maxFirings?: number;
}

interface SimTimer {
  readonly seq: number;
  /** Deadline in simulation ms (the `elapsed` scale). */
  readonly deadline: number;
  readonly domain: TimerDomain;
  readonly callback: () => void;
}

function checkMs(what: string, ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`SimTime: ${what} must be a finite number ≥ 0, got ${String(ms)}`);
}

export class SimTime {
  /** The lock's RTC (HAL). */
  readonly clock: Clock;
  /** The lock's timers (HAL): ticks since boot; all pending ones are dropped by reboot(). */
  readonly timers: Timers;
  /** Environment timers: same timeline, survive reboot(); `world.ticks()` is `elapsed()`. */
  readonly world: Timers;
  /** Every timer callback that threw, in order. */
  readonly errors: TimerError[] = [];
  /**
   * Called for each throwing timer callback (after it was added to `errors`). If it throws in turn,
   * that error ends the current advance()/next() at the failed timer's deadline and reaches its caller.
   */
  onError: ((error: TimerError) => void) | undefined = undefined;
  /** Number of reboots so far. */
  boots = 0;

  private elapsedMs = 0;
  private bootAt = 0;
  private rtcBase: number;
  private rtcBaseAt = 0;
  private rtcIsSet: boolean;
  private seq = 0;
  private queue: SimTimer[] = [];
  private running = false;
  private readonly maxFirings: number;

  constructor(options: SimTimeOptions = {}) {
    const rtc = options.rtc ?? 0;
    checkMs('rtc', rtc);
    this.rtcBase = Math.floor(rtc);
    this.rtcIsSet = options.rtcSet ?? options.rtc !== undefined;
    this.maxFirings = options.maxFirings ?? 1_000_000;

    this.clock = {
      now: () => this.now(),
      isSet: () => this.rtcIsSet,
      set: (unixSeconds: number) => {
        checkMs('clock.set(unixSeconds)', unixSeconds);
        this.rtcBase = Math.floor(unixSeconds);
        this.rtcBaseAt = this.elapsedMs;
        this.rtcIsSet = true;
      },
    };
    this.timers = this.timerApi('device', () => this.ticks());
    this.world = this.timerApi('world', () => this.elapsedMs);
  }

  private timerApi(domain: TimerDomain, ticks: () => number): Timers {
    return {
      set: (callback: () => void, delayMs: number): TimerHandle => {
        if (typeof callback !== 'function') throw new TypeError('SimTime: timer callback must be a function');
        if (typeof delayMs !== 'number' || Number.isNaN(delayMs) || delayMs === Infinity) {
          throw new RangeError(`SimTime: timer delay must be a finite number, got ${String(delayMs)}`);
        }
        // Like Time.ticks, the timeline counts whole milliseconds: round a fraction up so a timer
        // never fires early; a negative delay fires as soon as possible, as on the device.
        const timer: SimTimer = { seq: this.seq++, deadline: this.elapsedMs + Math.max(0, Math.ceil(delayMs)), domain, callback };
        this.queue.push(timer);
        return timer;
      },
      clear: (handle: TimerHandle) => {
        const i = this.queue.indexOf(handle as SimTimer);
        if (i >= 0 && this.queue[i].domain === domain) this.queue.splice(i, 1);
      },
      ticks,
    };
  }

  /** Device ticks: monotonic ms since the last boot. */
  ticks(): number {
    return this.elapsedMs - this.bootAt;
  }

  /** Simulation ms since this SimTime was created; never resets. */
  elapsed(): number {
    return this.elapsedMs;
  }

  /** The RTC: floor(rtcBase + seconds since it was set); keeps counting across reboots. */
  now(): number {
    return Math.floor(this.rtcBase + (this.elapsedMs - this.rtcBaseAt) / 1000);
  }

  /** Pending timers (both domains unless one is named). */
  pending(domain?: TimerDomain): number {
    return domain === undefined ? this.queue.length : this.queue.filter((t) => t.domain === domain).length;
  }

  /** Device ticks at which the next timer is due, or undefined if none is pending. */
  nextDeadline(): number | undefined {
    const t = this.earliest(Infinity);
    return t === undefined ? undefined : t.deadline - this.bootAt;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in deadline order (ties in the
   * order they were set); each sees ticks()/now() at its own deadline. Timers set by callbacks
   * that fall inside the window fire too. Ends with ticks() advanced by exactly `ms`.
   */
  advance(ms: number): void {
    checkMs('advance(ms)', ms);
    this.run(this.elapsedMs + ms, Infinity);
  }

  /**
   * Jumps to the earliest pending timer and fires it (only that one). Returns false, leaving time
   * alone, if no timer is pending.
   */
  next(): boolean {
    const t = this.earliest(Infinity);
    if (t === undefined) return false;
    this.run(t.deadline, 1);
    return true;
  }

  /**
   * Fires timers one after another (time jumps to each deadline) until none is pending or the next
   * one is more than `maxMs` after the start. Time stays at the last fired deadline. Returns true
   * if no timer is left pending.
   */
  runUntilIdle(maxMs = 3_600_000): boolean {
    checkMs('runUntilIdle(maxMs)', maxMs);
    const limit = this.elapsedMs + maxMs;
    for (;;) {
      const t = this.earliest(limit);
      if (t === undefined) break;
      this.run(t.deadline, 1);
    }
    return this.queue.length === 0;
  }

  /**
   * The lock restarts (power cut, watchdog, firmware update): pending device timers are dropped and
   * ticks() restarts at 0; the RTC runs on its battery, so now() and isSet() are unchanged. World
   * timers survive. May be called from inside a timer callback.
   */
  reboot(): void {
    this.queue = this.queue.filter((t) => t.domain !== 'device');
    this.bootAt = this.elapsedMs;
    this.boots++;
  }

  /** The RTC battery died too: the clock restarts at 0 (1970) and counts as unset. */
  rtcPowerLoss(): void {
    this.rtcBase = 0;
    this.rtcBaseAt = this.elapsedMs;
    this.rtcIsSet = false;
  }

  private earliest(limit: number): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.queue) {
      if (t.deadline > limit) continue;
      if (best === undefined || t.deadline < best.deadline || (t.deadline === best.deadline && t.seq < best.seq)) best = t;
    }
    return best;
  }

  /** Fires due timers up to `target` (at most `maxCount`), then sets time to `target`. */
  private run(target: number, maxCount: number): void {
    if (this.running) throw new Error('SimTime: advance()/next()/runUntilIdle() called from inside a timer callback');
    this.running = true;
    try {
      let fired = 0;
      while (fired < maxCount) {
        const t = this.earliest(target);
        if (t === undefined) break;
        if (++fired > this.maxFirings) throw new Error(`SimTime: more than ${this.maxFirings} timers fired in one step (a timer loop?)`);
        this.queue.splice(this.queue.indexOf(t), 1);
        if (t.deadline > this.elapsedMs) this.elapsedMs = t.deadline;
        try {
          t.callback();
        } catch (error) {
          const record: TimerError = { ticks: this.ticks(), elapsed: this.elapsedMs, domain: t.domain, error };
          this.errors.push(record);
          if (this.onError !== undefined) this.onError(record);
        }
      }
      if (target > this.elapsedMs) this.elapsedMs = target;
    } finally {
      this.running = false;
    }
  }
}
