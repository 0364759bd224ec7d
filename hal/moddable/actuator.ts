// HAL Actuator on embedded:io/digital: a relay or motor driver on one output, active = unlocked,
// so a driver that loses power or a board that resets leaves the bolt thrown (fail-secure). The
// output starts at the locked level the moment it is created. With a limit switch fitted
// (config boltSensePin), drive() reads it after the bolt had time to move and reports a jam
// when it disagrees; without one, a drive is assumed to arrive.

import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { Actuator, BoltPosition } from 'latchkey';
import type { PinConfig } from 'latchkey/config';

/** Time for a strike or solenoid bolt to settle before the limit switch is read. */
export const BOLT_SETTLE_MS = 60;

const level = (active: boolean, pin: PinConfig): 0 | 1 => ((active ? 1 : 0) ^ (pin.activeLow ? 1 : 0)) as 0 | 1;

export function createActuator(bolt: PinConfig, sense: PinConfig | undefined): Actuator {
  const output = new Digital({ pin: bolt.pin, mode: Digital.Output, initialValue: level(false, bolt) });
  const input = sense === undefined ? undefined : new Digital({ pin: sense.pin, mode: Digital.InputPullUp });
  return {
    drive(target: BoltPosition): { reached: boolean } {
      output.write(level(target === 'unlocked', bolt));
      if (input === undefined || sense === undefined) return { reached: true };
      Timer.delay(BOLT_SETTLE_MS);
      const thrown = input.read() === level(true, sense);
      return { reached: thrown === (target === 'locked') };
    },
  };
}
