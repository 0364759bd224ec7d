// What the simulator reports as it runs, for people watching it (the web page): each BLE frame as
// it is delivered, bolt drives, the door, the LED pattern, flash writes, power and receipts; and
// the lock's visible state at a moment (LockView). The text simulator does not need these: they
// are only made when someone listens (Simulator.listen). Portable.

import type { BoltPosition, DoorState, IndicatorPattern } from '../hal/index.js';
import type { DecodedFrame } from './ble-decoder.js';

interface At {
  /** Simulated ms since the start. */
  elapsed: number;
  /** The lock's clock, unix seconds. */
  at: number;
}

/** One BLE write (phone → lock) or notification (lock → phone), as delivered. */
export interface FrameEvent extends At, DecodedFrame {
  kind: 'frame';
  direction: 'write' | 'notify';
  /** Value bytes (the ATT payload: at most MTU − 3). */
  size: number;
  /** The connection's negotiated ATT MTU. */
  mtu: number;
  /** The connection it travelled on (1, 2, …). */
  connection: number;
}

export type SimEvent =
  | FrameEvent
  | (At & { kind: 'bolt'; target: BoltPosition; from: BoltPosition; reached: boolean })
  | (At & { kind: 'door'; state: DoorState })
  | (At & { kind: 'indicator'; pattern: IndicatorPattern })
  /** A flash write the lock made (set or delete); `cut`: the power was cut at this write. */
  | (At & { kind: 'write'; op: 'set' | 'delete'; key: string; bytes: number; cut?: 'before' | 'after' })
  | (At & { kind: 'power'; on: boolean })
  /** The lock's clock was moved (by a scenario step or the page), or its battery died. */
  | (At & { kind: 'clock'; from: number; to: number; set: boolean });

/** The lock as someone standing at the door (and reading its flash) would see it now. */
export interface LockView {
  elapsed: number;
  powered: boolean;
  bolt: BoltPosition;
  /** 'none' without a door contact. */
  door: DoorState | 'none';
  /** The LED pattern last shown. */
  indicator: IndicatorPattern;
  /** Simulated ms until the bolt relocks on its own (undefined: not unlocked). */
  relockInMs: number | undefined;
  /** Alarms in force: jam, held-open, forced-open (until the door closes). */
  alarms: string[];
  clock: { now: number; set: boolean; trusted: boolean; mark: number };
  lockId: string;
  provisioned: boolean;
  storage: { writes: number | undefined; keys: number | undefined };
  ble: { connected: boolean; connections: number };
}
