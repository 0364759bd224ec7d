// createHardware for the ESP32 boards: one HAL object per interface, each a small module of its
// own in this folder. The simulator build (mcconfig -p lin) maps "latchkey/hardware" to
// lin/hardware.ts instead, which keeps clock, timers, hashes, random and log from here and
// simulates the rest (manifest.json, platforms.lin).

import type { Hardware } from 'latchkey';
import { createActuator } from 'latchkey/actuator';
import { createBle } from 'latchkey/ble';
import { createClock } from 'latchkey/clock';
import type { FirmwareConfig } from 'latchkey/config';
import { createDoorSensor } from 'latchkey/door';
import { createHashes } from 'latchkey/hashes';
import { createIndicator } from 'latchkey/indicator';
import { createLog } from 'latchkey/log';
import { createRandom } from 'latchkey/random';
export { createResetButton } from 'latchkey/reset-button';
import { createStorage } from 'latchkey/storage';
import { createTimers } from 'latchkey/timers';

export function createHardware(config: FirmwareConfig): Hardware {
  // The bolt output first: from here on it is driven to the locked level.
  const actuator = createActuator(config.bolt, config.boltSense);
  const hardware: Hardware = {
    actuator,
    clock: createClock(),
    timers: createTimers(),
    indicator: createIndicator(config.led),
    storage: createStorage(),
    random: createRandom(),
    ble: createBle(config.deviceName),
    log: createLog(),
    hashes: createHashes(),
  };
  if (config.door !== undefined) hardware.door = createDoorSensor(config.door);
  return hardware;
}
