// The bolt and the door: fail-secure by construction.
// - Every boot commands the bolt locked, whatever it was before.
// - A grant arms the relock deadline *before* the bolt moves, and the deadline always relocks:
//   no handler failure (log, indicator, door event) can keep the bolt open past it.
// - With a door sensor, the door closing after it opened relocks at once; a grant allows one
//   open-close cycle, so any other opening is a forced-open alarm (an unseen re-entry), and a
//   door left open raises a held-open alarm.
// - A bolt that does not reach its position is retried a bounded number of times, then alarmed;
//   a bolt that will not lock keeps being retried on a timer.

import type { Actuator, BoltPosition, DoorSensor, DoorState, Indicator, IndicatorPattern, TimerHandle, Timers } from '../../hal/index.js';

export interface BoltOptions {
  /** Relock deadline after a grant, door used or not (the door closing relocks sooner). Default 5 s. */
  relockMs: number;
  /** Door open longer than this raises held-open. Default 60 s. */
  heldOpenMs: number;
  /** Extra attempts after a drive that did not reach its position. Default 2. */
  jamRetries: number;
  /** Interval between attempts to lock a bolt that jammed open. Default 10 s. */
  jamRelockIntervalMs: number;
}

export const DEFAULT_BOLT_OPTIONS: BoltOptions = { relockMs: 5000, heldOpenMs: 60_000, jamRetries: 2, jamRelockIntervalMs: 10_000 };

export type BoltEvent =
  | { event: 'locked'; why: 'boot' | 'deadline' | 'door-closed' | 'jam-retry' }
  | { event: 'unlocked'; relockMs: number }
  | { event: 'door'; state: DoorState; expected: boolean }
  | { event: 'alarm'; alarm: 'forced-open' | 'held-open' | 'jam'; target?: BoltPosition; attempts?: number }
  | { event: 'alarm-cleared'; alarm: 'held-open' | 'jam' };

type Phase = 'locked' | 'granted' | 'door-open';

export class BoltController {
  private phase: Phase = 'locked';
  private relockTimer: TimerHandle | undefined;
  private heldOpenTimer: TimerHandle | undefined;
  private jamTimer: TimerHandle | undefined;
  private lockJammed = false;
  private heldOpenAlarm = false;

  constructor(
    private readonly hw: { actuator: Actuator; timers: Timers; indicator: Indicator; door?: DoorSensor },
    private readonly options: BoltOptions,
    private readonly emit: (event: BoltEvent) => void,
  ) {}

  /** Fail-secure start: lock, then watch the door. */
  boot(): void {
    this.lock('boot');
    if (this.hw.door) {
      this.hw.door.onChange((state) => this.doorChanged(state));
      if (this.doorState() === 'open') this.startHeldOpenTimer();
    }
  }

  get relockMs(): number {
    return this.options.relockMs;
  }

  get state(): { phase: Phase; jammed: boolean; heldOpen: boolean } {
    return { phase: this.phase, jammed: this.lockJammed, heldOpen: this.heldOpenAlarm };
  }

  /** Unlocks for one door cycle. Returns false if the bolt would not move (it is locked again). */
  unlock(): boolean {
    // Deadline first: from here on the bolt relocks whatever happens below.
    this.clearTimer('relockTimer');
    this.relockTimer = this.hw.timers.set(() => this.relockAtDeadline(), this.options.relockMs);
    if (!this.drive('unlocked')) {
      this.clearTimer('relockTimer');
      this.lock('jam-retry');
      return false;
    }
    this.phase = this.doorState() === 'open' ? 'door-open' : 'granted';
    this.emitSafely({ event: 'unlocked', relockMs: this.options.relockMs });
    return true;
  }

  private relockAtDeadline(): void {
    this.relockTimer = undefined;
    this.lock('deadline');
  }

