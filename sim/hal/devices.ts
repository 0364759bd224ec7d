// Simulated bolt actuator, door contact and indicator. Portable: no Node imports.

import type { Actuator, BoltPosition, DoorSensor, DoorState, Indicator, IndicatorPattern } from '../../hal/index.js';

/** Anything with a monotonic ms clock: a SimTime, or its `timers`. */
export interface TickSource {
  ticks(): number;
}

export interface DriveRecord {
  /** Device ticks when drive() was called. */
  ticks: number;
  target: BoltPosition;
  /** Position before the call. */
  from: BoltPosition;
  reached: boolean;
}

const POSITIONS: readonly string[] = ['locked', 'unlocked'];
const PATTERNS: readonly string[] = ['idle', 'busy', 'granted', 'refused', 'alarm'];

/**
 * The bolt. drive() is instantaneous in the sim. Jams: `jam(n)` makes the next n drive() calls fail
 * ({ reached: false }, position unchanged) whatever the target, even the current position (the
 * limit switch does not confirm); `jammed = true` fails every call until cleared.
 */
export class SimActuator implements Actuator {
  position: BoltPosition;
  /** Every drive() call, in order. */
  readonly history: DriveRecord[] = [];
  /** Permanent jam, until set back to false (or clearJam()). */
  jammed = false;
  /** Remaining drive() calls that will fail because of jam(n). */
  jamsLeft = 0;
  private listener: ((record: DriveRecord) => void) | undefined;

  constructor(
    private readonly time: TickSource,
    position: BoltPosition = 'locked',
  ) {
    if (!POSITIONS.includes(position)) throw new TypeError(`SimActuator: bad position ${String(position)}`);
    this.position = position;
  }

  /** The next `times` drive() calls fail to move the bolt. Adds to any jams still pending. */
  jam(times = 1): void {
    if (!Number.isInteger(times) || times < 0) throw new RangeError('SimActuator.jam: times must be an integer ≥ 0');
    this.jamsLeft += times;
  }

  /** Clears both kinds of jam. */
  clearJam(): void {
    this.jammed = false;
    this.jamsLeft = 0;
  }

  /** Registers the one listener, called after every drive() with its record (e.g. to print "bolt unlocked"). */
  onDrive(listener: ((record: DriveRecord) => void) | undefined): void {
    this.listener = listener;
  }

  drive(target: BoltPosition): { reached: boolean } {
    if (!POSITIONS.includes(target)) throw new TypeError(`SimActuator.drive: bad target ${String(target)}`);
    const from = this.position;
    let reached: boolean;
    if (this.jammed) reached = false;
    else if (this.jamsLeft > 0) {
      this.jamsLeft--;
      reached = false;
    } else {
      this.position = target;
      reached = true;
    }
    const record: DriveRecord = { ticks: this.time.ticks(), target, from, reached };
    this.history.push(record);
    if (this.listener !== undefined) this.listener({ ...record });
    return { reached };
  }
}

/** The door contact. open()/close()/set() are the test's or simulator's hands on the door. */
export class SimDoor implements DoorSensor {
  private state: DoorState;
  private listener: ((state: DoorState) => void) | undefined;
  /** Number of changes so far. */
  changes = 0;

  constructor(initial: DoorState = 'closed') {
    if (initial !== 'open' && initial !== 'closed') throw new TypeError(`SimDoor: bad state ${String(initial)}`);
    this.state = initial;
  }

  read(): DoorState {
    return this.state;
  }

  /** The one change listener (a later call replaces it), as on the device. */
  onChange(listener: (state: DoorState) => void): void {
    this.listener = listener;
  }

  open(): boolean {
    return this.set('open');
  }

  close(): boolean {
    return this.set('closed');
  }

  /** Moves the door; the listener runs (synchronously) only if the state changed. Returns whether it did. */
  set(state: DoorState): boolean {
    if (state !== 'open' && state !== 'closed') throw new TypeError(`SimDoor: bad state ${String(state)}`);
    if (state === this.state) return false;
    this.state = state;
    this.changes++;
    if (this.listener !== undefined) this.listener(state);
    return true;
  }
}

export interface ShowRecord {
  ticks: number;
  pattern: IndicatorPattern;
}

/** LED / buzzer: records every pattern shown. */
export class SimIndicator implements Indicator {
  readonly shown: ShowRecord[] = [];
  private listener: ((record: ShowRecord) => void) | undefined;

  constructor(private readonly time: TickSource) {}

  /** The last pattern shown, if any. */
  get current(): IndicatorPattern | undefined {
    return this.shown.length === 0 ? undefined : this.shown[this.shown.length - 1].pattern;
  }

  /** The patterns shown so far, in order. */
  patterns(): IndicatorPattern[] {
    return this.shown.map((r) => r.pattern);
  }

  onShow(listener: ((record: ShowRecord) => void) | undefined): void {
    this.listener = listener;
  }

  show(pattern: IndicatorPattern): void {
    if (!PATTERNS.includes(pattern)) throw new TypeError(`SimIndicator.show: bad pattern ${String(pattern)}`);
    const record: ShowRecord = { ticks: this.time.ticks(), pattern };
    this.shown.push(record);
    if (this.listener !== undefined) this.listener({ ...record });
  }
}
