// HAL DoorSensor on embedded:io/digital: a reed contact on an input with the internal pull-up,
// active = open. Edges are debounced: a change is reported once the level has been stable for
// DOOR_DEBOUNCE_MS, and only if it differs from the last reported state.

import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { DoorSensor, DoorState } from 'latchkey';
import type { PinConfig } from 'latchkey/config';

export const DOOR_DEBOUNCE_MS = 30;

export function createDoorSensor(door: PinConfig): DoorSensor {
  let listener: ((state: DoorState) => void) | undefined;
  let pending: ReturnType<typeof Timer.set> | undefined;
  const stateOf = (value: 0 | 1): DoorState => ((value === 1) !== door.activeLow ? 'open' : 'closed');
  const input: Digital = new Digital({
    pin: door.pin,
    mode: Digital.InputPullUp,
    edge: Digital.Rising | Digital.Falling,
    onReadable() {
      if (pending !== undefined) Timer.clear(pending);
      pending = Timer.set(() => {
        pending = undefined;
        const state = stateOf(input.read());
        if (state !== reported) {
          reported = state;
          listener?.(state);
        }
      }, DOOR_DEBOUNCE_MS);
    },
  });
  let reported: DoorState = stateOf(input.read());
  return {
    read: () => stateOf(input.read()),
    onChange(l: (state: DoorState) => void) {
      listener = l;
    },
  };
}
