// HAL ResetButton on embedded:io/digital: the factory-reset trigger of an administered lock
// (docs/admin.md). Held while the lock boots, the lock forgets its owner and is unprovisioned
// again. An input with the internal pull-up, so an unfitted or open button reads "not held".
// A factory reset is irreversible, so one reading is not enough: a glitch or a bounce at power-up
// must not wipe the lock. The button counts as held only if it reads held at every sample for
// RESET_HOLD_MS; a normal boot (not held at the first sample) costs one read. The pin is
// released afterwards.

import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { ResetButton } from 'latchkey';
import type { PinConfig } from 'latchkey/config';

/** How long the button must stay held at boot before the lock resets. */
export const RESET_HOLD_MS = 5000;
/** Sampling period while it is held. */
const RESET_SAMPLE_MS = 50;

export function createResetButton(button: PinConfig | undefined): ResetButton | undefined {
  if (button === undefined) return undefined;
  return {
    heldAtBoot() {
      const input = new Digital({ pin: button.pin, mode: Digital.InputPullUp });
      const held = () => (input.read() === 1) !== button.activeLow;
      try {
        for (let waited = 0; waited < RESET_HOLD_MS; waited += RESET_SAMPLE_MS) {
          if (!held()) return false;
          Timer.delay(RESET_SAMPLE_MS);
        }
        return held();
      } finally {
        input.close();
      }
    },
  };
}
