// createHardware for Moddable's desktop simulator build (mcconfig -p lin): the board of
// lin/board.ts, whose hardware-only parts are simulated. manifest.json maps "latchkey/hardware"
// here on lin, so main.ts is the same on the simulator as on a device.

import type { Hardware, ResetButton } from 'latchkey';
import type { FirmwareConfig } from 'latchkey/config';
import { createSimulatedBoard } from 'latchkey/lin/board';

export function createHardware(config: FirmwareConfig): Hardware {
  return createSimulatedBoard(config).hardware;
}

/** The simulator has no button: a factory reset there is a fresh flash (a new board). */
export function createResetButton(_button: FirmwareConfig['reset']): ResetButton | undefined {
  return undefined;
}
