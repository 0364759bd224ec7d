// The simulated board for Moddable's desktop simulator build (mcconfig -p lin). The clock, timers, hashes,
// random (the lin host fallback) and log are the device modules of hal/moddable; what only exists
// on a board is simulated: the BLE radio (lin's BLE is an empty stub) becomes the simulator's
// virtual link, on which the courier phone speaks byte for byte what a phone sends; bolt, door and
// LED are the simulator's; NVS is memory under the same AtomicStorage the device runs.
// A simulated power cut (flash cut injection) stops the whole board until powerCycle(), as in
// sim/simulator.ts: no notification leaves, no motor moves, no timer of the dead boot fires.

import { AtomicStorage, type Hardware, type TimerHandle } from 'latchkey';
import { BleLink, MemoryStorage, SimActuator, SimDoor, SimIndicator, SimTime } from 'latchkey/sim';
import { createClock } from 'latchkey/clock';
import type { FirmwareConfig } from 'latchkey/config';
import { createHashes } from 'latchkey/hashes';
import { formatEntry } from 'latchkey/log';
import { print } from 'latchkey/native/console';
import { createRandom } from 'latchkey/random';
import { createTimers } from 'latchkey/timers';

/** BLE packet latency on the virtual link, per direction (ms of simulated time). */
export const SIM_BLE_LATENCY_MS = 15;

export interface SimulatedBoard {
  /** The hardware for the current boot. */
  hardware: Hardware;
  /** The virtual link (its central is the phone's radio) and its timeline. */
  link: BleLink;
  world: SimTime;
  /** The raw flash under the lock's AtomicStorage: arm power cuts here. */
  flash: MemoryStorage;
  actuator: SimActuator;
  door: SimDoor | undefined;
  indicator: SimIndicator;
  /** Power comes back after a cut: the dead boot's timers are gone; returns the next boot's hardware. */
  powerCycle(): Hardware;
}

export function createSimulatedBoard(config: FirmwareConfig): SimulatedBoard {
  const timers = createTimers();
  const clock = createClock();
  const world = new SimTime({ rtc: clock.now() });
  const link = new BleLink(world, { latencyMs: SIM_BLE_LATENCY_MS });
  const flash = new MemoryStorage();
  const actuator = new SimActuator(timers, 'unlocked');
  const door = config.door === undefined ? undefined : new SimDoor('closed');
  const indicator = new SimIndicator(timers);
  const hashes = createHashes();
  const random = createRandom();
  const powered = (): boolean => !flash.off;

  const boot = (): Hardware => {
    // Timers of this boot, so a power cut can take them all down with it.
    const live: TimerHandle[] = [];
    const drop = (h: TimerHandle) => {
      const i = live.indexOf(h);
      if (i >= 0) live.splice(i, 1);
    };
    const hardware: Hardware = {
      clock,
      timers: {
        set(callback: () => void, delayMs: number): TimerHandle {
          const handle: TimerHandle = timers.set(() => {
            drop(handle);
            if (powered()) callback();
          }, delayMs);
          live.push(handle);
          return handle;
        },
        clear(handle: TimerHandle) {
          drop(handle);
          timers.clear(handle);
        },
        ticks: () => timers.ticks(),
      },
      actuator: { drive: (target) => (powered() ? actuator.drive(target) : { reached: false }) },
      indicator,
      storage: new AtomicStorage(flash),
      random,
      ble: {
        start: (handlers) => link.peripheral.start(handlers),
        notify: (value) => {
          if (powered()) link.peripheral.notify(value);
        },
        disconnect: () => {
          if (powered()) link.peripheral.disconnect();
        },
        close: () => link.peripheral.close(),
      },
      // The lock's log line by line on stdout (a headless release build discards trace).
      log: { record: (entry) => (powered() ? print(formatEntry(entry)) : undefined) },
      hashes,
    };
    if (door !== undefined) hardware.door = door;
    board.powerCycle = () => {
      for (const h of live.splice(0)) timers.clear(h);
      flash.powerOn();
      link.peripheral.close();
      return (board.hardware = boot());
    };
    return hardware;
  };
  const board: SimulatedBoard = { hardware: undefined as unknown as Hardware, link, world, flash, actuator, door, indicator, powerCycle: () => board.hardware };
  board.hardware = boot();
  return board;
}
