// The built-in self-test needs the simulator's courier phone and virtual BLE link, which only the
// desktop simulator build has (lin/selftest.ts). On a board, selftest=1 says so and stops.

import type { FirmwareConfig } from 'latchkey/config';

export function runSelfTest(_config: FirmwareConfig): void {
  trace('SELFTEST FAIL the self-test runs in the simulator build: mcconfig -m -p lin selftest=1\n');
}
