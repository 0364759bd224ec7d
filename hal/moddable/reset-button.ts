// HAL ResetButton on embedded:io/digital: the factory-reset trigger of an administered lock
// (docs/admin.md). Held while the lock boots, the lock forgets its owner and is unprovisioned
// again. An input with the internal pull-up, so an unfitted or open button reads "not held";
// the level is sampled once, at boot, and the pin is released afterwards.

import Digital from 'embedded:io/digital';
import type { ResetButton } from 'latchkey';
import type { PinConfig } from 'latchkey/config';

export function createResetButton(button: PinConfig | undefined): ResetButton | undefined {
  if (button === undefined) return undefined;
  return {
    heldAtBoot() {
      const input = new Digital({ pin: button.pin, mode: Digital.InputPullUp });
      try {
        return (input.read() === 1) !== button.activeLow;
      } finally {
        input.close();
      }
    },
  };
}