  private lock(why: 'boot' | 'deadline' | 'door-closed' | 'jam-retry'): void {
    this.clearTimer('relockTimer');
    this.phase = 'locked';
    if (this.drive('locked')) {
      if (this.lockJammed) {
        this.lockJammed = false;
        this.clearTimer('jamTimer');
        this.emitSafely({ event: 'alarm-cleared', alarm: 'jam' });
      }
      this.emitSafely({ event: 'locked', why });
      this.showSafely(this.heldOpenAlarm ? 'alarm' : 'idle');
      return;
    }
    // Could not lock: keep trying on a timer; this is the one state the lock must not stay in.
    this.lockJammed = true;
    this.showSafely('alarm');
    if (this.jamTimer === undefined) {
      this.jamTimer = this.hw.timers.set(() => {
        this.jamTimer = undefined;
        this.lock('jam-retry');
      }, this.options.jamRelockIntervalMs);
    }
  }

  /** Drives with bounded retries; a throwing driver counts as a failed attempt. */
  private drive(target: BoltPosition): boolean {
    const attempts = 1 + this.options.jamRetries;
    for (let i = 0; i < attempts; i++) {
      try {
        if (this.hw.actuator.drive(target).reached) return true;
      } catch {
        // fall through to the next attempt
      }
    }
    this.emitSafely({ event: 'alarm', alarm: 'jam', target, attempts });
    return false;
  }

  private doorChanged(state: DoorState): void {
    try {
      if (state === 'open') {
        const expected = this.phase === 'granted';
        this.emitSafely({ event: 'door', state, expected });
        if (expected) this.phase = 'door-open';
        else if (this.phase === 'locked') {
          this.emitSafely({ event: 'alarm', alarm: 'forced-open' });
          this.showSafely('alarm');
        }
        this.startHeldOpenTimer();
      } else {
        this.emitSafely({ event: 'door', state, expected: true });
        this.clearTimer('heldOpenTimer');
        if (this.heldOpenAlarm) {
          this.heldOpenAlarm = false;
          this.emitSafely({ event: 'alarm-cleared', alarm: 'held-open' });
          if (this.phase === 'locked' && !this.lockJammed) this.showSafely('idle');
        }
        // The grant's one cycle is over: relock now rather than at the deadline.
        if (this.phase !== 'locked') this.lock('door-closed');
      }
    } catch {
      // Whatever failed above, a door event must never leave the bolt open: lock now.
      this.lock('door-closed');
    }
  }

  /** The door's state, or undefined without a sensor or when the sensor fails to read. */
  private doorState(): DoorState | undefined {
    try {
      return this.hw.door?.read();
    } catch {
      // A failing sensor must not turn a moved bolt into an exception: treat it as unknown.
      return undefined;
    }
  }

  private startHeldOpenTimer(): void {
    if (this.heldOpenTimer !== undefined) return;
    this.heldOpenTimer = this.hw.timers.set(() => {
      this.heldOpenTimer = undefined;
      this.heldOpenAlarm = true;
      this.emitSafely({ event: 'alarm', alarm: 'held-open' });
      this.showSafely('alarm');
    }, this.options.heldOpenMs);
  }

  private clearTimer(name: 'relockTimer' | 'heldOpenTimer' | 'jamTimer'): void {
    const handle = this[name];
    if (handle !== undefined) {
      this.hw.timers.clear(handle);
      this[name] = undefined;
    }
  }

  private emitSafely(event: BoltEvent): void {
    try {
      this.emit(event);
    } catch {
      // Reporting must never change what the bolt does.
    }
  }

  private showSafely(pattern: IndicatorPattern): void {
    try {
      this.hw.indicator.show(pattern);
    } catch {
      // An indicator fault is not a reason to leave the bolt in any other state.
    }
  }

  /** Locks and stops all timers (shutdown). */
  close(): void {
    this.lock('deadline');
    this.clearTimer('heldOpenTimer');
    this.clearTimer('jamTimer');
  }
}
