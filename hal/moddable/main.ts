// The firmware's entry (the manifest's "main"): read the provisioning, build the hardware, and
// start the lock with the same wiring the simulator uses (src/app.ts). A configuration error is
// reported on the console and nothing else starts: the bolt output, if it was created, stays at
// its locked level and the radio stays off.

import { startLatchkey } from 'latchkey';
import { readConfig } from 'latchkey/config';
import { createHardware, createResetButton } from 'latchkey/hardware';
import { runSelfTest } from 'latchkey/selftest';

export default function main(): void {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    trace(`latchkey: not started: ${String((error as Error)?.message ?? error)}\n`);
    return;
  }
  if (config.selftest) {
    runSelfTest(config);
    return;
  }
  const app = startLatchkey(createHardware(config), { ...config.lock, resetButton: createResetButton(config.reset) });
  const name = config.lock.administered ? (app.lock.admin?.current?.lockId ?? 'unprovisioned') : config.lock.lockId;
  trace(`latchkey: ${name} ${app.selfTestPassed ? 'ready' : 'SELF-TEST FAILED: refusing every presentation'}\n`);
}
