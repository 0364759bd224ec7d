// The one wiring of a Latchkey lock: the firmware's main (hal/moddable/main.ts) and the
// simulator (sim/simulator.ts) both call startLatchkey, so the simulator runs exactly the boot
// the device runs. Order matters and is fail-secure: the bolt is commanded locked and the crypto
// self-tested before any state is trusted, and the radio only listens once the lock can decide.

import type { Hardware } from '../hal/index.js';
import { IDLE_TIMEOUT_MS, PresentationService } from './ble/presentation-service.js';
import { Lock, type LockConfig } from './lock/lock.js';

export interface LatchkeyConfig extends LockConfig {
  /** A BLE connection with no frame for this long is closed (default 30 s). */
  idleTimeoutMs?: number;
}

/** A running lock: what the firmware keeps alive, and what the simulator and tests inspect. */
export interface Latchkey {
  readonly lock: Lock;
  readonly service: PresentationService;
  /** True when the boot self-test passed (false: the lock refuses every presentation). */
  readonly selfTestPassed: boolean;
  /** Stops the service and the lock's timers, bolt locked (shutdown, or a simulated reboot). */
  close(): void;
}

/**
 * Boots a lock on `hardware`: bolt locked, crypto self-test, persisted state loaded (replay
 * store, clock mark, back-off), then the BLE presentation service starts advertising.
 * Construction errors (a bad config) throw before the radio starts: a misconfigured lock stays
 * locked and silent rather than half-working.
 */
export function startLatchkey(hardware: Hardware, config: LatchkeyConfig): Latchkey {
  const lock = new Lock(hardware, config);
  const service = new PresentationService(hardware, lock, config.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
  lock.start();
  service.start();
  return {
    lock,
    service,
    selfTestPassed: lock.selfTestPassed,
    close() {
      service.close();
      lock.close();
    },
  };
}
